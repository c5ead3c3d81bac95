"""The nightly schedules and the release sensor evaluate to the runs they promise."""

from datetime import UTC, datetime

import dagster as dg

from pipelines.definitions import defs
from pipelines.defs import automation


def test_definitions_carry_the_jobs_schedules_and_sensor():
    dg.Definitions.validate_loadable(defs)
    names = {s.name for s in defs.schedules}
    assert names == {"nightly_reference", "nightly_census", "nightly_indicators",
                     "nightly_japan_stats"}
    assert {s.name for s in defs.sensors} == {"new_hts_releases"}


def test_nightly_census_requests_the_latest_three_months_in_one_run():
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 25, 3, tzinfo=UTC))
    request = automation.nightly_census(context)
    assert request.tags["dagster/asset_partition_range_start"] == "2026-08-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-10-01"


def test_release_sensor_asks_only_for_releases_never_loaded():
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("hts_release", ["2025HTSBasic", "2025HTSRev23"])
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=["raw", "hts_records"], partition="2025HTSBasic"))
    context = dg.build_sensor_context(instance=instance)
    requests = list(automation.new_hts_releases(context))
    assert [r.partition_key for r in requests] == ["2025HTSRev23"]
