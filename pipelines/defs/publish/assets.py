"""The published copy analysts query (``data/published/warehouse.duckdb``), rebuilt after every
run that changes a mart."""

from collections.abc import Iterable
from pathlib import Path

import dagster as dg

from pipelines.defs.metadata import source_label, warehouse_source
from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.lib import publish as pub

GROUP = "published"
KEY = dg.AssetKey(["published", "warehouse"])


def build_publish_asset(upstream: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    """The ``published/warehouse`` asset, downstream of every staging and mart asset and of the
    listed raw tables among ``upstream`` (so a new source or mart is published without an
    edit)."""
    listed = {dg.AssetKey(t.split(".")) for t in pub.RAW}
    deps = sorted((k for k in upstream if k.path[0] in pub.GENERIC_SCHEMAS or k in listed),
                  key=lambda k: k.to_user_string())

    @dg.asset(key=KEY, deps=deps, group_name=GROUP, kinds={"duckdb", "parquet"}, pool="duckdb",
              automation_condition=dg.AutomationCondition.eager())
    def publish(context: dg.AssetExecutionContext, source: SourceResource,
                warehouse: WarehouseResource) -> dg.MaterializeResult:
        """The read-only copy analysts open (make sql, DuckDB CLI, any tool): every mart, the
        staging tables analysts need, documented views with plain column names and meta.about,
        in a format DuckDB 1.5+ reads, and Parquet copies of the marts beside it: written as a
        new version, then switched in at once (one rename)."""
        target = pub.published_path(Path(warehouse.database))
        with warehouse.get_connection() as con:
            mode = warehouse_source(con, source.mode())  # what the rows are, whoever asked
            done = pub.publish(con, target, pub.Source(mode.kind, str(mode.root), mode.synthetic))
        if done.missing:
            context.log.warning(f"not in the warehouse yet, not published: "
                                f"{', '.join(done.missing)}")
        context.log.info(f"published {len(done.tables)} tables and {len(done.views)} views to "
                         f"{done.path} ({done.bytes / 1e6:.1f} MB) in {done.seconds:.1f} s")
        return dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(done.path)),
            "parquet_dir": dg.MetadataValue.path(str(done.path.parent / "parquet")),
            "tables": dg.MetadataValue.text(", ".join(done.tables)),
            "views": dg.MetadataValue.text(", ".join(done.views)),
            "not_published": dg.MetadataValue.text(", ".join(done.missing)),
            "size_mb": dg.MetadataValue.float(round(done.bytes / 1e6, 2)),
            "storage_version": dg.MetadataValue.text(pub.STORAGE_VERSION),
            "seconds": dg.MetadataValue.float(round(done.seconds, 2)),
            "source_mode": source_label(mode),
        })

    return publish
