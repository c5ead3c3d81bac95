"""Helpers shared by the tests."""

from __future__ import annotations

import duckdb


def table_checksums(path) -> dict[str, tuple[int, int]]:
    """(row count, order-independent hash of all rows) for every table of the warehouse."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
            "WHERE NOT temporary ORDER BY 1").fetchall()
        return {t: con.execute(f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM {t} x").fetchone()
                for (t,) in tables}
