"""Census months as partitions, from January 2024 (the baseline year) to the last month the
configured source can have, so the UI never offers a month whose load must fail:

- sample: the scenario's last month (``pipelines/sample/scenario.yaml``);
- a snapshot directory: the last month under ``census/imports_hs/``;
- live: two months before the current one (Census publishes a month about five weeks after it
  ends; the documented two-month lag), moving with the clock.
"""

from datetime import date
from pathlib import Path

import dagster as dg
import yaml

from pipelines.lib.sources import snapshot

START = "2024-01-01"
SCENARIO = Path(__file__).resolve().parents[2] / "sample" / "scenario.yaml"
LIVE_LAG_MONTHS = 2


def last_month(mode: snapshot.SourceMode) -> str | None:
    """``YYYY-MM`` of the source's last month; ``None`` in live mode (it follows the clock)."""
    if mode.is_live:
        return None
    if mode.kind == "sample":
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when available
        with SCENARIO.open(encoding="utf-8") as handle:
            return str(yaml.load(handle, Loader=loader)["last_month"])  # noqa: S506
    months = snapshot.census_months(mode.root, "imports_hs")
    return months[-1] if months else START[:7]


def monthly_partitions_for(mode: snapshot.SourceMode) -> dg.MonthlyPartitionsDefinition:
    last = last_month(mode)
    if last is None:
        # end_offset=0 ends at the last complete month; each step back is one more month of lag
        return dg.MonthlyPartitionsDefinition(start_date=START,
                                              end_offset=1 - LIVE_LAG_MONTHS)
    year, month = map(int, last.split("-"))
    end = date(year + month // 12, month % 12 + 1, 1)  # exclusive: the month after the last
    return dg.MonthlyPartitionsDefinition(start_date=START, end_date=end.isoformat())


def _current_mode() -> snapshot.SourceMode:
    try:
        return snapshot.source_mode()
    except snapshot.SnapshotError:  # a bad TARIFF_AUDIT_SOURCE is reported by the first step
        return snapshot.source_mode("sample")


monthly_partitions = monthly_partitions_for(_current_mode())


def period(partition_key: str) -> str:
    """``2025-09-01`` → ``2025-09``."""
    return partition_key[:7]
