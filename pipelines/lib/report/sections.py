"""The report's nine sections, in the order of the page, built from the warehouse.

Each builder returns a :class:`Section` holding charts (SVG), tables (cells already formatted)
and, when a table it needs is absent, the :class:`Missing` entries that the page shows instead.
No builder raises for an absent mart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
from markupsafe import Markup

from pipelines.lib.report import charts, ledger_notes
from pipelines.lib.report import formats as f
from pipelines.lib.report.queries import Missing, Warehouse
from pipelines.lib.rules import scorecard

TOP_CHAPTERS = 15
TOP_LINES = 20
# A provision counts as collected in the first month from its legal effect in which this share
# of the customs value it governs was collected as the law required (report parameter).
COLLECTED_SHARE = 0.9

STATUS = {  # scorecard status -> (word, css class); colour is never the only signal
    "kept": ("Kept", "ok"),
    "on_track": ("On track", "ok"),
    "late": ("Late", "warn"),
    "behind": ("Behind", "warn"),
    "broken": ("Broken", "bad"),
    "pending": ("Pending", "na"),
    "not_measurable": ("Not measurable", "na"),
    "monitored": ("Monitored", "info"),
}
MEANING = {  # the status in words, as docs/SCORECARD.md defines it
    "kept": "The cap or deadline was met",
    "on_track": "At or above the pro-rata of the stated amount",
    "late": "A deadline missed, then met",
    "behind": "Below the pro-rata of the stated amount",
    "broken": "The cap or deadline was not met",
    "pending": "Nothing is due yet",
    "not_measurable": "A target exists, but no data here can show it",
    "monitored": "No agreed numeric target: the indicator and its trend, no verdict",
}
# the scored statuses, counted on the first screen; monitored rows are counted apart
COUNTED = ("kept", "on_track", "late", "behind", "broken", "pending", "not_measurable")
ORDER = ("broken", "late", "behind", "pending", "not_measurable", "kept", "on_track",
         "monitored")
SIDES = {"us": "United States: tariff promises", "japan": "Japan: purchase and investment "
         "commitments"}
SECTOR_LABELS = {"autos": "Autos (8703, 8704)", "auto_parts": "Auto parts (8708)",
                 "civil_aircraft": "Civil aircraft (8802, 8803, 8807, 8411)",
                 "metals": "Metals (72, 73, 74, 76)", "pharma": "Pharma (30)",
                 "other": "Everything else"}


@dataclass
class Cell:
    text: str
    cls: str = ""
    href: str | None = None

    def __post_init__(self):
        # Links come from the ledger: escaping keeps a URL inside its attribute, but only the
        # scheme keeps a javascript: or data: URL from running in the reader's browser.
        if self.href and not self.href.lower().startswith(("https://", "http://")):
            self.href = None


@dataclass
class Table:
    id: str
    caption: str
    columns: list[tuple[str, str]]  # (label, "l" left | "r" right, numbers | "d" date)
    rows: list[list[Cell]]
    note: str = ""


@dataclass
class Figure:
    id: str
    svg: Markup  # from charts.to_svg: the only markup the page takes as it is
    caption: str
    half: bool = False  # two to a row


@dataclass
class VerdictItem:
    status: str
    word: str
    cls: str
    commitment: str
    judged_on: str
    reason: str
    verified: bool
    evidence: str = ""
    legal_basis: str = ""


@dataclass
class SideVerdict:
    side: str
    title: str
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # (word, cls, n)
    monitored: int = 0
    paragraph: str = ""
    items: list[VerdictItem] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)


@dataclass
class Section:
    id: str
    title: str
    lede: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    sides: list[SideVerdict] = field(default_factory=list)
    quarter: str = ""


@dataclass(frozen=True)
class CheckRun:
    """The latest evaluation of one data contract, as the Dagster instance recorded it."""

    asset: str
    check: str
    severity: str  # error | warning
    outcome: str  # passed | failed | not evaluated
    unexpected: int | None
    run_id: str
    at: datetime | None


def _cells(*values, cls: str = "") -> list[Cell]:
    return [v if isinstance(v, Cell) else Cell(str(v), cls) for v in values]


def _num(label: str) -> tuple[str, str]:
    return (label, "r")


def _txt(label: str) -> tuple[str, str]:
    return (label, "l")


def _date(label: str) -> tuple[str, str]:
    return (label, "d")


# 1. Verdict ------------------------------------------------------------------------------


def _side_key(side: str) -> str:
    low = (side or "").lower().replace(".", "")
    return "japan" if low.startswith(("jp", "japan")) else "us"


def verdict(w: Warehouse) -> Section:
    section = Section("verdict", "Verdict: is each side keeping its promises?",
                      "The scorecard of the latest quarter, in words and then row by row: each "
                      "promise of the United States and each commitment of Japan with its "
                      "status, the numbers it was decided from, and for U.S. promises the legal "
                      "basis. How each commitment is judged: docs/SCORECARD.md.")
    sides = {key: SideVerdict(key, title) for key, title in SIDES.items()}
    section.sides = list(sides.values())
    if w.has("marts.implementation_scorecard", "staging.ledger_commitments"):
        card = w.frame("scorecard")
        section.quarter = str(card["quarter"][0]) if card.height else ""
        rows = list(card.iter_rows(named=True))
        for key, paragraph in scorecard.verdict_paragraphs(rows).items():
            sides[key].paragraph = paragraph
        names = scorecard.row_titles(rows)
        for row, name in zip(rows, names, strict=True):
            word, cls = STATUS.get(row["status"], (str(row["status"]).replace("_", " ")
                                                   .capitalize(), "na"))
            sides[_side_key(row["side"])].items.append(VerdictItem(
                status=row["status"], word=word, cls=cls, commitment=name,
                judged_on=str(row["judged_on"] or ""),
                reason=MEANING.get(row["status"], ""), verified=bool(row["verified"]),
                evidence=str(row["evidence"] or ""),
                legal_basis=str(row["legal_basis"] or "")))
        for side in sides.values():
            statuses = [i.status for i in side.items]
            side.counts = [(*STATUS[k], statuses.count(k)) for k in COUNTED]
            side.monitored = statuses.count("monitored")
            rank = {k: i for i, k in enumerate(ORDER)}
            side.items.sort(key=lambda i: (rank.get(i.status, 9), i.commitment))
    else:
        section.missing = w.missing("marts.implementation_scorecard",
                                    "staging.ledger_commitments")
    sides["us"].facts = _us_facts(w)
    return section


def _us_facts(w: Warehouse) -> list[str]:
    """What the line audit says of the U.S. side, in words (shown beside the scorecard and in
    its place when it is absent)."""
    if not w.has("marts.deal_conformance_monthly"):
        return []
    head = w.frame("us_headline")
    if head.height == 0:
        return ["No month with the agreement's promise is in the data yet."]
    h = head.row(0, named=True)
    facts = [f"{f.month(h['period'])}: of the value of goods with a promise, "
             f"{f.pct(h['at_promise_value_share'])} was collected at the promised rate, "
             f"{f.pct(h['below_promise_value_share'])} below it and "
             f"{f.pct(h['above_promise_value_share'])} above it "
             f"({f.usd(h['excess_duty_usd'])} above).",
             f"Collected {f.pct(h['observed_rate'])} overall against "
             f"{f.pct(h['agreement_rate'])} promised and {f.pct(h['statutory_rate'])} "
             f"required by the law in force (rates on the {f.pct(h['rated_value_share'])} of "
             "the value with a known rate)."]
    if not f.missing(h["statutory_gap_value_share"]) and h["statutory_gap_value_share"] > 0:
        facts.append(f"The law itself exceeds the promise on "
                     f"{f.pct(h['statutory_gap_value_share'])} of the value.")
    facts.append(f"Since the promise: {f.usd(h['excess_duty_total'])} collected above it. "
                 f"Refundable IEEPA duty collected: {f.usd(h['refundable_duty_total'])}, of "
                 f"which {f.usd(h['stacking_overpayment_total'])} was also above the law of its "
                 "day (the stacking filings of August-September 2025).")
    return facts


# 2-4. Rates ------------------------------------------------------------------------------

AUTHORITY_WORDS = {"ieepa": "IEEPA", "section_122": "Section 122", "section_301": "Section 301",
                   "section_232": "Section 232", "mfn": "column 1"}


def legal_phases(rows: pl.DataFrame) -> pl.DataFrame:
    """The law's regimes for general goods merged into phases a reader recognises: column 1,
    reciprocal tariffs before the deal, the stacking window, the agreement in force, Section
    122, and what came after (named by its legal authority)."""
    phases: list[dict] = []
    after_122 = False
    for r in rows.iter_rows(named=True):
        if r["promise_kind"] in (None, "none"):
            name = ("column 1 only (before the 2025 tariffs)" if r["authority"] == "mfn"
                    else "reciprocal tariffs, before the deal")
        elif r["retroactive"]:
            name = "stacking window (filed above the retroactive law)"
        elif r["authority"] == "section_122":
            name, after_122 = "Section 122 surcharge", True
        elif after_122:
            name = f"after Section 122 ({AUTHORITY_WORDS.get(r['authority'], r['authority'])})"
        else:
            name = (f"agreement in force ({AUTHORITY_WORDS.get(r['authority'], r['authority'])}"
                    ")")
        if phases and phases[-1]["phase"] == name:
            phases[-1]["end"] = r["valid_to"]
        else:
            phases.append({"phase": name, "start": r["valid_from"], "end": r["valid_to"]})
    return pl.DataFrame(phases, schema={"phase": pl.Utf8, "start": pl.Date, "end": pl.Date})


def _phases(w: Warehouse) -> pl.DataFrame:
    if not w.has("staging.ledger_rules"):
        return pl.DataFrame(schema={"phase": pl.Utf8, "start": pl.Date, "end": pl.Date})
    return legal_phases(w.frame("phases"))


def effective_rate(w: Warehouse, banner: str | None) -> Section:
    section = Section("effective-rate", "The rate Japan's goods paid, against the 15% line",
                      "Duty collected on imports from Japan divided by their customs value, by "
                      "month, beside the rate the agreement promised and the rate U.S. law "
                      "required, over the legal phases of 2024–2026.")
    section.missing = w.missing("marts.effective_rates_monthly", "marts.deal_conformance_monthly")
    if not w.has("marts.effective_rates_monthly", "marts.deal_conformance_monthly"):
        return section
    rates = w.frame("japan_rates")
    if rates.height == 0:
        section.paragraphs.append("No month of imports from the audited partner is loaded.")
        return section
    phases = _phases(w)
    daily = w.frame("statutory_daily") if w.has("marts.statutory_rate_daily") else None
    caption = ("Monthly values are placed mid-month. Promised and statutory rates come from the "
               "line audit (expected duty / customs value); before 7 August 2025 nothing was "
               "promised.")
    if daily is not None and daily.height:
        caption += (f" The thin line is the statutory rate of every day on the lines' "
                    f"{daily['weights_year'][0]} customs values (fixed weights), the figure "
                    "public tariff trackers publish.")
    section.figures.append(Figure("rates", charts.rates_chart(rates, phases, banner, daily),
                                  caption))
    section.tables.append(Table(
        "phases", "The legal phases shaded in the charts (from the ledger's regimes for "
        "general goods)", [_txt("phase"), _date("from"), _date("to")],
        [_cells(p["phase"], f.day(p["start"]), f.day(p["end"]) if p["end"] else "open")
         for p in phases.iter_rows(named=True)]))
    return section


def sectors(w: Warehouse, banner: str | None) -> Section:
    section = Section("sectors", "By sector",
                      "The same collected rate for autos, auto parts, civil aircraft, metals, "
                      "pharma and everything else (sectors of pipelines/ledger/sectors.yaml).")
    section.missing = w.missing("marts.effective_rates_monthly")
    if section.missing:
        return section
    data = w.frame("sector_rates")
    if data.height == 0:
        section.paragraphs.append("No sector rows for the audited partner.")
        return section
    promise = None
    caption = ("Collected duty / customs value by sector; the dashed line is 15%. Metals stay "
               "under Section 232 (not covered by the agreement); civil aircraft are promised "
               "column 1.")
    if w.has("marts.japan_line_audit", "staging.ledger_category_sectors"):
        promise = w.frame("sector_promise")
        caption += (" Solid blue: collected; dashed green: promised; dashed orange: required "
                    "by law — the line audit's product categories mapped to sectors by the "
                    "ledger (staging.ledger_category_sectors), each over the value that has "
                    "the rate.")
    section.figures.append(Figure(
        "sectors", charts.sector_chart(data, _phases(w), banner, SECTOR_LABELS, promise),
        caption))
    latest = data.filter(pl.col("period") == data["period"].max())
    section.tables.append(Table(
        "sectors-latest", f"Sectors in {f.month(data['period'].max())}",
        [_txt("sector"), _num("customs value"), _num("duty"), _num("rate")],
        [_cells(SECTOR_LABELS.get(r["sector"], r["sector"]), f.usd(r["con_val"]),
                f.usd(r["cal_dut"]), f.pct(r["effective_rate"], 2))
         for r in latest.sort("con_val", descending=True).iter_rows(named=True)]))
    return section


def partners(w: Warehouse, banner: str | None) -> Section:
    section = Section("partners", "Japan compared with other partners",
                      "The collected rate on imports from the EU, Korea, the UK, Switzerland, "
                      "China and all partners, against Japan's.")
    section.missing = w.missing("marts.effective_rates_monthly")
    if section.missing:
        return section
    data = w.frame("partner_rates")
    if data.height == 0:
        return section
    section.figures.append(Figure("partners", charts.partner_chart(data, banner, w.country),
                                  "Every partner loaded (TARIFF_AUDIT_COUNTRIES); the audited "
                                  "partner is drawn thicker."))
    latest = data.filter(pl.col("period") == data["period"].max())
    section.tables.append(Table(
        "partners-latest", f"Partners in {f.month(data['period'].max())}",
        [_txt("partner"), _num("customs value"), _num("rate")],
        [_cells(r["cty_name"].title(), f.usd(r["con_val"]), f.pct(r["effective_rate"], 2))
         for r in latest.sort("effective_rate", descending=True).iter_rows(named=True)]))
    return section


# 5. Dollars ------------------------------------------------------------------------------


def dollars(w: Warehouse, banner: str | None) -> Section:
    section = Section("dollars", "Excess duty and refundable duty",
                      "Dollars collected above the agreement's promise, and the IEEPA duty "
                      "that is refundable since the Supreme Court voided IEEPA tariffs "
                      "(Learning Resources v. Trump, 20 February 2026), by month and by HS "
                      "chapter, with the lines that contribute most.")
    section.missing = w.missing("marts.deal_conformance_monthly", "marts.japan_line_audit")
    if w.has("marts.deal_conformance_monthly"):
        monthly = w.frame("dollars_monthly")
        if monthly.height:
            section.figures.append(Figure(
                "dollars-monthly", charts.dollars_chart(monthly, banner),
                "Every IEEPA duty collected from 5 April 2025 to 23 February 2026 is "
                "refundable; Section 232 duties and column 1 are not. The two measures overlap "
                "in August–September 2025: duty filed at column 1 + 15% was above the promise "
                "and above the law made retroactive."))
            refundable = monthly["refundable_duty_usd"].sum()
            if refundable:
                section.paragraphs.append(
                    f"Refundable IEEPA duty collected: {f.usd(refundable)}, of which "
                    f"{f.usd(monthly['stacking_overpayment_usd'].sum())} was also above the "
                    "law of its day (entries filed at column 1 + 15% in the stacking window, "
                    "where the retroactive law owed max(15%, column 1)).")
    if w.has("marts.japan_line_audit"):
        chapters = w.frame("dollars_by_chapter", limit=TOP_CHAPTERS)
        if chapters.height:
            section.figures.append(Figure(
                "dollars-chapters", charts.chapter_chart(chapters, banner),
                "Summed over every month of the line audit."))
        lines = w.frame("top_lines", limit=TOP_LINES)
        section.tables.append(Table(
            "top-lines", f"The {TOP_LINES} HS10 lines with the most dollars above the promise "
            "or refundable, every month since the promise (rates weighted by customs value)",
            [_txt("HS10"), _txt("description"), _num("customs value"), _num("promised"),
             _num("law"), _num("collected"), _num("above promise"), _num("refundable")],
            [_cells(r["hs10"], Cell((r["description"] or "")[:80], "desc"), f.usd(r["con_val"]),
                    f.pct(r["agreement_rate"]), f.pct(r["statutory_rate"]),
                    f.pct(r["observed_rate"]), f.usd(r["excess_duty_usd"]),
                    f.usd(r["refundable_duty_usd"]))
             for r in lines.iter_rows(named=True)]))
    return section


# 6. Timeline -----------------------------------------------------------------------------


def timeline(w: Warehouse, banner: str | None) -> Section:
    section = Section("timeline", "Implementation timeline per provision",
                      "Announcement → executive order or proclamation → Federal Register → "
                      "first HTS release carrying the headings → first month collected at the "
                      "new rate.")
    section.missing = w.missing("marts.provision_timeline", "marts.japan_line_audit",
                                "staging.ledger_rules", "staging.ledger_provisions")
    if not section.missing:
        provisions = w.frame("provisions", share=COLLECTED_SHARE)
        if provisions.height:
            section.figures.append(Figure(
                "timeline", charts.timeline_chart(provisions, banner),
                f"First month collected: the first month from the legal effect in which at "
                f"least {COLLECTED_SHARE:.0%} of the customs value the provision governs was "
                "collected as the law required (entries without duty at entry left out)."))
            section.tables.append(Table(
                "provisions", "Provisions and their dates",
                [_txt("provision"), _txt("headings"), _date("announced"), _date("published"),
                 _date("legal effect"), _txt("first HTS release"),
                 _num("days from legal effect"), _num("days from publication"),
                 _date("first month collected"), _txt("verified")],
                [_cells(r["label"] or r["provision"], r["headings"], f.day(r["announced_on"]),
                        f.day(r["published_on"]), f.day(r["legal_effective_on"]),
                        f"{r['first_release'] or 'none yet'} ({f.day(r['first_release_date'])})"
                        if r["first_release"] else "none yet",
                        _days(r["legal_effective_on"], r["first_release_date"]),
                        _days(r["published_on"], r["first_release_date"]),
                        f.month(r["first_collected_month"]) if r["first_collected_month"]
                        else "not yet", _verified(r["verified"]))
                 for r in provisions.iter_rows(named=True)]))
    if w.has("marts.hts_revision_changes", "raw.hts_releases"):
        changes = w.frame("chapter99_changes")
        section.tables.append(Table(
            "chapter99-changes", "What each HTS release changed in Chapter 99",
            [_txt("release"), _date("in force from"), _date("heading"), _txt("change"),
             _txt("text")],
            [_cells(r["release"], f.day(r["release_start_date"]), r["hts_code"], r["change"],
                    Cell((r["after_text"] or r["before_text"] or "")[:90], "desc"))
             for r in changes.iter_rows(named=True)]))
    else:
        section.missing += w.missing("marts.hts_revision_changes", "raw.hts_releases")
    return section


def _days(start, end) -> str:
    """Days from ``start`` to ``end`` (negative when the schedule came first)."""
    return f.DASH if f.missing(start) or f.missing(end) else f"{(end - start).days:,}"


def _verified(flag) -> Cell:
    return Cell("verified", "ok-text") if flag else Cell("unverified", "bad-text")


# 7. Japan's commitments ------------------------------------------------------------------


def commitments(w: Warehouse, banner: str | None) -> Section:
    section = Section("commitments", "Japan's commitments",
                      "Cumulative purchases against the pro-rata of the stated amounts for rice "
                      "(t), agricultural goods ($), energy ($, on top of the 2024 months) and "
                      "aircraft (units, no date agreed); the $550 bn investment vehicle by "
                      "stage; the mirror of the two countries' statistics and the "
                      "dependence on China for critical minerals.")
    section.missing = w.missing("marts.commitment_progress", "marts.investment_progress",
                                "marts.investment_tranches", "staging.ledger_commitments",
                                "marts.mirror_trade", "marts.mirror_trade_distribution",
                                "marts.critical_minerals_dependence")
    if w.has("marts.commitment_progress", "staging.ledger_commitments"):
        purchases = w.frame("purchases")
        for (commitment,), rows in purchases.group_by("commitment_id", maintain_order=True):
            last = rows.sort("period").row(-1, named=True)
            section.figures.append(Figure(
                f"purchases-{commitment}",
                charts.purchase_chart(rows, last["title"], last["unit"], banner),
                f"{last['title']}: {f.quantity(last['cumulative_actual'], last['unit'])} "
                f"bought by {f.month(last['period'])} against "
                f"{f.quantity(last['cumulative_target'], last['unit'])} on the target path "
                f"(pace {f.pct(last['pace_ratio'], 0)}; source {last['source']}).", half=True))
    if w.has("marts.investment_progress", "staging.ledger_commitments"):
        investment = w.frame("investment")
        titles = dict(w.query("SELECT commitment_id, title FROM staging.ledger_commitments")
                      .iter_rows())
        for (commitment,), rows in investment.group_by("commitment_id", maintain_order=True):
            section.figures.append(Figure(
                f"investment-{commitment}",
                charts.investment_chart(rows, titles.get(commitment, commitment), banner),
                "Cumulative dollars by stage (candidate lists, selected, funded, selected "
                "without funding past its 45 days). The agreement sets no path to the total: "
                "each selected project is judged on its own 45 days (the scorecard).",
                half=True))
    if w.has("marts.investment_tranches"):
        section.tables.append(Table(
            "tranches", "Investment tranches at their latest stage",
            [_txt("tranche"), _date("date"), _txt("stage"), _num("amount"), _txt("projects"),
             _date("funding due"), _txt("source")],
            [_cells(r["tranche_id"], f.day(r["event_date"]), r["stage"], f.usd(r["amount_usd"]),
                    Cell(r["projects"] or "", "desc"), f.day(r["funding_due_on"]),
                    _verified(r["verified"])) for r in w.frame("tranches").iter_rows(named=True)]))
    if w.has("marts.mirror_trade"):
        mirror = w.frame("mirror")
        if mirror.height:
            section.figures.append(Figure(
                "mirror", charts.mirror_chart(mirror, banner),
                "U.S. imports from Japan against Japan's exports to the U.S., and U.S. exports "
                "to Japan against Japan's imports from the U.S. (CIF, so above the U.S. FAS "
                "figure); Japan's yen converted at the month's mean rate."))
    if w.has("marts.mirror_trade_distribution"):
        spread = w.frame("mirror_distribution")
        if spread.height:
            section.tables.append(Table(
                "mirror-distribution",
                "Do the two books agree line by line? HS6 ratios (Japan / U.S.), latest months",
                [_txt("direction"), _txt("month"), _num("lines on both sides"),
                 _num("total ratio"), _num("10th pct"), _num("median"), _num("90th pct"),
                 _num("value within 10%"), _num("U.S. only"), _num("Japan only")],
                [_cells(r["direction"].replace("_", " "), f.month(r["period"]),
                        f.number(r["lines_both_sides"]), f.number(r["total_ratio"], 2),
                        f.number(r["p10_ratio"], 2), f.number(r["median_ratio"], 2),
                        f.number(r["p90_ratio"], 2), f.pct(r["value_share_within_10pct"]),
                        f.pct(r["us_value_share_one_sided"]),
                        f.pct(r["japan_value_share_one_sided"]))
                 for r in spread.iter_rows(named=True)]))
    if w.has("marts.critical_minerals_dependence"):
        minerals = w.frame("minerals")
        if minerals.height:
            section.figures.append(Figure(
                "minerals", charts.minerals_chart(minerals, banner),
                f"12 months to {f.month(minerals['period'].max())} against the 12 months "
                "before the critical-minerals framework of 28 October 2025."))
            section.tables.append(Table(
                "minerals", "Critical minerals: China's share and the top supplier",
                [_txt("importer"), _txt("mineral group"), _num("imports, 12 months"),
                 _num("China now"), _num("China before"), _txt("top supplier"),
                 _num("top share"), _num("HHI")],
                [_cells(r["importer"].replace("_", " "), r["mineral_group"].replace("_", " "),
                        f.usd(r["total_value_usd"]), f.pct(r["china_share"]),
                        f.pct(r["baseline_china_share"]), r["top_supplier"],
                        f.pct(r["top_supplier_share"]), f.number(r["hhi"], 2))
                 for r in minerals.iter_rows(named=True)]))
    return section


# 8. Data quality -------------------------------------------------------------------------


def quality(w: Warehouse, checks: list[CheckRun] | None) -> Section:
    section = Section("quality", "Data quality",
                      "The data contracts evaluated in the latest runs, the rows set aside in "
                      "quarantine, and how recent each source is.")
    if checks is None:
        section.paragraphs.append("Check results were not available to this build (the report "
                                  "was rendered without a Dagster instance).")
    elif not checks:
        section.paragraphs.append("No data contract has been evaluated in this Dagster "
                                  "instance yet.")
    else:
        section.tables += _check_tables(checks)
    quarantined = []
    for table in sorted(t for t in w.tables if t.startswith("quarantine.")):
        rows = w.count(table)
        if rows:
            reasons = w.query(
                f'SELECT rule, field, count(*) AS n, min(reason) AS reason FROM '
                f'"quarantine"."{table.split(".")[1]}" GROUP BY ALL ORDER BY n DESC, rule, field')
            for r in reasons.iter_rows(named=True):
                quarantined.append(_cells(table, r["rule"], r["field"], f.number(r["n"]),
                                          Cell(r["reason"] or "", "desc")))
        else:
            quarantined.append(_cells(table, f.DASH, f.DASH, "0", ""))
    section.tables.append(Table(
        "quarantine", "Rows set aside in quarantine (kept out of the tables, with the rule "
        "they broke)", [_txt("table"), _txt("rule"), _txt("field"), _num("rows"),
                        _txt("example reason")], quarantined))
    if w.has("marts.unmodelled_provisions", "raw.hts_releases"):
        unmodelled = w.frame("unmodelled")
        section.tables.append(Table(
            "unmodelled", "Chapter 99 headings of the latest release that the ledger does not "
            "model (the coverage contract of the law)",
            [_date("heading"), _txt("description"), _txt("since"), _txt("coverage"),
             _txt("applies to Japan"), _txt("why")],
            [_cells(r["heading"], Cell((r["description"] or "")[:90], "desc"),
                    r["first_release"] or f.DASH,
                    Cell(r["coverage"], "bad-text" if r["coverage"] == "unaccounted" else ""),
                    {True: "yes", False: "no"}.get(r["applies_to_japan"], "unknown"),
                    Cell(r["reason"] or "", "desc"))
             for r in unmodelled.iter_rows(named=True)],
            note="" if unmodelled.height else
            "Every heading of the latest release is modelled by a ledger rule or does not apply "
            "to products of Japan."))
    if w.has("marts.unrated_value_monthly", "marts.effective_rates_monthly"):
        unrated = w.frame("unrated")
        month = f.month(unrated["period"][0]) if unrated.height else ""
        section.tables.append(Table(
            "unrated", f"Value without a statutory rate, {month} (left out of the statutory and "
            "promised rates)",
            [_txt("reason"), _num("customs value"), _num("share of the month"), _num("lines")],
            [_cells(r["reason"].replace("_", " "), f.usd(r["con_val"]), f.pct(r["share"], 2),
                    f.number(r["lines"])) for r in unrated.iter_rows(named=True)],
            note="" if unrated.height else "Every line of the month has a statutory rate."))
    section.tables.append(Table("sources", "How recent each source is",
                                [_txt("source"), _txt("covers"), _txt("as of")],
                                [_cells(*row) for row in source_rows(w)]))
    if w.has("marts.data_revisions"):
        revisions = w.frame("data_revisions")
        section.tables.append(Table(
            "revisions", "Values changed by a newer Census vintage",
            [_date("month"), _txt("variable"), _num("changes"), _date("newest vintage")],
            [_cells(f.month(r["period"]), r["field"], f.number(r["changes"]),
                    f.day(r["newest"])) for r in revisions.iter_rows(named=True)],
            note="" if revisions.height else "No value has been revised: every month was "
            "fetched once, or its new vintages changed nothing."))
    return section


def _check_tables(checks: list[CheckRun]) -> list[Table]:
    by_asset: dict[str, list[CheckRun]] = {}
    for c in checks:
        by_asset.setdefault(c.asset, []).append(c)
    summary = []
    for asset in sorted(by_asset):
        runs = by_asset[asset]
        passed = sum(c.outcome == "passed" for c in runs)
        warned = sum(c.outcome == "failed" and c.severity == "warning" for c in runs)
        failed = sum(c.outcome == "failed" and c.severity == "error" for c in runs)
        pending = sum(c.outcome == "not evaluated" for c in runs)
        latest = max((c.at for c in runs if c.at), default=None)
        summary.append(_cells(
            asset, f.number(len(runs) - pending), f.number(passed),
            Cell(f.number(warned), "warn-text" if warned else ""),
            Cell(f.number(failed), "bad-text" if failed else ""),
            f.number(pending), f.day(latest)))
    total = checks
    summary.append(_cells(
        Cell("all tables", "strong"),
        f.number(sum(c.outcome != "not evaluated" for c in total)),
        f.number(sum(c.outcome == "passed" for c in total)),
        f.number(sum(c.outcome == "failed" and c.severity == "warning" for c in total)),
        f.number(sum(c.outcome == "failed" and c.severity == "error" for c in total)),
        f.number(sum(c.outcome == "not evaluated" for c in total)), ""))
    flagged = sorted((c for c in checks if c.outcome != "passed"),
                     key=lambda c: (c.outcome, c.severity, c.asset, c.check))
    return [
        Table("checks", "Data contracts in the latest run of each table",
              [_txt("table"), _num("ran"), _num("passed"), _num("warned"), _num("failed"),
               _num("not evaluated"), _date("latest evaluation")], summary),
        Table("checks-flagged", "Contracts that warned, failed or were not evaluated",
              [_txt("table"), _txt("contract"), _txt("severity"), _txt("outcome"),
               _num("unexpected"), _txt("run")],
              [_cells(c.asset, c.check, c.severity,
                      Cell(c.outcome, "bad-text" if c.outcome == "failed" and
                           c.severity == "error" else "warn-text"),
                      f.number(c.unexpected) if c.unexpected is not None else f.DASH,
                      c.run_id[:8]) for c in flagged],
              note="" if flagged else "Every contract passed."),
    ]


def source_rows(w: Warehouse) -> list[tuple[str, str, str]]:
    """(source, what it covers, as of) for every source loaded, then every optional source
    not loaded with what is therefore not measured."""
    rows: list[tuple[str, str, str]] = []
    if w.has("raw.census_imports", "raw.census_exports"):
        for r in w.frame("census_vintages").iter_rows(named=True):
            if r["last_period"] is None:
                rows.append((f"Census {r['flow']}", "nothing loaded", f.DASH))
                continue
            update = f"; Census last update {r['last_update']}" if r["last_update"] else ""
            rows.append((f"Census {r['flow']} (intltrade {r['flow']}/hs)",
                         f"{f.month(r['first_period'])} – {f.month(r['last_period'])}",
                         f"fetched {f.day(r['fetched'])}{update}"))
    if w.has("raw.hts_releases", "staging.hts_lines"):
        h = w.frame("hts_vintage").row(0, named=True)
        rows.append(("USITC HTS", f"{h['releases']} releases loaded",
                     f"latest {h['latest']} (in force from {f.day(h['latest_start'])})"
                     if h["latest"] else f.DASH))
    if w.has("staging.ledger_about"):
        (checked,) = w.query("SELECT max(as_of) FROM staging.ledger_about").row(0)
        rows.append(("Ledger (pipelines/ledger)", "legal facts, commitments and evidence",
                     f"checked against their sources as of {f.day(checked)}"))
    for source in w.unloaded:  # optional sources the warehouse holds no row of
        rows.append((f"{source.name} ({source.layout})", "not in this snapshot",
                     f"{source.unmeasured} not measured"))
    return rows


# 9. Method and sources -------------------------------------------------------------------


def method() -> Section:
    section = Section("method", "Method and sources",
                      "Every assumption of the ledger (pipelines/ledger/*.yaml) with its "
                      "citation; every entry not yet verified is listed with what would "
                      "verify it.")
    notes = ledger_notes.entries()
    unverified = [e for e in notes if not e.verified]
    section.paragraphs += [
        "Collected rate = Census calculated duty (CAL_DUT_MO) / customs value of imports for "
        "consumption (CON_VAL_MO). Promised rate = the duty the agreement's rule gives each "
        "HS10 line (max(15%, column 1) for most goods) / customs value. Statutory rate = the "
        "duty U.S. law in force required, with retroactive changes applied. The rules are "
        "data: pipelines/ledger/regimes_japan.yaml and agreement_japan.yaml.",
        f"{len(notes)} ledger entries carry a verified flag; {len(unverified)} are not "
        "verified yet and are listed first.",
    ]
    section.tables.append(Table(
        "unverified", f"Not verified ({len(unverified)}): what would verify each",
        [_txt("file"), _txt("entry"), _txt("what it says"), _txt("source cited"),
         _txt("to verify")],
        [_cells(e.file, e.id + (f" (used {len(e.places)}×)" if len(e.places) > 1 else ""),
                Cell(e.text[:120], "desc"), _source(e), Cell(e.to_verify, "desc"))
         for e in unverified]))
    section.tables.append(Table(
        "assumptions", "Every ledger entry with its citation",
        [_txt("file"), _txt("entry"), _txt("kind"), _txt("what it says"), _txt("source"),
         _txt("status")],
        [_cells(e.file, e.id, e.kind, Cell(e.text[:120], "desc"), _source(e),
                _verified(e.verified)) for e in notes]))
    return section


def _source(entry: ledger_notes.Entry) -> Cell:
    return Cell(entry.citation or entry.url or f.DASH, "desc", entry.url)

