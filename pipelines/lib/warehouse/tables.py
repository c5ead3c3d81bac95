"""The warehouse's schemas and tables: created from their DDL, rebuilt when derived and built by
another version of the code, counted."""

from __future__ import annotations

from functools import cache

import duckdb

from pipelines.lib.paths import warehouse_path
from pipelines.lib.warehouse.execute import run, scalar
from pipelines.lib.warehouse.sql_files import statement

SCHEMAS = ("raw", "staging", "marts", "quarantine", "meta")


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        run(con, f"CREATE SCHEMA IF NOT EXISTS {schema}")


# Tables whose every row is recomputed from other tables: a table of these schemas whose
# columns no longer match its DDL (the code moved on) is dropped and created again.
DERIVED_SCHEMAS = ("marts", "meta")


class SchemaChanged(RuntimeError):
    """A warehouse table was built by another version of the code and holds rows that cannot
    be recomputed in place."""


def ensure_table(con: duckdb.DuckDBPyConnection, name: str, derived: bool = False) -> None:
    """Create the table(s) of ``name`` (``schema/table``) from its ``ddl`` statement if they do
    not exist.

    A table built by an older version (its columns differ from the DDL) is created again when
    its rows are derived (``derived``: the caller replaces every row, or its schema is one of
    ``DERIVED_SCHEMAS``; an incremental mart's bookkeeping is cleared so every month is
    recomputed); otherwise :class:`SchemaChanged` says which columns differ and what to do."""
    ensure_schemas(con)
    for (schema, table), wanted in ddl_columns(name).items():
        found = tuple(run(con, "SELECT column_name, data_type FROM duckdb_columns() WHERE "
                               "schema_name = $s AND table_name = $t ORDER BY column_index",
                          {"s": schema, "t": table}))
        if not found or found == wanted:
            continue
        if not (derived or schema in DERIVED_SCHEMAS):
            raise SchemaChanged(_schema_message(name, f"{schema}.{table}", dict(wanted),
                                                dict(found)))
        run(con, f'DROP TABLE "{schema}"."{table}"')
        if (schema, table) != ("meta", "mart_inputs") and table_exists(con, "meta.mart_inputs"):
            run(con, "DELETE FROM meta.mart_inputs WHERE mart = $m", {"m": f"{schema}.{table}"})
    run(con, statement(name, "ddl"))


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``table`` (``schema.name``) exists in the connection's catalogs."""
    schema, name = table.split(".")
    return run(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = $s AND "
                    "table_name = $t", {"s": schema, "t": name})[0][0] > 0


@cache
def ddl_columns(name: str) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """(schema, table) -> its (column, type)s, for every table the ``ddl`` statement of
    ``name`` creates (run in a scratch in-memory database)."""
    with duckdb.connect() as scratch:
        ensure_schemas(scratch)
        run(scratch, statement(name, "ddl"))
        columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, kind in run(
                scratch, "SELECT schema_name, table_name, column_name, data_type FROM "
                         "duckdb_columns() WHERE NOT internal AND schema_name IN "
                         "(SELECT unnest($s)) ORDER BY schema_name, table_name, column_index",
                {"s": list(SCHEMAS)}):
            columns.setdefault((schema, table), []).append((column, kind))
        return {key: tuple(cols) for key, cols in columns.items()}


def _schema_message(name: str, table: str, wanted: dict, have: dict) -> str:
    parts = [f"{label}: {', '.join(cols)}" for label, cols in (
        ("missing", [c for c in wanted if c not in have]),
        ("no longer used", [c for c in have if c not in wanted]),
        ("type changed", [f"{c} {have[c]} -> {wanted[c]}" for c in wanted
                          if c in have and have[c] != wanted[c]]),
        ("order changed", ["yes"] if wanted == have and list(wanted) != list(have) else []))
        if cols]
    return (f"warehouse {warehouse_path()}: {table} was built by another version of Tariff "
            f"Audit and its columns differ from sql/{name}.sql ({'; '.join(parts)}); its rows "
            "cannot be recomputed in place. Move the warehouse file aside and run `make run` "
            "to build it again from the source (or set TARIFF_AUDIT_DATA to start a new one).")


def database_path(con: duckdb.DuckDBPyConnection) -> str:
    return scalar(con, "SELECT coalesce(path, database_name) FROM duckdb_databases() "
                       "WHERE database_name = current_database()")


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table of the warehouse schemas, sorted."""
    rows = run(
        con,
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE schema_name IN (SELECT unnest($s)) ORDER BY 1, 2",
        {"s": list(SCHEMAS)},
    )
    return [(s, t, scalar(con, f'SELECT count(*) FROM "{s}"."{t}"')) for s, t in rows]
