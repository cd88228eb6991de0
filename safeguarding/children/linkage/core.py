"""The linkage core: agency person records in, decisions out. No database.

`children/linkage.py` reads the records from the hub's database and writes the decisions
back; this module does the work between, on Arrow tables in an in-process DuckDB with
Splink, so that the benchmark can time it on millions of records without a database.

The steps, each a function below:

1. `prepare` turns records (identity fields as the hub stores them, RAW) into the
   features the model compares (FEATURES): names normalised, the formal names a nickname
   may stand for, phonetic keys, the date of birth and a key that a swapped day and month
   share, postcode and district, the address's words, and NHS numbers and UPNs only when
   they pass their checks.
2. `score` finds the candidate pairs with the blocking rules and scores them with the
   Splink model: the new records among themselves (`predict_within`) and against the
   index of records already linked (`predict_between`); the index is never compared with
   itself, so a run costs what is new, not what is there. A shared valid NHS number makes
   a pair certain; two different ones remove it.
3. `decide` clusters the strong pairs greedily, most probable first, under rules that no
   score overrides: a child never holds two different valid NHS numbers; the model never
   merges two existing children; a pair whose given names differ outright (twins) and a
   pair a person rejected never link automatically. Pairs between the thresholds go to
   the review queue, at most one per pair of clusters.
4. `train_settings` estimates a model's parameters (u by sampling, m from labels or by
   expectation maximisation).

See docs/decisions/0021-linkage-with-splink.md.
"""

from __future__ import annotations

import gc
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa

from safeguarding.children import identifiers, names

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]

SHIPPED_MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "linkage_model.json"

# The identity fields of a source record that linkage reads.
RECORD_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "sex",
    "address",
    "postcode",
    "nhs_number",
    "upn",
)

FEATURES = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("given_name", pa.string()),
        # The formal names this given name may stand for ("alex": alexander, alexandra).
        ("given_forms", pa.list_(pa.string())),
        ("given_initial", pa.string()),
        # The phonetic key of the formal name ("Lizzie" → "elizabeth" → E412).
        ("given_key", pa.string()),
        # Middle and other names, normalised: some systems know a child by a middle name.
        ("other_names", pa.list_(pa.string())),
        ("family_name", pa.string()),
        ("family_key", pa.string()),
        ("dob", pa.date32()),
        # Year, then the smaller and the larger of day and month: a swapped day and
        # month give the same key, so blocking on it finds them.
        ("dob_key", pa.string()),
        ("dob_year", pa.int32()),
        ("sex", pa.string()),
        ("postcode", pa.string()),
        ("postcode_district", pa.string()),
        ("address", pa.string()),
        ("nhs_number", pa.string()),
        ("upn", pa.string()),
        # In the index: the record's child. Among the new records: the child a changed
        # record is already linked to, else empty.
        ("child_id", pa.int64()),
    ]
)


# --- Features -------------------------------------------------------------------------


@cache
def _formal_names() -> dict[str, tuple[str, ...]]:
    """Normalised name → the normalised formal names it may stand for (itself included)."""
    data = json.loads(names.NICKNAMES_FILE.read_text(encoding="utf-8"))
    forms: dict[str, set[str]] = {}
    for formal, nicknames in data["names"].items():
        formal_key = names.normalise(formal)
        forms.setdefault(formal_key, {formal_key}).add(formal_key)
        for nickname in nicknames:
            key = names.normalise(nickname)
            forms.setdefault(key, {key}).add(formal_key)
    return {name: tuple(sorted(found)) for name, found in forms.items()}


_ADDRESS_WORDS = {
    "road": "rd",
    "street": "st",
    "avenue": "ave",
    "close": "cl",
    "lane": "ln",
    "drive": "dr",
    "crescent": "cres",
    "court": "ct",
    "place": "pl",
    "gardens": "gdns",
    "grove": "gr",
    "terrace": "ter",
    "apartment": "flat",
}

_SEXES = {"f": "F", "female": "F", "m": "M", "male": "M", "x": "X", "other": "X"}

# The records as linkage reads them: the identity fields as the hub stores them.
RAW = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("other_names", pa.string()),
        ("date_of_birth", pa.date32()),
        ("sex", pa.string()),
        ("address", pa.string()),
        ("postcode", pa.string()),
        ("nhs_number", pa.string()),
        ("upn", pa.string()),
        ("child_id", pa.int64()),
    ]
)


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def raw_table(rows: Iterable[Sequence[Any]]) -> pa.Table:
    """Records as tuples in RAW's order (unique id, RECORD_FIELDS..., child id)."""
    columns = list(zip(*rows, strict=True)) or [() for _ in RAW.names]
    arrays = []
    for name, values in zip(RAW.names, columns, strict=True):
        if name == "date_of_birth":
            values = tuple(_as_date(value) for value in values)
        arrays.append(pa.array(values, type=RAW.field(name).type))
    return pa.Table.from_arrays(arrays, schema=RAW)


def records_table(
    records: Iterable[Mapping[str, Any]], *, id_field: str = "id", child_field: str = "child_id"
) -> pa.Table:
    """Records as mappings of RECORD_FIELDS with an id (and a child, for the index)."""
    return raw_table(
        (
            record[id_field],
            *(record.get(name) or None for name in RECORD_FIELDS),
            record.get(child_field),
        )
        for record in records
    )


def _given_features(
    raw: str,
) -> tuple[str | None, list[str] | None, str | None, str | None]:
    name = names.normalise(raw)
    if not name:
        return None, None, None, None
    forms = list(_formal_names().get(name, (name,)))
    canonical = names.canonical_given_name(raw) or name
    return name, forms, canonical[0], names.name_key(canonical)


def _family_features(raw: str) -> tuple[str | None, str | None]:
    name = names.normalise(raw)
    return (name, names.name_key(name)) if name else (None, None)


def _other_features(raw: str) -> list[str] | None:
    found = [names.normalise(word) for word in raw.replace("-", " ").split()]
    return [word for word in found if word] or None


def _lookup(con: duckdb.DuckDBPyConnection, column: str, make: Callable[[str], Any]) -> pa.Table:
    """Name features for each distinct spelling: names.py in Python, once per spelling."""
    values = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT {column} FROM raw_records WHERE {column} IS NOT NULL"  # noqa: S608
        ).fetchall()
    ]
    made = [make(value) for value in values]
    if column == "given_name":
        return pa.table(
            {
                "raw": pa.array(values, pa.string()),
                "name": pa.array([m[0] for m in made], pa.string()),
                "forms": pa.array([m[1] for m in made], pa.list_(pa.string())),
                "initial": pa.array([m[2] for m in made], pa.string()),
                "name_key": pa.array([m[3] for m in made], pa.string()),
            }
        )
    if column == "family_name":
        return pa.table(
            {
                "raw": pa.array(values, pa.string()),
                "name": pa.array([m[0] for m in made], pa.string()),
                "name_key": pa.array([m[1] for m in made], pa.string()),
            }
        )
    return pa.table(
        {"raw": pa.array(values, pa.string()), "words": pa.array(made, pa.list_(pa.string()))}
    )


def _nhs_sql(digits: str) -> str:
    """The NHS number's digits when they pass the mod-11 check (identifiers.py), else NULL."""
    total = " + ".join(
        f"{weight} * TRY_CAST(substr({digits}, {position}, 1) AS INTEGER)"
        for position, weight in enumerate(identifiers.NHS_WEIGHTS, start=1)
    )
    check = f"11 - ({total}) % 11"
    return (
        f"CASE WHEN regexp_full_match({digits}, '[0-9]{{10}}') AND {check} <> 10 "
        f"AND ({check}) % 11 = TRY_CAST(substr({digits}, 10, 1) AS INTEGER) "
        f"THEN {digits} END"
    )


def _upn_sql(upn: str) -> str:
    """The UPN when its check letter is right (identifiers.py), else NULL."""
    letters = identifiers.UPN_CHECK_LETTERS
    parts = []
    for position in range(2, 14):
        character = f"substr({upn}, {position}, 1)"
        value = f"TRY_CAST({character} AS INTEGER)"
        if position == 13:
            # A temporary UPN ends in a letter: it counts as its place in the alphabet.
            value = f"coalesce({value}, strpos('{letters}', {character}) - 1)"
        parts.append(f"{position} * ({value})")
    total = " + ".join(parts)
    return (
        f"CASE WHEN regexp_full_match({upn}, '[{letters}][0-9]{{11}}[0-9{letters}]') "
        f"AND substr('{letters}', (({total}) % 23) + 1, 1) = substr({upn}, 1, 1) "
        f"THEN {upn} END"
    )


def _address_words_sql(address: str) -> str:
    cases = " ".join(f"WHEN '{word}' THEN '{short}'" for word, short in _ADDRESS_WORDS.items())
    return (
        f"list_transform(list_filter(string_split_regex(lower(strip_accents({address})), "
        f"'[^a-z0-9]+'), lambda w: w <> ''), lambda w: CASE w {cases} ELSE w END)"
    )


def _address_sql(words: str, postcode: str) -> str:
    """The address's words, less the postcode when the line ends with it."""
    return (
        f"nullif(array_to_string(CASE "
        f"WHEN len({words}) >= 2 AND upper({words}[-2] || {words}[-1]) = {postcode} "
        f"THEN {words}[1:-3] "
        f"WHEN len({words}) >= 1 AND upper({words}[-1]) = {postcode} THEN {words}[1:-2] "
        f"ELSE {words} END, ' '), '')"
    )


_POSTCODE_PATTERN = "[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}"


def prepare(
    records: pa.Table | Iterable[Mapping[str, Any]],
    *,
    id_field: str = "id",
    child_field: str = "child_id",
    threads: int | None = None,
) -> pa.Table:
    """The features of each record (FEATURES), from a RAW table or from mappings.

    Names go through children/names.py once per distinct spelling; everything else is
    set-based SQL in DuckDB, so that a million records take seconds.
    """
    raw = (
        records
        if isinstance(records, pa.Table)
        else records_table(records, id_field=id_field, child_field=child_field)
    )
    con = _connection(None, threads)
    try:
        con.register("raw_arrow", raw)
        _run(con, "CREATE TABLE raw_records AS SELECT * FROM raw_arrow")
        con.unregister("raw_arrow")
        for column, make in (
            ("given_name", _given_features),
            ("family_name", _family_features),
            ("other_names", _other_features),
        ):
            con.register(f"{column}_lookup", _lookup(con, column, make))
        sexes = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in _SEXES.items())
        table = con.sql(
            f"""
            WITH r AS (
                SELECT
                    *,
                    nullif(upper(regexp_replace(postcode, '\\s', '', 'g')), '') AS pc,
                    regexp_replace(nhs_number, '[\\s-]', '', 'g') AS nhs_digits,
                    upper(trim(upn)) AS upn_text,
                    {_address_words_sql("address")} AS address_words
                FROM raw_records
            )
            SELECT
                r.unique_id,
                g.name AS given_name,
                g.forms AS given_forms,
                g.initial AS given_initial,
                g.name_key AS given_key,
                o.words AS other_names,
                f.name AS family_name,
                f.name_key AS family_key,
                r.date_of_birth AS dob,
                strftime(r.date_of_birth, '%Y-')
                    || lpad(CAST(least(day(r.date_of_birth), month(r.date_of_birth)) AS VARCHAR), 2, '0')
                    || '-'
                    || lpad(CAST(greatest(day(r.date_of_birth), month(r.date_of_birth)) AS VARCHAR), 2, '0')
                    AS dob_key,
                CAST(year(r.date_of_birth) AS INTEGER) AS dob_year,
                CASE lower(trim(r.sex)) {sexes} END AS sex,
                r.pc AS postcode,
                CASE WHEN regexp_full_match(r.pc, '{_POSTCODE_PATTERN}')
                    THEN r.pc[1:length(r.pc) - 3] END AS postcode_district,
                {_address_sql("r.address_words", "r.pc")} AS address,
                {_nhs_sql("r.nhs_digits")} AS nhs_number,
                {_upn_sql("r.upn_text")} AS upn,
                r.child_id
            FROM r
            LEFT JOIN given_name_lookup AS g ON g.raw = r.given_name
            LEFT JOIN family_name_lookup AS f ON f.raw = r.family_name
            LEFT JOIN other_names_lookup AS o ON o.raw = r.other_names
            """  # noqa: S608
        ).to_arrow_table()
    finally:
        con.close()
    return table.cast(FEATURES)


# --- The model ------------------------------------------------------------------------

NULL_LABEL = "not on both records"


def _level(sql: str, label: str, *, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


def _exact_or_else(column: str, description: str) -> dict[str, Any]:
    return {
        "output_column_name": column,
        "comparison_description": description,
        "comparison_levels": [
            _level(f"{column}_l IS NULL OR {column}_r IS NULL", NULL_LABEL, null=True),
            _level(f"{column}_l = {column}_r", "the same"),
            _level("ELSE", "different"),
        ],
    }


def comparisons() -> list[dict[str, Any]]:
    """The model's comparisons: one per identity field, levels from agree to disagree.

    The postcode and the address are one comparison: they say the same thing twice, and
    a model that multiplied their evidence would be sure of a household, not a child.
    """
    return [
        {
            "output_column_name": "given_name",
            "comparison_description": "Given name",
            "comparison_levels": [
                _level("given_name_l IS NULL OR given_name_r IS NULL", NULL_LABEL, null=True),
                _level("given_name_l = given_name_r", "the same"),
                _level("list_has_any(given_forms_l, given_forms_r)", "a nickname of the same name"),
                _level(
                    "damerau_levenshtein(given_name_l, given_name_r) <= 1", "one letter different"
                ),
                _level(
                    "jaro_winkler_similarity(given_name_l, given_name_r) >= 0.88",
                    "spelt similarly",
                ),
                _level(
                    "list_contains(other_names_l, given_name_r) "
                    "OR list_contains(other_names_r, given_name_l)",
                    "one record's given name is the other's middle name",
                ),
                _level("ELSE", "different"),
            ],
        },
        {
            "output_column_name": "family_name",
            "comparison_description": "Family name",
            "comparison_levels": [
                _level("family_name_l IS NULL OR family_name_r IS NULL", NULL_LABEL, null=True),
                _level("family_name_l = family_name_r", "the same"),
                _level(
                    "damerau_levenshtein(family_name_l, family_name_r) <= 1",
                    "one letter different",
                ),
                _level(
                    "jaro_winkler_similarity(family_name_l, family_name_r) >= 0.88",
                    "spelt similarly",
                ),
                _level(
                    "length(family_name_l) >= 3 AND length(family_name_r) >= 3 AND "
                    "(contains(family_name_l, family_name_r) "
                    "OR contains(family_name_r, family_name_l))",
                    "one name part of the other (double-barrelled)",
                ),
                _level("ELSE", "different"),
            ],
        },
        {
            "output_column_name": "date_of_birth",
            "comparison_description": "Date of birth",
            "comparison_levels": [
                _level("dob_l IS NULL OR dob_r IS NULL", NULL_LABEL, null=True),
                _level("dob_l = dob_r", "the same"),
                _level(
                    "year(dob_l) = year(dob_r) AND month(dob_l) = day(dob_r) "
                    "AND day(dob_l) = month(dob_r)",
                    "day and month swapped",
                ),
                _level(
                    "(CAST(year(dob_l) = year(dob_r) AS INTEGER) "
                    "+ CAST(month(dob_l) = month(dob_r) AS INTEGER) "
                    "+ CAST(day(dob_l) = day(dob_r) AS INTEGER)) = 2",
                    "one of day, month or year different",
                ),
                _level("ELSE", "different"),
            ],
        },
        _exact_or_else("sex", "Sex"),
        {
            "output_column_name": "address",
            "comparison_description": "Address and postcode",
            "comparison_levels": [
                _level(
                    "(postcode_l IS NULL OR postcode_r IS NULL) "
                    "AND (address_l IS NULL OR address_r IS NULL)",
                    NULL_LABEL,
                    null=True,
                ),
                _level(
                    "address_l = address_r OR (postcode_l = postcode_r "
                    "AND jaro_winkler_similarity(address_l, address_r) >= 0.9)",
                    "the same address",
                ),
                _level("postcode_l = postcode_r", "the same postcode"),
                _level("postcode_district_l = postcode_district_r", "the same postcode district"),
                _level("ELSE", "different"),
            ],
        },
        _exact_or_else("nhs_number", "NHS number"),
        _exact_or_else("upn", "Unique Pupil Number"),
    ]


# Pairs compared: records that share at least one of these. Each is narrow enough at a
# million records, and together they find the kinds of noise agencies' records have
# (measured on the synthetic extracts: about 99.5% of true pairs are compared):
# - an NHS number or a UPN shared;
# - the date of birth (dob_key: a swapped day and month give the same key) with the
#   family name's or the (formal) given name's phonetic key: typos, nicknames, a family
#   name from the other parent, and a house move;
# - the postcode with the initial of the formal given name: a date of birth mistyped;
# - the family and given names' keys with the year of birth: a date of birth mistyped
#   and a house move.
BLOCKING_RULES = (
    "l.nhs_number = r.nhs_number",
    "l.upn = r.upn",
    "l.dob_key = r.dob_key AND l.family_key = r.family_key",
    "l.dob_key = r.dob_key AND l.given_key = r.given_key",
    "l.postcode = r.postcode AND l.given_initial = r.given_initial",
    "l.family_key = r.family_key AND l.given_key = r.given_key AND l.dob_year = r.dob_year",
)


def base_settings() -> dict[str, Any]:
    """The model's structure, without trained parameters."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-4,
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
        "comparisons": comparisons(),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": [],
        "max_iterations": 20,
        "em_convergence": 0.0001,
    }


@dataclass(frozen=True)
class Level:
    field: str
    gamma: int
    label: str
    m: float | None
    u: float | None

    @property
    def weight(self) -> float:
        """The level's match weight: log2 of its Bayes factor m/u; 0 for the null level."""
        if self.gamma < 0 or not self.m or not self.u:
            return 0.0
        return math.log2(self.m / self.u)


def levels(settings: Mapping[str, Any]) -> dict[tuple[str, int], Level]:
    """Every comparison level of a model by (field, gamma), gamma as Splink numbers them."""
    found: dict[tuple[str, int], Level] = {}
    for comparison in settings["comparisons"]:
        column = comparison["output_column_name"]
        rows = comparison["comparison_levels"]
        non_null = [level for level in rows if not level.get("is_null_level")]
        for level in rows:
            gamma = -1 if level.get("is_null_level") else len(non_null) - 1 - non_null.index(level)
            found[(column, gamma)] = Level(
                field=column,
                gamma=gamma,
                label=level.get("label_for_charts") or level["sql_condition"],
                m=level.get("m_probability"),
                u=level.get("u_probability"),
            )
    return found


def level_for(by_level: Mapping[tuple[str, int], Level], field: str, weight: float) -> Level:
    """The level of a comparison that gives this match weight (Splink reports weights)."""
    choices = [level for (name, _gamma), level in by_level.items() if name == field]
    if weight == 0.0:
        for level in choices:
            if level.gamma < 0:
                return level
    return min(choices, key=lambda level: (abs(level.weight - weight), -level.gamma))


def comparison_fields(settings: Mapping[str, Any]) -> list[str]:
    return [comparison["output_column_name"] for comparison in settings["comparisons"]]


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


def _connection(memory_limit: str | None, threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    if memory_limit:
        _run(con, f"SET memory_limit = '{memory_limit}'")
    if threads:
        _run(con, f"SET threads = {int(threads)}")
    _run(con, "SET preserve_insertion_order = false")
    return con


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run a statement to its end (DuckDB 2 refuses new work on an unfinished result)."""
    con.execute(sql).fetchall()


def _load(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register(f"{name}_arrow", table)
    _run(con, f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608
    con.unregister(f"{name}_arrow")


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

    con = _connection(memory_limit, threads)
    db_api = DuckDBAPI(con)
    weights = ", ".join(f"p.mw_{name}" for name in comparison_fields(settings))
    guard = _guard_sql(settings)
    with_index = index is not None and index.num_rows > 0
    try:
        _load(con, "new_records", new)
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
            _load(con, "index_records", index)
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


# --- Deciding -------------------------------------------------------------------------

METHOD_MODEL = "model"
METHOD_NHS = "nhs number"
METHOD_NEW = "new"


class Assignment(NamedTuple):
    """Where one new or changed record goes.

    `child` is an existing child; else `group` numbers a new child (0, 1, ...), shared by
    the new records that matched each other. `kept` is a changed record that stays with
    its child (method and probability unchanged).
    """

    record: int
    child: int | None
    group: int | None
    method: str
    probability: float | None
    kept: bool = False


class Candidate(NamedTuple):
    """A pair for a person to decide: `record` is new; `candidate` is in another cluster."""

    record: int
    candidate: int
    match_probability: float
    match_weight: float
    comparisons: list[dict[str, Any]]


@dataclass
class Decisions:
    assignments: list[Assignment] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    new_groups: int = 0
    pairs_scored: int = 0
    # Changed records taken out of their child: they now hold an NHS number that differs
    # from another record of that child.
    detached: list[int] = field(default_factory=list)
    # Changed records that stayed with their child although nothing else of the child
    # still matches them well (a person may want to split them off).
    weakly_held: list[int] = field(default_factory=list)

    @property
    def linked(self) -> int:
        return sum(1 for a in self.assignments if a.method in (METHOD_MODEL, METHOD_NHS))


class _Clusters:
    """Union-find over new records (positive ids) and existing children (negative ids)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.child: dict[int, int | None] = {}
        self.nhs: dict[int, frozenset[str]] = {}

    def add(self, node: int, child: int | None, nhs: frozenset[str]) -> None:
        if node not in self.parent:
            self.parent[node] = node
            self.child[node] = child
            self.nhs[node] = nhs

    def find(self, node: int) -> int:
        parent = self.parent
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def compatible(self, a: int, b: int) -> bool:
        child_a, child_b = self.child[a], self.child[b]
        if child_a is not None and child_b is not None and child_a != child_b:
            return False
        return nhs_compatible(self.nhs[a], self.nhs[b])

    def union(self, a: int, b: int) -> int:
        # The smaller id becomes the root, so that the result does not depend on order.
        keep, other = (a, b) if a < b else (b, a)
        self.parent[other] = keep
        self.child[keep] = self.child[keep] if self.child[keep] is not None else self.child[other]
        self.nhs[keep] = self.nhs[keep] | self.nhs[other]
        return keep

    def roots(self) -> dict[int, int]:
        return {node: self.find(node) for node in self.parent}


def nhs_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether joining brings a second valid NHS number into a child: never allowed."""
    return not a or not b or (a == b and len(a) == 1)


def _column(table: pa.Table, name: str) -> list[Any]:
    return table.column(name).to_pylist()


def decide(
    new: pa.Table,
    index: pa.Table | None,
    scored: Scored,
    settings: Mapping[str, Any],
    *,
    upper: float,
    lower: float,
    rejected: Iterable[tuple[int, int]] = (),
    pending: Iterable[tuple[int, int]] = (),
    held: Iterable[int] = (),
) -> Decisions:
    """Turn scored pairs into where each new record goes and which pairs a person sees.

    `held` are records never linked automatically (typed by hand): every pair they are
    part of is for a person, whatever its probability or a shared NHS number.
    """
    # A million records make millions of small objects and nothing cyclic: the cyclic
    # collector would only walk them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _decide(
            new,
            index,
            scored,
            settings,
            upper=upper,
            lower=lower,
            rejected=rejected,
            pending=pending,
            held=frozenset(held),
        )
    finally:
        if collecting:
            gc.enable()


def _decide(
    new: pa.Table,
    index: pa.Table | None,
    scored: Scored,
    settings: Mapping[str, Any],
    *,
    upper: float,
    lower: float,
    rejected: Iterable[tuple[int, int]],
    pending: Iterable[tuple[int, int]],
    held: frozenset[int] = frozenset(),
) -> Decisions:
    new_ids = sorted(_column(new, "unique_id"))
    new_nhs = dict(zip(_column(new, "unique_id"), _column(new, "nhs_number"), strict=True))
    current = dict(zip(_column(new, "unique_id"), _column(new, "child_id"), strict=True))
    child_of: dict[int, int] = {}
    child_nhs: dict[int, set[str]] = {}
    if index is not None and index.num_rows:
        for uid, child, nhs in zip(
            _column(index, "unique_id"),
            _column(index, "child_id"),
            _column(index, "nhs_number"),
            strict=True,
        ):
            child_of[uid] = child
            if nhs:
                child_nhs.setdefault(child, set()).add(nhs)
    never = {(min(a, b), max(a, b)) for a, b in rejected}
    queued = {(min(a, b), max(a, b)) for a, b in pending}

    clusters = _Clusters()

    def child_node(child: int) -> int:
        clusters.add(-child, child, frozenset(child_nhs.get(child, ())))
        return -child

    decisions = Decisions(pairs_scored=scored.pairs_scored)
    # A changed record starts in its own child, unless it now holds an NHS number that
    # another record of the child contradicts: then it is linked afresh.
    empty: frozenset[str] = frozenset()
    for uid in new_ids:
        nhs = new_nhs[uid]
        clusters.add(uid, None, frozenset((nhs,)) if nhs else empty)
        held_by = current[uid]
        if held_by is not None:
            node = child_node(held_by)
            if clusters.compatible(clusters.find(uid), clusters.find(node)):
                clusters.union(clusters.find(uid), clusters.find(node))
            else:
                decisions.detached.append(uid)

    def node_of(uid: int, indexed: bool) -> int:
        return child_node(child_of[uid]) if indexed else uid

    edges = [
        edge
        for edge in scored.edges
        if not never or (min(edge[2], edge[3]), max(edge[2], edge[3])) not in never
    ]
    # A pair with a record typed by hand is never strong: it is a person's to decide.
    strong = [
        edge
        for edge in edges
        if (edge[0] >= upper or edge[5]) and not (held and (edge[2] in held or edge[3] in held))
    ]

    # Strong pairs join clusters, most probable first, while the rules allow.
    for _p, _w, record, other, indexed, _by_nhs, guarded, _weights in strong:
        if guarded:
            continue
        a, b = clusters.find(record), clusters.find(node_of(other, indexed))
        if a != b and clusters.compatible(a, b):
            clusters.union(a, b)
    root = clusters.roots()

    # Each new record's evidence: its most probable strong pair inside its cluster.
    best: dict[int, tuple[float, bool]] = {}
    for chance, _w, record, other, indexed, by_nhs, guarded, _weights in strong:
        if guarded or root[record] != root[-child_of[other] if indexed else other]:
            continue
        for uid in (record,) if indexed else (record, other):
            if uid not in best or (chance, by_nhs) > best[uid]:
                best[uid] = (chance, by_nhs)

    # New children: one per cluster without a child, numbered by its smallest record.
    group_of_root: dict[int, int] = {}
    founders: set[int] = set()
    for uid in new_ids:
        top = root[uid]
        if clusters.child[top] is None and top not in group_of_root:
            group_of_root[top] = len(group_of_root)
            founders.add(uid)
    decisions.new_groups = len(group_of_root)

    detached = set(decisions.detached)
    assignments = decisions.assignments
    for uid in new_ids:
        top = root[uid]
        child = clusters.child[top]
        if child is not None and child == current[uid] and uid not in detached:
            assignments.append(Assignment(uid, child, None, "", None, True))
            continue
        probability: float | None = None
        method = METHOD_NEW
        if uid not in founders and uid in best:
            probability, by_nhs = best[uid]
            method = METHOD_NHS if by_nhs else METHOD_MODEL
        group = group_of_root.get(top) if child is None else None
        assignments.append(Assignment(uid, child, group, method, probability))

    # A changed record that stayed with its child: does anything of the child still
    # match it well? (Only asked when the child holds other records.)
    kept = [a.record for a in assignments if a.kept]
    if kept:
        holding = Counter(child_of.values())
        decisions.weakly_held = [
            uid for uid in kept if holding.get(current[uid], 0) and uid not in best
        ]

    decisions.candidates = _candidates(
        edges,
        clusters,
        root,
        node_of,
        settings,
        upper=upper,
        lower=lower,
        queued=queued,
        changed={uid for uid in new_ids if current[uid] is not None and uid not in detached},
    )
    return decisions


def _candidates(
    edges: Sequence[Edge],
    clusters: _Clusters,
    root: dict[int, int],
    node_of: Callable[[int, bool], int],
    settings: Mapping[str, Any],
    *,
    upper: float,
    lower: float,
    queued: set[tuple[int, int]],
    changed: set[int],
) -> list[Candidate]:
    """The pairs a person should see: the best one between each two clusters.

    Only pairs that touch a cluster the model did not attach to an existing child (or a
    changed record), unless the pair is strong: a strong pair between two existing
    children is a merge the model may not make itself, and a strong pair it was kept from
    linking (twins) is for a person too.
    """
    by_level = levels(settings)
    fields = comparison_fields(settings)
    seen: set[tuple[int, int]] = set()
    found: list[Candidate] = []
    for probability, weight, record, other, indexed, _by_nhs, _guarded, weights in edges:
        if probability < lower:
            break
        a = root[record]
        b = clusters.find(node_of(other, indexed)) if indexed else root[other]
        if a == b or not nhs_compatible(clusters.nhs[a], clusters.nhs[b]):
            continue
        if not (clusters.child[a] is None or record in changed or probability >= upper):
            continue
        key = (a, b) if a < b else (b, a)
        if key in seen:
            continue
        seen.add(key)
        if (min(record, other), max(record, other)) in queued:
            continue
        parts = [
            (name, part) for name, part in zip(fields, weights, strict=False) if part is not None
        ]
        detail: list[dict[str, Any]] = [
            {
                "field": name,
                "level": level_for(by_level, name, part).label,
                "weight": round(part, 2),
            }
            for name, part in parts
        ]
        found.append(
            Candidate(
                record=record,
                candidate=other,
                match_probability=probability,
                match_weight=weight if math.isfinite(weight) else sum(p for _n, p in parts),
                comparisons=detail,
            )
        )
    return found


# --- All of it ------------------------------------------------------------------------


def for_records(settings: Mapping[str, Any], trained_on: int, records: int) -> dict[str, Any]:
    """The model as one run uses it: the prior scaled to the records, today's blocking.

    Two random records are the same child about (records per child − 1) / records of the
    time: the rate falls as the index grows. So for more records than the model was
    trained on, the rate is scaled down in proportion, which keeps a threshold meaning the
    same for a region's million records. It is never scaled up: a partnership's first
    small import comes from few agencies and holds fewer duplicates than the ratio says,
    and a rate too high would link children who are not the same. The blocking rules are
    the code's, not the stored model's: they decide cost, not evidence.
    """
    adjusted = dict(settings)
    adjusted["blocking_rules_to_generate_predictions"] = list(BLOCKING_RULES)
    if trained_on > 0 and records > trained_on:
        rate = float(settings["probability_two_random_records_match"]) * trained_on / records
        adjusted["probability_two_random_records_match"] = max(rate, 1e-12)
    return adjusted


def link_tables(
    new: pa.Table,
    index: pa.Table | None,
    settings: Mapping[str, Any],
    *,
    upper: float,
    lower: float,
    trained_on: int = 0,
    rejected: Iterable[tuple[int, int]] = (),
    pending: Iterable[tuple[int, int]] = (),
    held: Iterable[int] = (),
    progress: Progress | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Decisions:
    """Score and decide: what a run of `safeguarding link` does between reading and writing."""
    if not new.num_rows:
        return Decisions()
    records = new.num_rows + (index.num_rows if index is not None else 0)
    settings = for_records(settings, trained_on, records)
    scored = score(
        new,
        index,
        settings,
        lower=lower,
        progress=progress,
        memory_limit=memory_limit,
        threads=threads,
    )
    if progress:
        progress("deciding", 0, 1)
    decisions = decide(
        new,
        index,
        scored,
        settings,
        upper=upper,
        lower=lower,
        rejected=rejected,
        pending=pending,
        held=held,
    )
    if progress:
        progress("deciding", 1, 1)
    return decisions


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
    con = _connection(None, threads)
    steps = 3 if label_column else 2 + len(TRAINING_RULES)
    try:
        con.register("training_arrow", table)
        _run(con, "CREATE TABLE training_records AS SELECT * FROM training_arrow")
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
