"""Partitions end where the source does; schedules, sensors and jobs say what they do; the
marts and the published copy follow loads (declarative automation)."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from pipelines.definitions import defs
from pipelines.defs import automation
from pipelines.defs.trade.partitions import monthly_partitions, monthly_partitions_for
from pipelines.lib.sources.snapshot import SourceMode


def test_definitions_carry_the_jobs_schedules_and_sensors():
    dg.Definitions.validate_loadable(defs)
    assert {s.name for s in defs.schedules} == {"nightly_reference", "nightly_census",
                                                "nightly_japan_stats"}
    assert {s.name for s in defs.sensors} == {"new_hts_releases", "marts_follow_loads",
                                              "warehouse_run_recovery"}


def test_every_job_schedule_and_sensor_says_what_it_does_and_when_it_needs_live_mode():
    for job in defs.jobs:
        assert len(job.description or "") > 40, job.name
    for item in [*defs.schedules, *defs.sensors]:
        assert len(item.description or "") > 40, item.name
        if item.name not in ("marts_follow_loads", "warehouse_run_recovery"):
            assert "TARIFF_AUDIT_SOURCE=live" in item.description, item.name


def test_monthly_partitions_end_at_the_last_month_of_the_source(tmp_path):
    # the default source is the sample: its scenario ends in September 2026
    assert monthly_partitions.get_partition_keys()[-1] == "2026-09-01"
    for month in ("2024-01", "2024-02", "2024-05"):
        (tmp_path / "census" / "imports_hs" / month).mkdir(parents=True)
    snapshot = monthly_partitions_for(SourceMode("snapshot", tmp_path))
    assert snapshot.get_partition_keys()[-1] == "2024-05-01"
    live = monthly_partitions_for(SourceMode("live", Path("/nonexistent")))
    # Census publishes a month about five weeks after it ends: two months of lag
    assert live.get_partition_keys(current_time=datetime(2026, 11, 29))[-1] == "2026-09-01"
    assert live.get_partition_keys(current_time=datetime(2027, 1, 10))[-1] == "2026-11-01"


def test_nightly_census_requests_the_latest_three_months_the_source_has():
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 25, 3, tzinfo=UTC))
    request = automation.nightly_census(context)
    assert request.tags["dagster/asset_partition_range_start"] == "2026-07-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-09-01"


def test_release_sensor_asks_only_for_releases_never_loaded():
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("hts_release", ["2025HTSBasic", "2025HTSRev23"])
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=["raw", "hts_records"], partition="2025HTSBasic"))
    context = dg.build_sensor_context(instance=instance)
    requests = list(automation.new_hts_releases(context))
    assert [r.partition_key for r in requests] == ["2025HTSRev23"]


def test_a_census_load_requests_the_marts_that_read_it_and_then_the_published_copy():
    instance = dg.DagsterInstance.ephemeral()
    releases = ["2025HTSBasic", "2025HTSRev23"]
    instance.add_dynamic_partitions("hts_release", releases)
    graph = defs.resolve_asset_graph()
    months = monthly_partitions.get_partition_keys()

    def materialize(key, partitions=(None,)):
        for partition in partitions:
            instance.report_runless_asset_event(
                dg.AssetMaterialization(asset_key=key, partition=partition))

    for key in graph.toposorted_asset_keys:
        node = graph.get(key)
        if node.partitions_def is None:
            materialize(key)
        else:
            materialize(key, months if node.partitions_def == monthly_partitions else releases)
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    assert first.total_requested == 0  # everything is up to date
    materialize(dg.AssetKey(["raw", "census_imports"]), ["2026-09-01"])
    materialize(dg.AssetKey(["staging", "imports_monthly"]), ["2026-09-01"])
    after = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    requested = {k.to_user_string() for k in graph.get_all_asset_keys()
                 if after.get_num_requested(k)}
    # every mart that reads the Census imports, directly or through another mart, then the copy
    downstream = {k.to_user_string() for k in dg.AssetSelection.keys(
        ["raw", "census_imports"], ["staging", "imports_monthly"]).downstream(
        include_self=False).resolve(graph) if k.path[0] in ("marts", "published")}
    assert {"marts/effective_rates_monthly", "marts/japan_line_audit",
            "marts/deal_conformance_monthly", "marts/data_revisions",
            "published/warehouse"} <= downstream
    assert requested == downstream
