"""Nightly refresh of Japan's statistics and the exchange rate (04:00 UTC, after the Census
load; the marts that read them and the published copy follow by ``marts_follow_loads``): Japan
publishes a month's provisional figures and the previous month's confirmed ones together, FRED
adds each day's quote."""

import dagster as dg

from pipelines.defs.automation import LIVE

japan_stats_job = dg.define_asset_job(
    "japan_stats_refresh",
    selection=dg.AssetSelection.groups("japan_stats"),
    description="Japan's trade statistics (every release of the snapshot) and the exchange "
                "rates, in one run.",
)


@dg.schedule(job=japan_stats_job, cron_schedule="0 4 * * *", execution_timezone="UTC",
             default_status=dg.DefaultScheduleStatus.STOPPED,
             description="04:00 UTC: Japan's trade statistics and the exchange rates, in one run "
                         "(the mirror-trade and minerals marts and the published copy follow "
                         "automatically). " + LIVE)
def nightly_japan_stats(context: dg.ScheduleEvaluationContext):
    """04:00 UTC: Japan's statistics and the exchange rates."""
    return dg.RunRequest(run_key=f"japan-stats-{context.scheduled_execution_time:%Y-%m-%d}")
