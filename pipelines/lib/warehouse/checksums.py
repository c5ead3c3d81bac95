"""Checksums of every table of a warehouse, and which tables a run changed."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.lib.warehouse.execute import run


def table_checksums(con: duckdb.DuckDBPyConnection, without: dict[str, list[str]] | None = None
                    ) -> dict[str, tuple[int, int]]:
    """(row count, order-independent hash of every row) of every table of the warehouse;
    ``without`` leaves columns out of a table's hash (e.g. a clock time)."""
    tables = run(con, "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
                      "WHERE NOT temporary ORDER BY 1")
    without = without or {}
    out = {}
    for (t,) in tables:
        rows = (f"(SELECT * EXCLUDE ({', '.join(without[t])}) FROM {t})" if t in without
                else t)
        out[t] = tuple(run(con, f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM {rows} x")[0])
    return out


def file_checksums(path: str | Path | None, without: dict[str, list[str]] | None = None
                   ) -> dict[str, tuple[int, int]]:
    """:func:`table_checksums` of the warehouse file ``path`` (nothing when it does not exist)."""
    if path is None or not Path(path).exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        return table_checksums(con, without)


def changed_tables(before: dict[str, tuple[int, int]],
                   after: dict[str, tuple[int, int]]) -> list[str]:
    """Each table whose rows differ, with its row counts: ``staging.x (120 -> 130 rows)``."""
    out = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table), after.get(table)
        if old == new:
            continue
        if old is None:
            out.append(f"{table} (new, {new[0]:,} rows)")
        elif new is None:
            out.append(f"{table} (dropped, had {old[0]:,} rows)")
        else:
            out.append(f"{table} ({old[0]:,} -> {new[0]:,} rows)" if old[0] != new[0]
                       else f"{table} ({new[0]:,} rows, values changed)")
    return out
