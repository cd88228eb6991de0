"""Step 4 of the linkage core: estimate a model's parameters (u by sampling, m from labels
or by expectation maximisation), and show them (docs/decisions/0021)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from safeguarding.children.linkage import duck
from safeguarding.children.linkage.duck import Progress
from safeguarding.children.linkage.model import BLOCKING_RULES, base_settings, comparisons, levels

logger = logging.getLogger(__name__)

# --- Training -------------------------------------------------------------------------

# Pairs that are almost surely the same child: to estimate how many pairs match at all.
DETERMINISTIC_RULES = (
    "l.nhs_number = r.nhs_number",
    "l.given_name = r.given_name AND l.family_name = r.family_name AND l.dob = r.dob",
)
DETERMINISTIC_RECALL = 0.7

# Expectation maximisation runs once per rule; each rule leaves some comparisons out of
# its estimate (those it blocks on), and together they estimate every comparison.
TRAINING_RULES = (
    "l.dob = r.dob AND l.family_name = r.family_name",
    "l.given_name = r.given_name AND l.postcode = r.postcode",
    "l.given_name = r.given_name AND l.dob_year = r.dob_year",
)


def train_settings(
    table: pa.Table,
    start: Mapping[str, Any] | None = None,
    *,
    label_column: str | None = None,
    seed: int = 20261125,
    u_pairs: float = 2e6,
    progress: Progress | None = None,
    threads: int | None = None,
) -> dict[str, Any]:
    """Estimate a model's parameters on these records; returns its Splink settings.

    u (how often a level occurs between different children) by random sampling; m (how
    often between records of the same child) from `label_column` when the records carry
    the truth (synthetic data), else by expectation maximisation over TRAINING_RULES,
    starting from `start`'s values. Levels a method cannot estimate keep `start`'s.
    """
    from splink import DuckDBAPI, Linker

    settings = dict(start) if start else base_settings()
    settings["comparisons"] = comparisons_with_parameters(comparisons(), start)
    settings["blocking_rules_to_generate_predictions"] = list(BLOCKING_RULES)
    settings.pop("linker_uid", None)
    con = duck.connect(None, threads)
    steps = 3 if label_column else 2 + len(TRAINING_RULES)
    try:
        con.register("training_arrow", table)
        duck.run(con, "CREATE TABLE training_records AS SELECT * FROM training_arrow")
        con.unregister("training_arrow")
        db_api = DuckDBAPI(con)
        sdf = db_api.register("training_records", table_name="splink_training")
        linker = Linker(sdf, settings, log_level=None, validate_settings=False)
        if progress:
            progress("estimating how often two records match", 0, steps)
        if label_column:
            settings_obj = linker._settings_obj
            settings_obj._probability_two_random_records_match = _label_match_rate(
                con, label_column
            )
        else:
            try:
                linker.training.estimate_probability_two_random_records_match(
                    list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
                )
            except ValueError as error:  # too few records for the estimate: keep the old
                logger.warning("Kept the match rate: %s", error)
        if progress:
            progress("estimating u by random sampling", 1, steps)
        linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
        if label_column:
            if progress:
                progress("estimating m from the labels", 2, steps)
            linker.training.estimate_m_from_label_column(label_column)
        else:
            for number, rule in enumerate(TRAINING_RULES, start=2):
                if progress:
                    progress(f"estimating m by EM, blocking on {rule}", number, steps)
                try:
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        rule, estimate_without_term_frequencies=True
                    )
                except Exception as error:  # noqa: BLE001 - a rule with no pairs estimates nothing
                    logger.warning("EM on %s estimated nothing: %s", rule, error)
        if progress:
            progress("trained", steps, steps)
        trained: dict[str, Any] = linker.misc.save_model_to_json()
    finally:
        con.close()
    trained.pop("linker_uid", None)
    trained["comparisons"] = [
        _with_floor(comparison)
        for comparison in comparisons_with_parameters(trained["comparisons"], start)
    ]
    return trained


# No level is treated as impossible: a level never seen among the training pairs (a sex
# recorded wrongly, say) still happens, and an m of 1e-30 would make one field overrule
# every other. Each m is at least M_FLOOR and each u at least U_FLOOR (u is rightly
# tiny for an NHS number shared by chance), and they are re-normalised.
M_FLOOR = 1e-3
U_FLOOR = 1e-6


def _with_floor(comparison: Mapping[str, Any]) -> dict[str, Any]:
    levels_out = [dict(level) for level in comparison["comparison_levels"]]
    for parameter, floor in (("m_probability", M_FLOOR), ("u_probability", U_FLOOR)):
        scored = [level for level in levels_out if not level.get("is_null_level")]
        for level in scored:
            level[parameter] = max(float(level.get(parameter) or 0.0), floor)
        total = sum(level[parameter] for level in scored)
        for level in scored:
            level[parameter] = level[parameter] / total
    return {**comparison, "comparison_levels": levels_out}


def _label_match_rate(con: duckdb.DuckDBPyConnection, label_column: str) -> float:
    row = con.execute(
        f"SELECT sum(n * (n - 1) / 2), (SELECT count(*) FROM training_records) "  # noqa: S608
        f"FROM (SELECT count(*) AS n FROM training_records GROUP BY {label_column})"
    ).fetchall()
    pairs, records = row[0] if row else (0, 0)
    total = records * (records - 1) / 2
    return float(pairs) / total if total and pairs else 1e-4


def comparisons_with_parameters(
    comparisons_now: Sequence[Mapping[str, Any]], fallback: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """The comparisons, each level's missing m or u filled from `fallback`'s same level."""
    old = {}
    if fallback:
        for comparison in fallback["comparisons"]:
            for level in comparison["comparison_levels"]:
                old[(comparison["output_column_name"], level["sql_condition"])] = level
    filled = []
    for comparison in comparisons_now:
        levels_out = []
        for level in comparison["comparison_levels"]:
            level = dict(level)
            before = old.get((comparison["output_column_name"], level["sql_condition"]), {})
            for parameter in ("m_probability", "u_probability"):
                if level.get("is_null_level"):
                    level.pop(parameter, None)
                elif level.get(parameter) is None and before.get(parameter) is not None:
                    level[parameter] = before[parameter]
            levels_out.append(level)
        filled.append({**comparison, "comparison_levels": levels_out})
    return filled


def parameter_rows(
    new: Mapping[str, Any], old: Mapping[str, Any] | None
) -> list[tuple[str, str, float | None, float | None, float | None, float | None, float, float]]:
    """(field, level, old m, new m, old u, new u, old weight, new weight) for every level."""
    before = levels(old) if old else {}
    rows = []
    for key, level in levels(new).items():
        if key[1] < 0:
            continue
        was = before.get(key)
        rows.append(
            (
                level.field,
                level.label,
                was.m if was else None,
                level.m,
                was.u if was else None,
                level.u,
                was.weight if was else 0.0,
                level.weight,
            )
        )
    return rows
