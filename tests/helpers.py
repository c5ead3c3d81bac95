"""Helpers shared by the tests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]


def table_checksums(path) -> dict[str, tuple[int, int]]:
    """(row count, order-independent hash of all rows) for every table of the warehouse."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE NOT temporary ORDER BY 1").fetchall()
        return {t: con.execute(f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM {t} x").fetchone()
                for (t,) in tables}


@contextmanager
def raw_census_imports(path):
    """A DuckDB file at ``path`` holding an empty ``raw.census_imports`` (its DDL, without the
    comments), for the contracts on Census answers."""
    ddl = ((ROOT / "sql/raw/census_imports.sql").read_text().split("-- name:")[1]
           .split("\n", 1)[1].split(";")[0])
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(ddl)
        yield con
