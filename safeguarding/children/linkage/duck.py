"""The in-process DuckDB the linkage core works in, and how it reports its progress."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa

# Called with the stage's name, the work done and the work there is.
Progress = Callable[[str, int, int], None]


def connect(memory_limit: str | None, threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    if memory_limit:
        run(con, f"SET memory_limit = '{memory_limit}'")
    if threads:
        run(con, f"SET threads = {int(threads)}")
    run(con, "SET preserve_insertion_order = false")
    return con


def run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run a statement to its end (DuckDB 2 refuses new work on an unfinished result)."""
    con.execute(sql).fetchall()


def load(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    con.register(f"{name}_arrow", table)
    run(con, f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608
    con.unregister(f"{name}_arrow")
