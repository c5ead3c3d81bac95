"""The sample's exchange rate: yen per dollar in FRED's DEXJPUS CSV layout (SYNTHETIC).

``fx/<SERIES>.csv``: ``observation_date,<SERIES>``, one line per weekday from ``first_day`` to
the scenario's last month, ``.`` on U.S. holidays (New Year, Independence Day, Thanksgiving,
Christmas, and the third Monday of January and February).
"""

from __future__ import annotations

import datetime as dt

import numpy as np


def _holidays(year: int) -> set[dt.date]:
    def nth_weekday(month: int, weekday: int, n: int) -> dt.date:
        day = dt.date(year, month, 1)
        day += dt.timedelta(days=(weekday - day.weekday()) % 7)
        return day + dt.timedelta(weeks=n - 1)

    return {dt.date(year, 1, 1), dt.date(year, 7, 4), dt.date(year, 12, 25),
            nth_weekday(1, 0, 3), nth_weekday(2, 0, 3), nth_weekday(11, 3, 4)}


def rate_path(scenario: dict) -> tuple[list[dt.date], np.ndarray, set[dt.date]]:
    """Every weekday, its rate, and the holidays (no quote)."""
    spec = scenario["fx"]
    first = dt.date.fromisoformat(str(spec["first_day"]))
    year, month = (int(x) for x in scenario["last_month"].split("-"))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    anchors = sorted((dt.date.fromisoformat(f"{m}-15").toordinal(), float(v))
                     for m, v in spec["anchors"].items())
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    days = [d for d in days if d.weekday() < 5]
    base = np.interp([d.toordinal() for d in days], [a for a, _ in anchors],
                     [v for _, v in anchors])
    rng = np.random.default_rng([scenario["seed"], 20])
    noise = np.cumsum(rng.normal(0.0, spec["daily_sigma"], len(days)))
    noise -= np.convolve(noise, np.ones(21) / 21, mode="same")  # wander, not drift
    holidays = set().union(*(_holidays(y) for y in range(first.year, last.year + 1)))
    return days, base * np.exp(noise), holidays


def monthly_means(scenario: dict) -> dict[str, float]:
    """``{"YYYY-MM": mean}`` of the quoted days, as the reader will compute them."""
    days, rates, holidays = rate_path(scenario)
    sums: dict[str, list[float]] = {}
    for day, rate in zip(days, rates, strict=True):
        if day not in holidays:
            sums.setdefault(f"{day:%Y-%m}", []).append(round(float(rate), 2))
    return {m: sum(v) / len(v) for m, v in sums.items()}


def write(writer, scenario: dict) -> dict:
    days, rates, holidays = rate_path(scenario)
    series = scenario["fx"]["series"]
    lines = [f"observation_date,{series}"]
    lines += [f"{d.isoformat()},{'.' if d in holidays else f'{r:.2f}'}"
              for d, r in zip(days, rates, strict=True)]
    writer.write(f"fx/{series}.csv", ("\n".join(lines) + "\n").encode("ascii"))
    return {"fx_days": len(days)}
