"""Running SQL on a DuckDB connection: every result fetched to the end, DuckDB's out-of-memory
error made a clear one."""

from __future__ import annotations

import duckdb


class OutOfMemory(MemoryError):
    """DuckDB reached its memory limit. Not a ``duckdb.Error``: a reader that refuses a file
    DuckDB cannot parse (``except duckdb.Error``) must not blame the file for it."""


def run(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> list:
    """Execute ``sql`` and fetch its result to the end (duckdb 2 refuses further work on a
    connection with an unfinished result). DuckDB's out-of-memory error becomes
    :class:`OutOfMemory`, naming the limit and the setting that raises it."""
    try:
        return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    except duckdb.OutOfMemoryException as exc:
        raise OutOfMemory(_out_of_memory(con, exc)) from None


def _out_of_memory(con: duckdb.DuckDBPyConnection, exc: Exception) -> str:
    try:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    except duckdb.Error:
        limit = "unknown"
    return (f"DuckDB ran out of memory (its limit is {limit}): raise TARIFF_AUDIT_DUCKDB_MEMORY "
            "(default 2GB; e.g. 4GB, below the machine's free memory) or free memory, then run "
            f"again; the data read is not at fault ({str(exc).splitlines()[0]})")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None):
    """The first value of the first row of ``sql``'s result."""
    return run(con, sql, params)[0][0]
