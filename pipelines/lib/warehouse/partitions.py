"""Atomic replacement: a partition (or a whole table) replaced by its fill statement inside the
caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from pipelines.lib.warehouse.execute import run, scalar
from pipelines.lib.warehouse.sql_files import statement
from pipelines.lib.warehouse.tables import ensure_table


def replace_partitions(
    con: duckdb.DuckDBPyConnection,
    name: str,
    key_column: str,
    keys: Sequence[str],
    fill: str | None = "insert",
    params: dict | None = None,
) -> int:
    """Replace the rows of ``keys`` in table ``name`` by what statement ``fill`` inserts
    (``None``: just delete them).

    Runs inside the caller's transaction; returns the table's row count for those keys.
    """
    table = name.replace("/", ".")
    ensure_table(con, name)
    run(con, f"DELETE FROM {table} WHERE {key_column}::VARCHAR IN (SELECT unnest($keys))",
        {"keys": list(keys)})
    if fill is not None:
        run(con, statement(name, fill), params)
    return scalar(
        con,
        f"SELECT count(*) FROM {table} WHERE {key_column}::VARCHAR IN (SELECT unnest($keys))",
        {"keys": list(keys)},
    )


def rebuild_table(
    con: duckdb.DuckDBPyConnection, name: str, fill: str = "insert", params: dict | None = None
) -> int:
    """Replace every row of ``name`` by what statement ``fill`` inserts (caller's transaction)."""
    table = name.replace("/", ".")
    ensure_table(con, name, derived=True)
    run(con, f"DELETE FROM {table}")
    run(con, statement(name, fill), params)
    return scalar(con, f"SELECT count(*) FROM {table}")
