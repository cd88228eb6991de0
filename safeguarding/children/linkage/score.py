"""Step 2 of the linkage core: find the candidate pairs with the blocking rules and score
them with the Splink model, in an in-process DuckDB (docs/decisions/0021)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from safeguarding.children.linkage import duck
from safeguarding.children.linkage.duck import Progress
from safeguarding.children.linkage.model import comparison_fields, levels

# --- Scoring --------------------------------------------------------------------------

# A pair as `decide` reads it: (probability, match weight, record, other, other is in the
# index, linked by a shared NHS number, kept from linking automatically, and the match
# weight of each comparison in the order of the model's comparisons). `record` is a new
# record; `other` is a new record with a smaller id or a record of the index.
Edge = tuple[float, float, int, int, bool, bool, bool, tuple[float, ...]]


@dataclass
class Scored:
    """The pairs worth deciding on, most probable first (then by ids, so always the same).

    Pairs with two different valid NHS numbers are left out: they never link. Pairs that
    share a valid NHS number are in whatever their score, with probability 1.
    """

    edges: list[Edge]
    pairs_scored: int = 0


# Levels that keep a pair from linking automatically however strong the rest: twins share
# a family name, a date of birth and an address, and only their given names tell them
# apart, so a pair whose given names differ outright (no nickname, typo or middle name
# explains it) goes to a person. A shared valid NHS number still links.
NEVER_AUTOMATIC = (("given_name", "different"),)


def _guard_sql(settings: Mapping[str, Any]) -> str:
    checks = [
        f"abs(p.mw_{level.field} - ({level.weight!r})) < 1e-9"
        for level in levels(settings).values()
        if (level.field, level.label) in NEVER_AUTOMATIC
    ]
    return " OR ".join(checks) or "false"


def score(
    new: pa.Table,
    index: pa.Table | None,
    settings: Mapping[str, Any],
    *,
    lower: float,
    progress: Progress | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Scored:
    """Score the new records against each other and against the index, above `lower`."""
    from splink import DuckDBAPI, Linker

    con = duck.connect(memory_limit, threads)
    db_api = DuckDBAPI(con)
    weights = ", ".join(f"p.mw_{name}" for name in comparison_fields(settings))
    guard = _guard_sql(settings)
    with_index = index is not None and index.num_rows > 0
    try:
        duck.load(con, "new_records", new)
        new_sdf = db_api.register("new_records", table_name="splink_new")
        linker = Linker(new_sdf, dict(settings), log_level=None, validate_settings=False)
        if progress:
            progress("scoring new records with each other", 0, 2)
        within = linker.inference.predict_within(
            new_sdf, threshold_match_probability=lower, warning_mode="never"
        )
        parts = [
            _edges_sql(
                within.physical_name, "new_records", indexed=False, weights=weights, guard=guard
            )
        ]
        tables = [within]
        if with_index:
            if progress:
                progress("scoring new records against the index", 1, 2)
            duck.load(con, "index_records", index)
            index_sdf = db_api.register("index_records", table_name="splink_index")
            between = linker.inference.predict_between(
                new_sdf, index_sdf, threshold_match_probability=lower, warning_mode="never"
            )
            parts.append(
                _edges_sql(
                    between.physical_name,
                    "index_records",
                    indexed=True,
                    weights=weights,
                    guard=guard,
                )
            )
            tables.append(between)
        scored_count = sum(
            con.execute(f"SELECT count(*) FROM {t.physical_name}").fetchall()[0][0]  # noqa: S608
            for t in tables
        )
        rows = con.execute(
            " UNION ALL ".join(f"({part})" for part in parts)
            + " ORDER BY probability DESC, record, other, indexed"
        ).fetchall()
        for t in tables:
            t.drop_table_from_database_and_remove_from_cache()
        if progress:
            progress("scoring done", 2, 2)
    finally:
        con.close()
    edges: list[Edge] = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(r[7:])) for r in rows]
    return Scored(edges=edges, pairs_scored=scored_count)


def _edges_sql(
    predictions: str, other_table: str, *, indexed: bool, weights: str, guard: str
) -> str:
    """The scored pairs with the NHS number's rules applied, as `Edge`s.

    Pairs sharing a valid NHS number come in whatever their score (the blocking rule on
    the NHS number finds them all; the threshold may have dropped some, so they are found
    again by a join); pairs with two different valid NHS numbers go.
    """
    if indexed:
        shared = (
            "SELECT l.unique_id AS a, r.unique_id AS b FROM new_records l "  # noqa: S608
            f"JOIN {other_table} r ON l.nhs_number = r.nhs_number"
        )
        ends = "p.unique_id_l AS a, p.unique_id_r AS b"
    else:
        shared = (
            "SELECT r.unique_id AS a, l.unique_id AS b FROM new_records l "
            "JOIN new_records r ON l.nhs_number = r.nhs_number AND l.unique_id < r.unique_id"
        )
        # Within the new records, the record is the later one and the other the earlier.
        ends = (
            "greatest(p.unique_id_l, p.unique_id_r) AS a, least(p.unique_id_l, p.unique_id_r) AS b"
        )
    return f"""
        SELECT
            CASE WHEN s.a IS NOT NULL THEN 1.0 ELSE p.match_probability END AS probability,
            CASE WHEN s.a IS NOT NULL AND p.a IS NULL THEN 'Infinity'::DOUBLE
                 ELSE p.match_weight END AS match_weight,
            coalesce(p.a, s.a) AS record,
            coalesce(p.b, s.b) AS other,
            {str(indexed).lower()} AS indexed,
            s.a IS NOT NULL AS by_nhs,
            coalesce(({guard}), false) AND s.a IS NULL AS guarded,
            {weights}
        FROM (SELECT *, {ends} FROM {predictions} AS p) AS p
        FULL OUTER JOIN ({shared}) AS s ON p.a = s.a AND p.b = s.b
        JOIN new_records AS rl ON rl.unique_id = coalesce(p.a, s.a)
        JOIN {other_table} AS rr ON rr.unique_id = coalesce(p.b, s.b)
        WHERE rl.nhs_number IS NULL OR rr.nhs_number IS NULL OR rl.nhs_number = rr.nhs_number
    """  # noqa: S608
