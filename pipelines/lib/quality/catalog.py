"""Whether a table has the columns and types of its DDL, read from DuckDB's catalog.

The ``ddl`` statement of ``sql/<schema>/<file>.sql`` is the contract on a table's columns: the
suites do not restate it (no column-set, type or not-null expectation that the DDL already
says). This module compares the table as a connection sees it (``duckdb_columns()``, no row
read) with the DDL run in a scratch database, once per table and evaluation.
"""

from __future__ import annotations

from functools import cache

import duckdb

from pipelines.lib.paths import sql_dir
from pipelines.lib.quality.gx_runner import ExpectationOutcome
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.sql_files import statements
from pipelines.lib.warehouse.tables import ddl_columns

CHECK_NAME = "columns_match_ddl"
SEVERITY = "error"
DESCRIPTION = ("The table has exactly the columns and types of its DDL in sql/ (read from "
               "DuckDB's catalog); a missing, extra or retyped column means the loader and "
               "sql/ disagree.")
_LAYERS = ("raw", "staging", "marts")


@cache
def ddl_files() -> dict[str, str]:
    """``schema.table`` -> the SQL file (``schema/name``) whose ``ddl`` statement creates it."""
    found: dict[str, str] = {}
    for layer in _LAYERS:
        for path in sorted((sql_dir() / layer).glob("*.sql")):
            name = f"{layer}/{path.stem}"
            if "ddl" in statements(name):
                found.update({f"{s}.{t}": name for s, t in ddl_columns(name)})
    return found


def wanted_columns(table: str) -> dict[str, str] | None:
    """column -> DuckDB type of ``table`` as its DDL creates it; None without a DDL."""
    name = ddl_files().get(table)
    if name is None:
        return None
    return dict(ddl_columns(name)[tuple(table.split("."))])


def check_columns(con: duckdb.DuckDBPyConnection, table: str) -> ExpectationOutcome:
    """The ``columns_match_ddl`` contract of ``table`` on the catalog ``con`` sees."""
    wanted = wanted_columns(table)
    schema, name = table.split(".")
    have = dict(run(con, "SELECT column_name, data_type FROM duckdb_columns() WHERE "
                         "schema_name = $s AND table_name = $t ORDER BY column_index",
                    {"s": schema, "t": name}))
    if wanted is None:
        differences, reason = [], f"not evaluated: no DDL in sql/ creates {table}"
    elif not have:
        differences, reason = [], f"not evaluated: {table} does not exist"
    else:
        differences = ([f"missing: {c}" for c in wanted if c not in have]
                       + [f"unexpected: {c}" for c in have if c not in wanted]
                       + [f"type changed: {c} {wanted[c]} -> {have[c]}" for c in wanted
                          if c in have and have[c] != wanted[c]])
        reason = None
    return ExpectationOutcome(
        check_name=CHECK_NAME, expectation_type="ddl_columns", column=None, severity=SEVERITY,
        description=DESCRIPTION, success=reason is None and not differences,
        element_count=len(wanted or {}),
        unexpected_count=len(differences) if wanted is not None and have else None,
        unexpected_percent=None, sample=differences[:10], reason=reason)
