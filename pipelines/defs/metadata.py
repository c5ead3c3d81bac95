"""What every asset reports: row count, a markdown preview and the column schema."""

from __future__ import annotations

import dagster as dg
import duckdb

from pipelines.lib.warehouse import run

PREVIEW_ROWS = 10


def table_result(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str = "",
    params: dict | None = None,
    order_by: str = "",
    extra: dict | None = None,
    check_results: list[dg.AssetCheckResult] | None = None,
) -> dg.MaterializeResult:
    """A ``MaterializeResult`` describing ``table`` (restricted by ``where`` for a partition)."""
    schema, name = table.split(".")
    clause = f" WHERE {where}" if where else ""
    rows = run(con, f"SELECT count(*) FROM {table}{clause}", params)[0][0]
    preview = con.sql(
        f"SELECT * FROM {table}{clause} {order_by} LIMIT {PREVIEW_ROWS}", params=params
    ).pl()
    columns = run(
        con,
        "SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns() "
        "WHERE schema_name = $s AND table_name = $t ORDER BY column_index",
        {"s": schema, "t": name},
    )
    metadata = {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/table_name": f"{schema}.{name}",
        "dagster/column_schema": dg.TableSchema(
            columns=[dg.TableColumn(c, t, description=d or None) for c, t, d in columns]
        ),
        "preview": dg.MetadataValue.md(_markdown(preview)),
    }
    metadata.update(extra or {})
    return dg.MaterializeResult(metadata=metadata, check_results=check_results or [])


def _markdown(frame) -> str:
    if frame.height == 0:
        return "_no rows_"
    head = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = [
        "| " + " | ".join("" if v is None else str(v)[:60] for v in row) + " |"
        for row in frame.iter_rows()
    ]
    return "\n".join([head, rule, *body])
