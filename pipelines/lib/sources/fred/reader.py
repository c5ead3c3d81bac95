"""Read a FRED daily series (CSV download format) and turn it into monthly means.

Format (``fredgraph.csv``): a header ``observation_date,<SERIES>`` (``DATE,<SERIES>`` in older
downloads), then ``YYYY-MM-DD,<value>`` lines; ``.`` or an empty value marks a day without a
quote (a holiday). A month's rate is the mean of its quotes; a complete month with fewer quotes
than the ledger's ``min_quotes`` is an error, never an interpolation. The month holding the
series' last day is complete only when that day is the month's last weekday; otherwise it is
still being published and is left out (it appears when complete).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceError

SOURCE = "FRED"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
DATE_HEADERS = ("observation_date", "DATE")


def parse_series(body: bytes, series: str, where: str) -> pl.DataFrame:
    """The quotes of one answer as ``(line, observation_date, value)`` (value NULL on days
    without a quote). Raises ``SourceError`` naming ``where``, the line and the field."""
    source = f"{SOURCE} {series}"
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(source, where, f"not UTF-8 text ({exc.reason})") from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise SourceError(source, where, "empty file: expected a header "
                          f"'observation_date,{series}'", field="header")
    header = [h.strip() for h in lines[0].split(",")]
    if len(header) != 2 or header[0] not in DATE_HEADERS or header[1] != series:
        raise SourceError(source, where, f"line 1: header {lines[0].strip()!r} is not "
                          f"'observation_date,{series}' (schema change or another series?)",
                          field="header")
    numbers, days, values = [], [], []
    seen: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 2:
            raise SourceError(source, where, f"line {number}: {len(parts)} fields in "
                              f"{line.strip()!r}, expected 2 (truncated or changed file?)",
                              field=header[0])
        day, value = parts
        if not _DATE.match(day):
            raise SourceError(source, where, f"line {number}: {day!r} is not a date "
                              "(YYYY-MM-DD)", field=header[0])
        try:
            date.fromisoformat(day)
        except ValueError:
            raise SourceError(source, where, f"line {number}: {day!r} is not a calendar date",
                              field=header[0]) from None
        if day in seen:
            raise SourceError(source, where, f"line {number}: {day} repeats line {seen[day]}",
                              field=header[0])
        seen[day] = number
        if value in (".", ""):
            parsed = None
        elif _NUMBER.match(value) and float(value) > 0:
            parsed = float(value)
        else:
            raise SourceError(source, where, f"line {number}: {value!r} on {day} is not a "
                              "positive number or '.'", field=series)
        numbers.append(number)
        days.append(day)
        values.append(parsed)
    if not days:
        raise SourceError(source, where, "no observations after the header", field=series)
    return pl.DataFrame({"line": numbers, "observation_date": days, "value": values},
                        schema={"line": pl.Int64, "observation_date": pl.Utf8,
                                "value": pl.Float64}).with_columns(
        pl.col("observation_date").str.to_date())


def read_series(path: Path, series: str) -> pl.DataFrame:
    """:func:`parse_series` on a snapshot file."""
    return parse_series(path.read_bytes(), series, where=str(path))


def _last_weekday(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    day = following - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def monthly_means(quotes: pl.DataFrame, series: str, currency: str, min_quotes: int,
                  first_month: date, where: str) -> pl.DataFrame:
    """``(period, currency, per_usd, days, series)`` for every complete month from
    ``first_month``; a complete month with fewer than ``min_quotes`` quotes raises."""
    last_day = quotes["observation_date"].max()
    in_progress = last_day.replace(day=1) if last_day < _last_weekday(last_day) else None
    months = (quotes.filter(pl.col("observation_date") >= first_month)
              .group_by(period=pl.col("observation_date").dt.truncate("1mo"))
              .agg(per_usd=pl.col("value").mean(), days=pl.col("value").count(),
                   first_line=pl.col("line").min())
              .sort("period"))
    if in_progress is not None:
        months = months.filter(pl.col("period") != in_progress)
    if months.height == 0:
        raise SourceError(f"{SOURCE} {series}", where, f"no complete month from "
                          f"{first_month:%Y-%m}", field=series)
    expected = pl.date_range(months["period"].min(), months["period"].max(), "1mo",
                             eager=True)
    missing = sorted(set(expected.to_list()) - set(months["period"].to_list()))
    if missing:
        raise SourceError(f"{SOURCE} {series}", where, f"{missing[0]:%Y-%m} has no line at "
                          "all (a gap in the series)", field=series)
    thin = months.filter(pl.col("days") < min_quotes)
    if thin.height:
        row = thin.row(0, named=True)
        raise SourceError(
            f"{SOURCE} {series}", where,
            f"line {row['first_line']}: {row['period']:%Y-%m} has {row['days']} daily quotes, "
            f"fewer than the {min_quotes} a monthly mean needs (the ledger's min_quotes); "
            "the month is not interpolated", field=series)
    return months.select(
        "period", pl.lit(currency).alias("currency"), "per_usd",
        pl.col("days").cast(pl.Int32), pl.lit(series).alias("series"))


def load_series(con, path: Path, series: str, currency: str, min_quotes: int,
                first_month: date, root: Path | None = None) -> dict:
    """Add the file to ``raw.fx_daily`` as a vintage (same modification time: replaced) and
    replace the series' rows of ``staging.fx_monthly`` by its monthly means; in the caller's
    transaction, so a bad file changes nothing."""
    from datetime import UTC, datetime

    from pipelines.lib.warehouse.execute import run, scalar
    from pipelines.lib.warehouse.tables import ensure_table

    where = _relative(path, root or Path("/"))
    quotes = parse_series(path.read_bytes(), series, where=where)
    months = monthly_means(quotes, series, currency, min_quotes, first_month, where)
    vintage = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
    ensure_table(con, "raw/fx_daily")
    ensure_table(con, "staging/fx_monthly")
    raw = quotes.select(pl.lit(series).alias("series"),
                        pl.col("observation_date").dt.strftime("%Y-%m-%d"),
                        pl.col("value").cast(pl.Utf8), pl.lit(where).alias("file"), "line")
    con.register("_fx_raw", raw)
    run(con, "DELETE FROM raw.fx_daily WHERE file = $f AND vintage = $v",
        {"f": where, "v": vintage})
    run(con, "INSERT INTO raw.fx_daily SELECT series, observation_date, value, file, line, $v "
             "FROM _fx_raw", {"v": vintage})
    con.unregister("_fx_raw")
    con.register("_fx_months", months)
    run(con, "DELETE FROM staging.fx_monthly WHERE series = $s", {"s": series})
    run(con, "INSERT INTO staging.fx_monthly SELECT period, currency, per_usd, days, series, $v "
             "FROM _fx_months", {"v": vintage})
    con.unregister("_fx_months")
    return {"quotes": quotes.height,
            "months": scalar(con, "SELECT count(*) FROM staging.fx_monthly WHERE series = $s",
                             {"s": series})}


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        return str(path)
