"""The single entry point of the Dagster code location: assets, jobs, schedules, resources."""

from __future__ import annotations

import dagster as dg

from pipelines.defs import automation, bookkeeping  # noqa: F401  (SQLite without fsync per event)
from pipelines.defs.audit import assets as audit_assets
from pipelines.defs.commitments import assets as commitment_assets
from pipelines.defs.japan_stats import assets as japan_stats_assets
from pipelines.defs.japan_stats import automation as japan_stats_automation
from pipelines.defs.legal import assets as legal_assets
from pipelines.defs.legal import federal_register
from pipelines.defs.marts.factory import mart_assets
from pipelines.defs.minerals import assets as minerals_assets
from pipelines.defs.publish.assets import build_publish_asset
from pipelines.defs.recovery import warehouse_run_recovery
from pipelines.defs.report import assets as report_assets
from pipelines.defs.resources import source_resource, warehouse_resource
from pipelines.defs.tariff_schedule import assets as schedule_assets
from pipelines.defs.trade import assets as trade_assets

# The marts are made from their SQL files (pipelines/defs/marts/factory.py); the modules hold
# the loads and the marts' builders.
domain_assets = dg.map_asset_specs(automation.follow_upstream, [
    *dg.load_assets_from_modules(
        [schedule_assets, trade_assets, legal_assets, audit_assets, federal_register,
         commitment_assets, japan_stats_assets, minerals_assets, report_assets]),
    *mart_assets()])
# The published copy follows every mart: built from the asset graph, so new marts need no edit.
publish_asset = build_publish_asset(
    key for asset in domain_assets for key in asset.keys)

defs = dg.Definitions(
    assets=[*domain_assets, publish_asset],
    jobs=[*automation.JOBS, japan_stats_automation.japan_stats_job],
    schedules=[*automation.SCHEDULES, japan_stats_automation.nightly_japan_stats],
    sensors=[*automation.SENSORS, warehouse_run_recovery],
    resources={"source": source_resource(), "warehouse": warehouse_resource()},
    # One DuckDB writer at a time makes parallel steps pointless; in-process steps start in
    # ~0.1 s instead of ~1.6 s for a new process per step.
    executor=dg.in_process_executor,
)
