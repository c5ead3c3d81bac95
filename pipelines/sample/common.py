"""Small helpers shared by the sample's source modules: dates and months."""

from __future__ import annotations

import datetime as dt
from typing import Any


def date_of(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def month_start(period: str) -> dt.date:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, 1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months(first: str, last: str) -> list[str]:
    out, day, end = [], month_start(first), month_start(last)
    while day <= end:
        out.append(f"{day.year:04d}-{day.month:02d}")
        day = next_month(day)
    return out

