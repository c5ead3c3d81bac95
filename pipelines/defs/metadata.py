"""What every asset reports: row count, a markdown preview, the column schema and the source
mode of the warehouse it was computed in (so synthetic sample data is labelled on every
materialization).

The label is read from the warehouse itself (``raw.warehouse_source``, recorded by the first load;
one warehouse holds one source), not from the step's configuration: a mart computed from sample
rows is synthetic whatever the process that rebuilt it was configured with, and every asset that
calls :func:`table_result` is labelled without any plumbing of its own."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb

from pipelines.lib.sources import snapshot
from pipelines.lib.warehouse.execute import run

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
        "source_mode": source_label(warehouse_source(con)),
    }
    unmeasured = snapshot.not_measured(con, table)
    if unmeasured:  # a mart built without an optional source says what it lacks
        metadata["not_measured"] = dg.MetadataValue.text(
            "; ".join(s.warning() for s in unmeasured))
    metadata.update(extra or {})
    return dg.MaterializeResult(metadata=metadata, check_results=check_results or [])


def missing_source(context, root: Path, key: str) -> snapshot.Source | None:
    """The optional source ``key`` when the snapshot has none of its files: a warning on the
    run naming it and what is then not measured (its tables stay as they are)."""
    source = snapshot.absent(root, key)
    if source is not None:
        context.log.warning(f"{source.warning()}; its tables {', '.join(source.tables)} stay "
                            "as they were")
    return source


def missing_metadata(source: snapshot.Source | None) -> dict:
    """The ``missing_source`` metadata of the tables of an absent source (none when present)."""
    return {} if source is None else {"missing_source": dg.MetadataValue.text(source.warning())}


def warehouse_source(con: duckdb.DuckDBPyConnection,
                     configured: snapshot.SourceMode | None = None) -> snapshot.SourceMode | None:
    """The source the warehouse was built from (``raw.warehouse_source``, recorded by the first
    load); for a warehouse without that record, ``configured`` (the step's source resource, when
    it has one) or ``TARIFF_AUDIT_SOURCE``; ``None`` when that is unusable (the steps that read
    the source report it)."""
    found = run(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'raw' "
                     "AND table_name = 'warehouse_source'")[0][0]
    rows = run(con, "SELECT kind, root FROM raw.warehouse_source") if found else []
    if rows:
        kind, root = rows[0]
        if kind == "sample":
            return snapshot.source_mode("sample")
        return snapshot.SourceMode(kind, Path(root))
    if configured is not None:
        return configured
    try:
        return snapshot.source_mode()
    except snapshot.SnapshotError:
        return None


def source_label(mode: snapshot.SourceMode | None) -> dg.MetadataValue:
    """``sample (SYNTHETIC: ...)``, ``live`` or ``snapshot <dir>``, for the ``source_mode``
    metadata of every materialization."""
    if mode is None:
        return dg.MetadataValue.text("unknown (TARIFF_AUDIT_SOURCE is not usable)")
    label = "sample" if mode.kind == "sample" else "live" if mode.is_live else \
        f"snapshot {mode.root}"
    if mode.synthetic:
        label += " (SYNTHETIC: invented figures, never cite them)"
    return dg.MetadataValue.text(label)


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
