"""The single entry point of the Dagster code location: every definition of ``pipelines/defs/``
discovered (dg's project layout, ``[tool.dg]`` in pyproject.toml) and every mart made from its
SQL file (``pipelines/defs/marts/factory.py``), then what needs all of them: the marts'
automation, the published copy over every asset, the resources and the executor."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.defs import automation, bookkeeping  # noqa: F401  (SQLite without fsync per event)
from pipelines.defs.marts.factory import mart_assets
from pipelines.defs.publish.assets import build_publish_asset
from pipelines.defs.resources import source_resource, warehouse_resource


def _definitions() -> dg.Definitions:
    discovered = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
    # An asset a module imports from another would be listed once per module: kept once, since
    # mapping the specs copies each listing.
    found = list({id(a): a for a in [*(discovered.assets or []), *mart_assets()]}.values())
    domain_assets = dg.map_asset_specs(automation.follow_upstream, found)
    # The published copy follows every mart: built from the asset graph, so new marts need no
    # edit.
    publish_asset = build_publish_asset(key for asset in domain_assets for key in asset.keys)
    return dg.Definitions.merge(
        dg.Definitions(
            assets=[*domain_assets, publish_asset], asset_checks=discovered.asset_checks,
            jobs=discovered.jobs, schedules=discovered.schedules, sensors=discovered.sensors,
            resources=discovered.resources, executor=discovered.executor,
            loggers=discovered.loggers, metadata=discovered.metadata,
            component_tree=discovered.component_tree),
        dg.Definitions(
            resources={"source": source_resource(), "warehouse": warehouse_resource()},
            # One DuckDB writer at a time makes parallel steps pointless; in-process steps
            # start in ~0.1 s instead of ~1.6 s for a new process per step.
            executor=dg.in_process_executor,
        ),
    )


defs = _definitions()
