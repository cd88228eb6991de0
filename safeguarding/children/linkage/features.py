"""Step 1 of the linkage core: records (identity fields as the hub stores them, RAW) into
the features the model compares (FEATURES). No database (docs/decisions/0021)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import Any

import duckdb
import pyarrow as pa

from safeguarding.children import names
from safeguarding.children.linkage import duck
from safeguarding.core import identifiers

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
    con = duck.connect(None, threads)
    try:
        con.register("raw_arrow", raw)
        duck.run(con, "CREATE TABLE raw_records AS SELECT * FROM raw_arrow")
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
