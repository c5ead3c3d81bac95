"""The DuckDB warehouse: connections, SQL files and atomic partition replacement.

SQL lives in ``sql/<schema>/<table>.sql``. A file holds named statements, each introduced by a
``-- name: <statement>`` line; ``ddl`` creates the table and its comments (the data
dictionary), the others fill it. Values are bound as parameters, never formatted into SQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb

from pipelines.lib.sources.snapshot import data_dir, project_root

SCHEMAS = ("raw", "staging", "marts", "quarantine", "meta")
_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


def warehouse_path() -> Path:
    """``TARIFF_AUDIT_WAREHOUSE`` or ``data/warehouse.duckdb``."""
    return Path(os.environ.get("TARIFF_AUDIT_WAREHOUSE", data_dir() / "warehouse.duckdb"))


def sql_dir() -> Path:
    return project_root() / "sql"


@cache
def statements(name: str) -> dict[str, str]:
    """The named statements of ``sql/<name>.sql`` (``name`` like ``staging/hts_lines``)."""
    text = (sql_dir() / f"{name}.sql").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    found = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}
    if not found:
        raise ValueError(f"sql/{name}.sql has no '-- name: <statement>' sections")
    return found


def statement(name: str, which: str) -> str:
    found = statements(name)
    if which not in found:
        raise KeyError(f"sql/{name}.sql has no statement named {which!r} (has {sorted(found)})")
    return found[which]


def run(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> list:
    """Execute ``sql`` and fetch its result to the end (duckdb 2 refuses further work on a
    connection with an unfinished result)."""
    return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None):
    """The first value of the first row of ``sql``'s result."""
    return run(con, sql, params)[0][0]


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        run(con, f"CREATE SCHEMA IF NOT EXISTS {schema}")


def ensure_table(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Create ``name`` (``schema/table``) from its ``ddl`` statement if it does not exist."""
    ensure_schemas(con)
    run(con, statement(name, "ddl"))


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: any exception rolls back, so a failed step leaves tables as they were."""
    run(con, "BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        run(con, "ROLLBACK")
        raise
    run(con, "COMMIT")


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
    ensure_table(con, name)
    run(con, f"DELETE FROM {table}")
    run(con, statement(name, fill), params)
    return scalar(con, f"SELECT count(*) FROM {table}")


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table of the warehouse schemas, sorted."""
    rows = run(
        con,
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE schema_name IN (SELECT unnest($s)) ORDER BY 1, 2",
        {"s": list(SCHEMAS)},
    )
    return [(s, t, scalar(con, f'SELECT count(*) FROM "{s}"."{t}"')) for s, t in rows]
