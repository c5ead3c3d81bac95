"""Jobs, the nightly refresh and the automation that keeps the marts and the published copy
following every load.

Nightly: the ledger, the Federal Register documents and the release list (02:00 UTC), each
newly listed HTS release (a sensor), the latest Census months (03:00 UTC; Census revises recent
months and each fetch becomes a new vintage). The schedules and the release sensor ship
stopped: turn them on in the UI (Automation) with TARIFF_AUDIT_SOURCE=live in the daemon's
environment; on the sample or a snapshot they only re-read the same files.
``marts_follow_loads`` ships running: whenever a load changes staging (a nightly run, a
backfill, a UI launch), the marts downstream of it are rebuilt and then the published copy
(declarative automation, ``AutomationCondition.eager()``).
"""

import dagster as dg

from pipelines.defs.trade.partitions import monthly_partitions

REVISED_MONTHS = 3  # Census revises the latest months; the annual revision is a manual backfill
LIVE = ("Needs TARIFF_AUDIT_SOURCE=live in the daemon's environment to fetch anything new; on "
        "the sample or a snapshot it re-reads the same files.")
MARTS = dg.AssetSelection.key_prefixes(["marts"])
PUBLISHED = dg.AssetSelection.groups("published")

reference_job = dg.define_asset_job(
    "reference_refresh",
    selection=dg.AssetSelection.groups("legal") | dg.AssetSelection.keys(["raw", "hts_releases"]),
    description="The ledger tables (pipelines/ledger/*.yaml), the Federal Register documents "
                "behind them and the HTS release list, which registers the releases of the "
                "current source as partitions (and drops those it no longer lists).",
)
schedule_job = dg.define_asset_job(
    "new_release_load",
    selection=dg.AssetSelection.keys(["raw", "hts_records"], ["staging", "hts_lines"],
                                     ["staging", "hts_chapter99"]),
    description="Load HTS releases (partitions: one or a range of releases, one step): raw "
                "records, lines with parsed column-1 rates, Chapter 99 headings.",
)
census_job = dg.define_asset_job(
    "census_refresh",
    selection=dg.AssetSelection.groups("trade") - MARTS,
    partitions_def=monthly_partitions,
    description="Census imports and exports for a range of months (one run, one step each); "
                "a month without an exports answer loads its imports and says so.",
)
indicators_job = dg.define_asset_job(
    "indicators_refresh",
    selection=MARTS | PUBLISHED | dg.AssetSelection.groups("report"),
    description="Every mart, rebuilt from staging, then the audit report and the published "
                "copy analysts query.",
)
publish_job = dg.define_asset_job(
    "publish_refresh",
    selection=PUBLISHED,
    description="Write the published copy (data/published/warehouse.duckdb and Parquet) from "
                "the warehouse as it is.",
)
JOBS = [reference_job, schedule_job, census_job, indicators_job, publish_job]


@dg.schedule(job=reference_job, cron_schedule="0 2 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.STOPPED,
             description="02:00 UTC: the ledger and the HTS release list (new releases become "
                         "partitions, which new_hts_releases then loads). " + LIVE)
def nightly_reference(context: dg.ScheduleEvaluationContext):
    return dg.RunRequest(run_key=f"reference-{context.scheduled_execution_time:%Y-%m-%d}")


@dg.sensor(job=schedule_job, minimum_interval_seconds=600,
           default_status=dg.DefaultSensorStatus.STOPPED,
           description="Every 10 minutes: a run for each HTS release partition never loaded "
                       "(registered by the release list). " + LIVE)
def new_hts_releases(context: dg.SensorEvaluationContext):
    releases = context.instance.get_dynamic_partitions("hts_release")
    loaded = context.instance.get_materialized_partitions(dg.AssetKey(["raw", "hts_records"]))
    for release in releases:
        if release not in loaded:
            yield dg.RunRequest(run_key=f"release-{release}", partition_key=release)


@dg.schedule(job=census_job, cron_schedule="0 3 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.STOPPED,
             description=f"03:00 UTC: the latest {REVISED_MONTHS} months Census can have, in one "
                         "run (each fetch is a new vintage; the marts and the published copy "
                         "follow automatically). " + LIVE)
def nightly_census(context: dg.ScheduleEvaluationContext):
    keys = monthly_partitions.get_partition_keys(
        current_time=context.scheduled_execution_time)[-REVISED_MONTHS:]
    if not keys:
        return dg.SkipReason("the source has no Census month yet")
    return dg.RunRequest(
        run_key=f"census-{context.scheduled_execution_time:%Y-%m-%d}",
        tags={"dagster/asset_partition_range_start": keys[0],
              "dagster/asset_partition_range_end": keys[-1]})


marts_follow_loads = dg.AutomationConditionSensorDefinition(
    "marts_follow_loads",
    target=MARTS | PUBLISHED,
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Rebuilds each mart when a table it reads is loaded (Census months, HTS "
                "releases, the ledger), then the published copy, so every load ends with fresh "
                "marts and a new copy for analysts. Evaluated by the daemon (make dev); runs "
                "launched from the CLI do this themselves.",
)

SCHEDULES = [nightly_reference, nightly_census]
SENSORS = [new_hts_releases, marts_follow_loads]


def follow_upstream(spec: dg.AssetSpec) -> dg.AssetSpec:
    """Marts are rebuilt whenever a table they read is updated (and nothing they read is
    missing or being written)."""
    if spec.key.path[0] != "marts":
        return spec
    return spec.replace_attributes(automation_condition=dg.AutomationCondition.eager())
