"""The report's charts: Vega-Altair specifications rendered to static SVG by vl-convert (no
browser, no script in the page). Every chart carries its own title and, for the synthetic
sample, the banner, so a chart copied out of the report still says what it shows."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import altair as alt
import polars as pl
import vl_convert as vlc
from markupsafe import Markup

WIDTH = 820
BANNER_COLOR = "#b3261e"
SERIES = {  # the three rates, always in these colours
    "collected": "#1f4e79",
    "promised (agreement)": "#2e7d32",
    "required by law": "#c77c02",
}
PHASE_COLORS = ["#f2f2f2", "#fde2c8", "#dcefdc", "#f6d6d6", "#e3e3f3", "#efe7d2"]
FONT = "Helvetica, Arial, sans-serif"
# A rendered chart is kept under the digest of its spec (data included) and of vl-convert's
# version: a report whose data did not change renders no chart again (about 0.3 s each).
# Entries unused for CACHE_DAYS are removed when a new one is written.
CACHE_DAYS = 30


def cache_dir() -> Path:
    """``<data>/reports/.charts`` (``TARIFF_AUDIT_DATA``)."""
    from pipelines.lib.paths import data_dir

    return data_dir() / "reports" / ".charts"


_SVG_NS = "{http://www.w3.org/2000/svg}"
_ACTIVE = {"script", "foreignObject", "iframe", "object", "embed", "animate", "set"}


def _inert(svg: str) -> bool:
    """Whether ``svg`` is plain SVG as vl-convert writes it: one ``<svg>`` root, only SVG
    elements, none that runs or loads anything (script, foreignObject, animation), no event
    handler attributes and no link leaving the document. The cache is a file in the data
    directory, so its content is checked before it goes into the page as markup."""
    try:
        root = ET.fromstring(svg)
    except (ET.ParseError, ValueError):
        return False
    if root.tag != f"{_SVG_NS}svg":
        return False
    for element in root.iter():
        if not element.tag.startswith(_SVG_NS) or element.tag[len(_SVG_NS):] in _ACTIVE:
            return False
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local == "href" and not value.startswith("#")):
                return False
    return True


def _svg(spec: dict) -> str:
    """vl-convert's SVG of ``spec``, from the cache when the same spec was rendered before
    and the cached file is inert SVG (anything else is rendered again and replaced)."""
    key = hashlib.sha256(json.dumps([vlc.__version__, spec], sort_keys=True,
                                    default=str).encode()).hexdigest()
    folder = cache_dir()
    path = folder / f"{key}.svg"
    try:
        svg = path.read_text(encoding="utf-8")
        if _inert(svg):
            os.utime(path)  # in use: kept by the pruning below
            return svg
    except (OSError, UnicodeDecodeError):
        pass
    svg = vlc.vegalite_to_svg(spec)
    try:  # a cache that cannot be written (read-only data dir) only costs the rendering
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(svg, encoding="utf-8")
        partial.replace(path)
        stale = time.time() - CACHE_DAYS * 86400
        for old in folder.glob("*.svg"):
            if old.stat().st_mtime < stale:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return svg


def to_svg(chart: alt.TopLevelMixin, title: str, banner: str | None) -> Markup:
    """The chart as SVG markup, titled, with the banner as a red subtitle when given.

    Safe to put in the page as it is: the data, titles and labels go into the Vega-Lite spec as
    values, and vl-convert writes them into the SVG escaped (text and aria-label attributes)."""
    params = {"text": title, "anchor": "start", "fontSize": 15, "font": FONT}
    if banner:
        params.update(subtitle=banner.upper(), subtitleColor=BANNER_COLOR,
                      subtitleFontWeight="bold", subtitleFontSize=12, subtitleFont=FONT)
    spec = chart.properties(title=alt.Title(**params)).configure(
        font=FONT, background="white").configure_view(stroke=None).to_dict()
    return Markup(_svg(spec))


def _dates(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """Dates as ISO strings (Vega-Lite parses them as UTC with ``scale type utc``)."""
    return frame.with_columns([pl.col(c).cast(pl.Utf8) for c in columns])


def _records(frame: pl.DataFrame) -> list[dict]:
    """Rows for an inline Vega dataset (DuckDB sums of integers arrive as decimals)."""
    return frame.with_columns(pl.col(pl.Decimal).cast(pl.Float64)).to_dicts()


def _x_month(field: str = "month", title: str | None = None, months: int | None = None) -> alt.X:
    """A time axis labelled by month; ``months`` (the span) keeps short spans to one label per
    month instead of repeating a month's name."""
    ticks = alt.TickCount(interval="month", step=max(1, -(-months // 8))) if months else 8
    return alt.X(f"{field}:T", title=title, scale=alt.Scale(type="utc"),
                 axis=alt.Axis(format="%b %Y", formatType="time", labelAngle=0,
                               tickCount=ticks))


def _span(dates: pl.Series) -> int:
    """Months from the first to the last of ``dates``, both counted."""
    first, last = dates.min(), dates.max()
    return (last.year - first.year) * 12 + last.month - first.month + 1


def mid_month(frame: pl.DataFrame, column: str = "period") -> pl.DataFrame:
    """Monthly values are plotted mid-month, so they fall inside the phase they belong to."""
    return frame.with_columns(month=(pl.col(column).cast(pl.Date) + pl.duration(days=14))
                              .cast(pl.Utf8))


def phase_layer(phases: pl.DataFrame, start, end, legend: bool = True) -> alt.Chart:
    """Shaded bands of the legal phases, clipped to [start, end]; every chart gives a phase
    the same colour."""
    names = phases["phase"].unique(maintain_order=True).to_list()
    colors = [PHASE_COLORS[i % len(PHASE_COLORS)] for i in range(len(names))]
    data = phases.with_columns(
        pl.max_horizontal(pl.col("start"), pl.lit(start)).alias("start"),
        pl.min_horizontal(pl.col("end").fill_null(pl.lit(end)), pl.lit(end)).alias("end"),
    ).filter(pl.col("start") < pl.col("end"))
    return alt.Chart(alt.Data(values=_records(_dates(data, "start", "end")))).mark_rect(
        opacity=0.9).encode(
        x=alt.X("start:T", scale=alt.Scale(type="utc")), x2="end:T",
        color=alt.Color("phase:N", title="legal phase", sort=names,
                        scale=alt.Scale(domain=names, range=colors),
                        legend=alt.Legend(orient="bottom", columns=3, labelLimit=0,
                                          symbolStrokeColor="#999") if legend else None),
        tooltip=["phase:N", "start:T", "end:T"])


def rule_15(value: float = 0.15, label: str = "15% (the agreement's all-in rate)") -> alt.Chart:
    base = alt.Chart(alt.Data(values=[{"y": value, "label": label}]))
    return base.mark_rule(strokeDash=[6, 4], color="#444").encode(y="y:Q") + \
        base.mark_text(align="left", dx=4, dy=-6, color="#444", fontSize=11).encode(
            y="y:Q", text="label:N", x=alt.value(0))


def rates_chart(rates: pl.DataFrame, phases: pl.DataFrame, banner: str | None,
                daily: pl.DataFrame | None = None) -> Markup:
    """Japan's collected rate by month with the promised and statutory rates, on the phases;
    with ``daily``, the statutory rate of every day at fixed base-year weights as a thin line."""
    long = mid_month(rates).unpivot(
        index=["month"], on=["observed_rate", "agreement_rate", "statutory_rate"],
        variable_name="series", value_name="rate").drop_nulls("rate").with_columns(
        pl.col("series").replace({"observed_rate": "collected",
                                  "agreement_rate": "promised (agreement)",
                                  "statutory_rate": "required by law"}))
    start, end = rates["period"].min(), _month_end(rates["period"].max())
    series = dict(SERIES)
    layers = [phase_layer(phases, start, end), rule_15()]
    if daily is not None and daily.height:
        name = f"required by law, daily ({daily['weights_year'][0]} weights)"
        series[name] = "#8d6e63"
        days = daily.filter((pl.col("date") >= start) & (pl.col("date") < end)).select(
            pl.col("date").cast(pl.Utf8).alias("month"), pl.lit(name).alias("series"),
            pl.col("statutory_rate").alias("rate")).drop_nulls("rate")
        long = pl.concat([long, days])
    lines = alt.Chart(alt.Data(values=_records(long))).mark_line(strokeWidth=2.2).encode(
        x=_x_month(),
        y=alt.Y("rate:Q", title="duty / customs value", axis=alt.Axis(format="%")),
        color=alt.Color("series:N", title="rate", sort=list(series),
                        scale=alt.Scale(domain=list(series), range=list(series.values())),
                        legend=alt.Legend(orient="top", labelLimit=0)),
        strokeDash=alt.condition(alt.datum.series == "collected", alt.value([1, 0]),
                                 alt.value([5, 3])),
        strokeWidth=alt.condition("indexof(datum.series, 'daily') >= 0", alt.value(1.2),
                                  alt.value(2.2)),
        tooltip=["month:T", "series:N", alt.Tooltip("rate:Q", format=".2%")])
    points = alt.Chart(alt.Data(values=_records(long.filter(
        ~pl.col("series").str.contains("daily"))))).mark_point(size=18, filled=True).encode(
        x=_x_month(), y="rate:Q", color=alt.Color("series:N", legend=None, scale=alt.Scale(
            domain=list(series), range=list(series.values()))))
    chart = alt.layer(*layers, lines, points).resolve_scale(color="independent").properties(
        width=WIDTH, height=300)
    return to_svg(chart, "Japan: the rate collected, promised and required by law, by month",
                  banner)


def sector_chart(sectors: pl.DataFrame, phases: pl.DataFrame, banner: str | None,
                 labels: dict[str, str], promise: pl.DataFrame | None = None) -> Markup:
    """Small multiples: Japan's collected rate by sector, with the promised and statutory
    rates of the sector when ``promise`` has them."""
    start, end = sectors["period"].min(), _month_end(sectors["period"].max())
    panels = []
    for sector in _sector_order(sectors["sector"].unique().to_list()):
        data = mid_month(sectors.filter(pl.col("sector") == sector)).select(
            "month", pl.lit("collected").alias("series"), pl.col("effective_rate").alias("rate"))
        if promise is not None:
            rates = mid_month(promise.filter(pl.col("sector") == sector)).unpivot(
                index=["month"], on=["agreement_rate", "statutory_rate"], variable_name="series",
                value_name="rate").with_columns(pl.col("series").replace(
                    {"agreement_rate": "promised (agreement)",
                     "statutory_rate": "required by law"}))
            data = pl.concat([data, rates.select("month", "series", "rate")])
        line = alt.Chart(alt.Data(values=_records(data.drop_nulls("rate")))).mark_line(
            strokeWidth=2).encode(
            x=_x_month(), y=alt.Y("rate:Q", title=None, axis=alt.Axis(format="%", tickCount=5)),
            color=alt.Color("series:N", sort=list(SERIES), title="rate", scale=alt.Scale(
                domain=list(SERIES), range=list(SERIES.values())), legend=None),
            strokeDash=alt.condition(alt.datum.series == "collected", alt.value([1, 0]),
                                     alt.value([5, 3])),
            tooltip=["month:T", "series:N", alt.Tooltip("rate:Q", format=".2%")])
        panel = alt.layer(phase_layer(phases, start, end, legend=False),
                          rule_15(label="15%"), line).resolve_scale(
            color="independent").properties(
            width=250, height=150, title=alt.Title(labels.get(sector, sector), fontSize=12,
                                                   anchor="start"))
        panels.append(panel)
    chart = alt.concat(*panels, columns=3).resolve_scale(y="independent")
    return to_svg(chart, "Japan: the rate by sector (each panel on its own scale)", banner)


def partner_chart(partners: pl.DataFrame, banner: str | None, highlight: str) -> Markup:
    """The collected rate of every partner loaded, the audited one in bold."""
    data = mid_month(partners).with_columns(
        partner=pl.col("cty_name").str.to_titlecase(),
        audited=pl.col("cty_code") == highlight)
    names = data.sort("audited", "partner", descending=[True, False], maintain_order=True)[
        "partner"].unique(maintain_order=True)
    chart = alt.Chart(alt.Data(values=_records(data.select(
        "month", "partner", "effective_rate", "audited")))).mark_line().encode(
        x=_x_month(),
        y=alt.Y("effective_rate:Q", title="duty / customs value", axis=alt.Axis(format="%")),
        color=alt.Color("partner:N", sort=names.to_list(), legend=alt.Legend(orient="right"),
                        scale=alt.Scale(scheme="tableau10")),
        strokeWidth=alt.condition("datum.audited", alt.value(3.5), alt.value(1.5)),
        tooltip=["month:T", "partner:N", alt.Tooltip("effective_rate:Q", format=".2%")])
    chart = alt.layer(rule_15(label="15%"), chart).properties(width=WIDTH - 140, height=280)
    return to_svg(chart, "Effective rate of U.S. imports by partner, by month", banner)


DOLLAR_SERIES = {
    "excess_duty_usd": "collected above the promise",
    "refundable_duty_usd": "refundable IEEPA duty (Learning Resources v. Trump)",
}


def dollars_chart(monthly: pl.DataFrame, banner: str | None) -> Markup:
    """Dollars collected above the promise and the refundable IEEPA duty, by month (from the
    first month with either)."""
    since = monthly.filter(pl.col("excess_duty_usd").is_not_null() |
                           (pl.col("refundable_duty_usd").fill_null(0) > 0))
    since = since.with_columns(label=pl.col("period").dt.strftime("%b %Y"))
    order = since["label"].to_list()
    long = since.unpivot(index=["label"], on=list(DOLLAR_SERIES), variable_name="series",
                         value_name="usd").with_columns(
        pl.col("series").replace(DOLLAR_SERIES), musd=pl.col("usd").fill_null(0) / 1e6)
    chart = alt.Chart(alt.Data(values=_records(long))).mark_bar().encode(
        x=alt.X("label:O", sort=order, title=None, axis=alt.Axis(labelAngle=-45)),
        xOffset=alt.XOffset("series:N", sort=list(DOLLAR_SERIES.values())),
        y=alt.Y("musd:Q", title="$ million"),
        color=alt.Color("series:N", title=None, sort=list(DOLLAR_SERIES.values()),
                        scale=alt.Scale(range=["#b3261e", "#7b1fa2"]),
                        legend=alt.Legend(orient="top", labelLimit=0)),
        tooltip=["label:N", "series:N", alt.Tooltip("musd:Q", format=",.1f",
                                                    title="$ million")])
    return to_svg(chart.properties(width=WIDTH, height=240),
                  "Dollars collected above the promise and refundable, by month", banner)


def chapter_chart(chapters: pl.DataFrame, banner: str | None) -> Markup:
    """The HS chapters with the most dollars above the promise or refundable."""
    order = chapters["chapter"].to_list()
    long = chapters.unpivot(index=["chapter"], on=list(DOLLAR_SERIES), variable_name="series",
                            value_name="usd").with_columns(
        pl.col("series").replace(DOLLAR_SERIES), musd=pl.col("usd") / 1e6,
        chapter=pl.lit("ch. ") + pl.col("chapter"))
    chart = alt.Chart(alt.Data(values=_records(long))).mark_bar().encode(
        y=alt.Y("chapter:N", sort=[f"ch. {c}" for c in order], title="HS chapter"),
        yOffset=alt.YOffset("series:N", sort=list(DOLLAR_SERIES.values())),
        x=alt.X("musd:Q", title="$ million, every month since the promise"),
        color=alt.Color("series:N", title=None, sort=list(DOLLAR_SERIES.values()),
                        scale=alt.Scale(range=["#b3261e", "#7b1fa2"]),
                        legend=alt.Legend(orient="top", labelLimit=0)),
        tooltip=["chapter:N", "series:N", alt.Tooltip("musd:Q", format=",.1f")])
    return to_svg(chart.properties(width=WIDTH - 120, height=alt.Step(11)),
                  f"The {len(order)} HS chapters with the most dollars above the promise or "
                  "refundable", banner)


MILESTONES = {
    "announced_on": "announced",
    "published_on": "instrument published",
    "legal_effective_on": "legal effect",
    "first_release_date": "first HTS release carrying it",
    "first_collected_month": "first month collected at the new rate",
}
MILESTONE_SHAPES = ["circle", "square", "diamond", "triangle-up", "cross"]


def timeline_chart(provisions: pl.DataFrame, banner: str | None) -> Markup:
    """Each provision's milestones on one line, announcement to collection."""
    # a month-level milestone is drawn at the end of its month: collected by then
    data = provisions.with_columns(
        first_collected_month=pl.col("first_collected_month").dt.month_end()).unpivot(
        index=["label"], on=list(MILESTONES), variable_name="milestone",
        value_name="date").drop_nulls("date").with_columns(
        pl.col("milestone").replace(MILESTONES), pl.col("date").cast(pl.Utf8))
    order = provisions["label"].to_list()
    spans = data.group_by("label", maintain_order=True).agg(
        start=pl.col("date").min(), end=pl.col("date").max())
    y = alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=330))
    span = alt.Chart(alt.Data(values=_records(spans))).mark_rule(
        color="#999", strokeWidth=2).encode(x=alt.X("start:T", scale=alt.Scale(type="utc")),
                                            x2="end:T", y=y)
    points = alt.Chart(alt.Data(values=_records(data))).mark_point(
        size=90, filled=True, opacity=0.9).encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(type="utc"),
                axis=alt.Axis(format="%b %Y", labelAngle=0)), y=y,
        shape=alt.Shape("milestone:N", sort=list(MILESTONES.values()),
                        scale=alt.Scale(domain=list(MILESTONES.values()),
                                        range=MILESTONE_SHAPES),
                        legend=alt.Legend(orient="top", columns=3, title=None)),
        color=alt.Color("milestone:N", sort=list(MILESTONES.values()), legend=alt.Legend(
            orient="top", columns=3, title=None), scale=alt.Scale(
            domain=list(MILESTONES.values()),
            range=["#777777", "#1f4e79", "#c77c02", "#2e7d32", "#b3261e"])),
        tooltip=["label:N", "milestone:N", "date:T"])
    chart = alt.layer(span, points).properties(width=WIDTH - 340, height=alt.Step(30))
    return to_svg(chart, "From announcement to collection, per provision", banner)


def _month_end(period):
    """The first day after the month of ``period``."""
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _sector_order(sectors: list[str]) -> list[str]:
    known = ["autos", "auto_parts", "civil_aircraft", "metals", "pharma", "other"]
    return [s for s in known if s in sectors] + sorted(s for s in sectors if s not in known)



UNIT_TITLES = {"USD": "$ million, cumulative", "t": "tonnes, cumulative",
               "each": "units, cumulative"}
UNIT_SCALE = {"USD": 1e6}


def purchase_chart(progress: pl.DataFrame, title: str, unit: str, banner: str | None) -> Markup:
    """One commitment: cumulative purchases (one line per source of figures) against the
    linear target path and the same months of the baseline year."""
    scale = UNIT_SCALE.get(unit, 1)
    data = progress.with_columns(month=pl.col("period").dt.month_end().cast(pl.Utf8))
    actual = data.select("month", pl.lit("purchases: ") + pl.col("source").str.replace_all(
        "_", " "), pl.col("cumulative_actual") / scale).rename(
        {"literal": "series", "cumulative_actual": "value"})
    first = data.filter(pl.col("source") == data["source"].min())
    target = first.select("month", pl.lit("target path").alias("series"),
                          (pl.col("cumulative_target") / scale).alias("value"))
    baseline = first.select("month", pl.lit("baseline year, same months").alias("series"),
                            (pl.col("cumulative_baseline") / scale).alias("value"))
    long = pl.concat([actual, target, baseline]).drop_nulls("value")
    names = long["series"].unique(maintain_order=True).to_list()
    colors = {"target path": "#2e7d32", "baseline year, same months": "#9e9e9e"}
    palette = [colors.get(n, "#1f4e79" if i == 0 else "#7b1fa2") for i, n in enumerate(names)]
    chart = alt.Chart(alt.Data(values=_records(long))).mark_line(
        strokeWidth=2.2, point=alt.OverlayMarkDef(size=14)).encode(
        x=_x_month(months=_span(progress["period"])),
        y=alt.Y("value:Q", title=UNIT_TITLES.get(unit, f"{unit}, cumulative")),
        color=alt.Color("series:N", title=None, sort=names,
                        scale=alt.Scale(domain=names, range=palette),
                        legend=alt.Legend(orient="top", labelLimit=0)),
        strokeDash=alt.condition(alt.datum.series == "target path", alt.value([6, 3]),
                                 alt.value([1, 0])),
        tooltip=["month:T", "series:N", alt.Tooltip("value:Q", format=",.1f")])
    return to_svg(chart.properties(width=WIDTH // 2 - 60, height=200), title, banner)


STAGE_COLORS = {"candidate": "#9e9e9e", "selected": "#1f4e79", "funded": "#2e7d32",
                "overdue": "#b3261e"}


def investment_chart(progress: pl.DataFrame, title: str, banner: str | None) -> Markup:
    """The investment vehicle: cumulative dollars by stage (the agreement sets no path to its
    total, so none is drawn; the total is in the title)."""
    data = progress.with_columns(pl.col("date").cast(pl.Utf8).alias("month"),
                                 (pl.col("cumulative_usd") / 1e9).alias("bn"))
    stages = [s for s in STAGE_COLORS if s in data["stage"].to_list()] + sorted(
        set(data["stage"].to_list()) - set(STAGE_COLORS))
    x = _x_month(months=_span(progress["date"]))
    lines = alt.Chart(alt.Data(values=_records(data.select("month", "stage", "bn")))).mark_line(
        interpolate="step-after", strokeWidth=2.2, point=alt.OverlayMarkDef(size=14)).encode(
        x=x, y=alt.Y("bn:Q", title="$ billion, cumulative"),
        color=alt.Color("stage:N", sort=stages, scale=alt.Scale(
            domain=stages, range=[STAGE_COLORS.get(s, "#777777") for s in stages]),
            legend=alt.Legend(orient="top", title="stage")),
        tooltip=["month:T", "stage:N", alt.Tooltip("bn:Q", format=",.1f")])
    total = progress["target_usd"].max()
    if total:
        title = f"{title} (of ${total / 1e9:,.0f} bn)"
    return to_svg(lines.properties(width=WIDTH // 2 - 60, height=200), title, banner)


def mirror_chart(mirror: pl.DataFrame, banner: str | None) -> Markup:
    """The two countries' statistics of the same trade, by month, one panel per direction."""
    panels = []
    x = _x_month(months=_span(mirror["period"]))
    for direction in mirror["direction"].unique(maintain_order=True).to_list():
        data = mid_month(mirror.filter(pl.col("direction") == direction)).unpivot(
            index=["month"], on=["us_value_usd", "japan_value_usd"], variable_name="book",
            value_name="usd").with_columns(
            pl.col("book").replace({"us_value_usd": "U.S. statistics",
                                    "japan_value_usd": "Japan's statistics (in USD)"}),
            (pl.col("usd") / 1e9).alias("bn")).drop_nulls("bn")
        panels.append(alt.Chart(alt.Data(values=_records(data.select("month", "book", "bn"))))
                      .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=12)).encode(
            x=x, y=alt.Y("bn:Q", title="$ billion"),
            color=alt.Color("book:N", title=None, legend=alt.Legend(orient="top"),
                            scale=alt.Scale(domain=["U.S. statistics",
                                                    "Japan's statistics (in USD)"],
                                            range=["#1f4e79", "#c77c02"])),
            tooltip=["month:T", "book:N", alt.Tooltip("bn:Q", format=",.2f")]).properties(
            width=WIDTH // 2 - 60, height=200,
            title=alt.Title(direction.replace("_", " "), fontSize=12, anchor="start")))
    return to_svg(alt.hconcat(*panels), "The same trade in both countries' books, by month",
                  banner)


def minerals_chart(minerals: pl.DataFrame, banner: str | None) -> Markup:
    """China's share of each importer's purchases of each mineral group: the latest 12 months
    against the 12 months before the framework."""
    data = minerals.with_columns(
        group=pl.col("mineral_group").str.replace_all("_", " "),
        importer=pl.col("importer").str.replace_all("_", " "))
    long = data.unpivot(index=["importer", "group"], on=["baseline_china_share", "china_share"],
                        variable_name="when", value_name="share").with_columns(
        pl.col("when").replace({"baseline_china_share": "12 months before the framework",
                                "china_share": "latest 12 months"})).drop_nulls("share")
    order = data.sort("china_share", descending=True, maintain_order=True)["group"].unique(
        maintain_order=True).to_list()
    y = alt.Y("group:N", sort=order, title=None)
    dots = alt.Chart(alt.Data(values=_records(long))).mark_point(
        filled=True, size=80).encode(
        x=alt.X("share:Q", title="China's share (Hong Kong included)",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])), y=y,
        color=alt.Color("when:N", title=None, legend=alt.Legend(orient="top"),
                        scale=alt.Scale(range=["#9e9e9e", "#b3261e"])),
        tooltip=["importer:N", "group:N", "when:N", alt.Tooltip("share:Q", format=".1%")])
    chart = dots.properties(width=WIDTH // 2 - 120, height=alt.Step(18)).facet(
        column=alt.Column("importer:N", title=None))
    return to_svg(chart, "Dependence on China for critical minerals, by importer", banner)
