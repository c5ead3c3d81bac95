"""How numbers and dates read in the report (one place, so tables, charts and text agree)."""

from __future__ import annotations

import math
from datetime import date, datetime

DASH = "–"


def missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def pct(value, digits: int = 1) -> str:
    """0.1269 → ``12.7%``."""
    return DASH if missing(value) else f"{float(value) * 100:.{digits}f}%"


def usd(value) -> str:
    """Dollars in the unit that keeps three significant figures: $950, $2.0 m, $8.88 bn."""
    if missing(value):
        return DASH
    v = float(value)
    sign, v = ("−" if v < 0 else ""), abs(v)
    if v >= 1e9:
        return f"{sign}${v / 1e9:,.2f} bn"
    if v >= 1e6:
        return f"{sign}${v / 1e6:,.1f} m"
    if v >= 1e3:
        return f"{sign}${v / 1e3:,.0f} k"
    return f"{sign}${v:,.0f}"


def number(value, digits: int = 0) -> str:
    return DASH if missing(value) else f"{float(value):,.{digits}f}"


def month(value) -> str:
    """A period (first day of a month) → ``Sep 2026``."""
    return DASH if missing(value) else f"{value:%b %Y}"


def day(value) -> str:
    if missing(value):
        return DASH
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def quantity(value, unit: str | None) -> str:
    """A value in its unit: USD as dollars, shares as percent, the rest as numbers."""
    if missing(value):
        return DASH
    unit = (unit or "").strip()
    low = unit.lower()
    if low in ("usd", "$", "dollars"):
        return usd(value)
    if low in ("share", "ratio", "percent", "%"):
        return pct(value)
    digits = 0 if abs(float(value)) >= 100 else 2
    return f"{number(value, digits)} {unit}".strip()
