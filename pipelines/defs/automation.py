"""Nightly refresh: the ledger, the Federal Register documents and the release list, the latest
Census months (Census revises recent months; each fetch becomes a new vintage), then the
indicators.

The schedules ship stopped: turn them on in the UI (Automation) with TARIFF_AUDIT_SOURCE=live
in the daemon's environment, or they would only re-read the snapshot.
"""

import dagster as dg

from pipelines.defs.trade.partitions import monthly_partitions

REVISED_MONTHS = 3  # Census revises the latest months; the annual revision is a manual backfill

reference_job = dg.define_asset_job(
    "reference_refresh",
    selection=dg.AssetSelection.groups("legal") | dg.AssetSelection.keys(["raw", "hts_releases"]),
    description="The ledger tables, the Federal Register documents and the HTS release list "
                "(registers new release partitions).",
)
schedule_job = dg.define_asset_job(
    "new_release_load",
    selection=dg.AssetSelection.keys(["raw", "hts_records"], ["staging", "hts_lines"],
                                     ["staging", "hts_chapter99"]),
    description="Load HTS releases (one run per new release).",
)
census_job = dg.define_asset_job(
    "census_refresh",
    selection=dg.AssetSelection.groups("trade") - dg.AssetSelection.keys(
        ["marts", "data_revisions"]),
    partitions_def=monthly_partitions,
    description="Census imports and exports for a range of months (one run, one step each).",
)
indicators_job = dg.define_asset_job(
    "indicators_refresh",
    selection=dg.AssetSelection.groups("indicators", "audit", "commitments", "report")
    | dg.AssetSelection.keys(["marts", "data_revisions"]),
    description="Every mart, rebuilt from staging, then the audit report.",
)


@dg.schedule(job=reference_job, cron_schedule="0 2 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.STOPPED)
def nightly_reference(context: dg.ScheduleEvaluationContext):
    """02:00 UTC: ledger and HTS release list."""
    return dg.RunRequest(run_key=f"reference-{context.scheduled_execution_time:%Y-%m-%d}")


@dg.sensor(job=schedule_job, minimum_interval_seconds=600,
           default_status=dg.DefaultSensorStatus.STOPPED)
def new_hts_releases(context: dg.SensorEvaluationContext):
    """A run for each release partition that has never been loaded."""
    releases = context.instance.get_dynamic_partitions("hts_release")
    loaded = context.instance.get_materialized_partitions(dg.AssetKey(["raw", "hts_records"]))
    for release in releases:
        if release not in loaded:
            yield dg.RunRequest(run_key=f"release-{release}", partition_key=release)


@dg.schedule(job=census_job, cron_schedule="0 3 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.STOPPED)
def nightly_census(context: dg.ScheduleEvaluationContext):
    """03:00 UTC: the latest months in one run (a range, loaded in one step)."""
    keys = monthly_partitions.get_partition_keys(
        current_time=context.scheduled_execution_time)[-REVISED_MONTHS:]
    return dg.RunRequest(
        run_key=f"census-{context.scheduled_execution_time:%Y-%m-%d}",
        tags={"dagster/asset_partition_range_start": keys[0],
              "dagster/asset_partition_range_end": keys[-1]})


@dg.schedule(job=indicators_job, cron_schedule="0 5 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.STOPPED)
def nightly_indicators(context: dg.ScheduleEvaluationContext):
    """05:00 UTC: every mart from what the night loaded."""
    return dg.RunRequest(run_key=f"indicators-{context.scheduled_execution_time:%Y-%m-%d}")
