"""The report's plain-Python side: formats, legal phases, the ledger's assumptions, the verdict
from a hand-made scorecard, and a report built from a warehouse that has none of the marts."""

import re
from datetime import date, datetime
from html import unescape
from pathlib import Path

import duckdb
import polars as pl
import pytest

from pipelines.lib.report import formats as f
from pipelines.lib.report import ledger_notes, render, sections
from pipelines.lib.report.queries import Warehouse

SAMPLE = render.Provenance("sample", "data/sample_snapshot")
LIVE = render.Provenance("live", "data/landing")


def test_formats():
    assert f.pct(0.12691) == "12.7%" and f.pct(None) == f.DASH
    assert f.usd(2_034_800) == "$2.0 m" and f.usd(8.8799e9) == "$8.88 bn"
    assert f.usd(950) == "$950" and f.usd(-1500) == "−$2 k" and f.usd(float("nan")) == f.DASH
    assert f.month(date(2026, 9, 1)) == "Sep 2026"
    assert f.day(datetime(2026, 11, 5, 9, 14, 3)) == "2026-11-05 09:14 UTC"
    assert f.quantity(550e9, "USD") == "$550.00 bn" and f.quantity(0.42, "share") == "42.0%"
    assert f.quantity(346000, "t") == "346,000 t"


def test_legal_phases_follow_the_ledger():
    rows = pl.DataFrame({
        "regime_id": ["a", "b", "c", "d", "e", "f", "g"],
        "valid_from": [date(2024, 1, 1), date(2025, 4, 5), date(2025, 8, 7), date(2025, 9, 16),
                       date(2025, 11, 13), date(2026, 2, 24), date(2026, 7, 24)],
        "valid_to": [date(2025, 4, 5), date(2025, 8, 7), date(2025, 9, 16), date(2025, 11, 13),
                     date(2026, 2, 24), date(2026, 7, 24), None],
        "label": [""] * 7,
        "authority": ["mfn", "ieepa", "ieepa", "ieepa", "ieepa", "section_122", "section_301"],
        "retroactive": [False, False, True, False, False, False, False],
        "promise_kind": ["none", "none", "floor", "floor", "floor", "floor", "floor"],
    })
    phases = sections.legal_phases(rows)
    assert phases["phase"].to_list() == [
        "column 1 only (before the 2025 tariffs)", "reciprocal tariffs, before the deal",
        "stacking window (filed above the retroactive law)", "agreement in force (IEEPA)",
        "Section 122 surcharge", "after Section 122 (Section 301)"]
    # two agreement regimes under the same authority merge into one phase
    assert phases.row(3) == ("agreement in force (IEEPA)", date(2025, 9, 16), date(2026, 2, 24))
    assert phases["end"][-1] is None


def test_every_unverified_ledger_entry_says_what_would_verify_it():
    entries = ledger_notes.entries()
    unverified = [e for e in entries if not e.verified]
    assert unverified and all(e.to_verify for e in unverified)
    assert all(e.citation or e.url for e in entries), "an entry without any source"
    # a rule shared through a YAML anchor is one entry listing every regime that uses it
    shared = [e for e in entries if e.kind == "rule" and len(e.places) > 1]
    assert shared and all(" › " in p for e in shared for p in e.places)
    ids = [(e.file, e.id) for e in entries]
    assert len(ids) == len(set(ids))


def test_entries_of_a_new_ledger_file_are_listed(tmp_path):
    (tmp_path / "instruments.yaml").write_text(
        "instruments:\n  - {id: eo-1, title: An order, kind: executive_order, authority: ieepa,"
        " fr_doc: 2025-1, url: 'https://example.org/eo', verified: true}\n")
    (tmp_path / "evidence.yaml").write_text(
        "events:\n  - {id: tranche-1, description: Tranche 1 selected, amount_usd: 36e9,"
        " source_url: 'https://news.example/t1', verified: false}\n")
    [event, instrument] = sorted(ledger_notes.entries(tmp_path), key=lambda e: e.file)
    assert (event.id, event.verified) == ("tranche-1", False)
    assert event.url == "https://news.example/t1"
    assert "official text" in event.to_verify
    assert instrument.verified and instrument.to_verify == ""


@pytest.fixture
def empty_con():
    con = duckdb.connect()
    yield con
    con.close()


def test_a_warehouse_without_marts_renders_every_section_with_what_is_missing(empty_con):
    report = render.build(empty_con, SAMPLE, "5880", checks=None)
    assert [s.id for s in report.sections] == [
        "verdict", "effective-rate", "sectors", "partners", "dollars", "timeline",
        "commitments", "quality", "method"]
    assert report.slug == "no-data"
    missing = {m.table for s in report.sections for m in s.missing}
    assert {"marts.implementation_scorecard", "marts.effective_rates_monthly",
            "marts.japan_line_audit", "marts.provision_timeline",
            "marts.commitment_progress"} <= missing
    html = render.render(report, datetime(2026, 1, 1))
    for table in missing:
        assert f'data-missing="{table}"' in html
    assert "<script" not in html and "http://" not in html.split("</style>")[0]
    assert html.count(render.BANNER) >= 9


def _commitments(con) -> None:
    """The commitments ledger table in the shape of staging.ledger_commitments."""
    con.execute("CREATE SCHEMA IF NOT EXISTS staging")
    con.execute("CREATE TABLE staging.ledger_commitments (commitment_id VARCHAR, side VARCHAR,"
                " title VARCHAR, unit VARCHAR)")
    con.executemany("INSERT INTO staging.ledger_commitments VALUES (?, ?, ?, ?)", [
        ("us-general-15", "us", "General rule max(15%, column 1)", "share"),
        ("us-autos", "us", "Autos and parts at 15%", "share"),
        ("jp-rice", "japan", "+75% U.S. rice", "t"),
        ("jp-defense", "japan", "Defense procurement $17 bn a year", "USD"),
        ("jp-investment", "japan", "$550 bn investment", "USD")])


def _scorecard(con) -> None:
    _commitments(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute("""CREATE TABLE marts.implementation_scorecard (quarter VARCHAR, side VARCHAR,
        commitment_id VARCHAR, indicator VARCHAR, value DOUBLE, target DOUBLE, unit VARCHAR,
        status VARCHAR, judged_on VARCHAR, legal_basis VARCHAR, evidence VARCHAR, as_of DATE,
        verified BOOLEAN)""")
    cap = "share of customs value at or below the promised cap"
    rows = [
        ("2026Q2", "us", "us-general-15", cap, 0.6, 0.95, "share", "broken", "60% at or below",
         "in force: EO 14345", "old quarter", "2026-06-30", True),
        ("2026Q3", "us", "us-general-15", cap, 0.998, 0.95, "share", "kept",
         "collected 11.9% against a cap of 15.0%",
         "voided: EO 14345 (IEEPA) was voided by Learning Resources v. Trump from 2026-02-24; "
         "the law stayed at or below the promise on 99.8% of the value",
         "marts.japan_line_audit 2026-07..2026-09",
         "2026-09-30", True),
        ("2026Q3", "us", "us-autos", cap, 0.7, 0.95, "share", "broken", "70% at or below",
         "in force: 90 FR 44638", "line audit, autos", "2026-09-30", True),
        ("2026Q3", "us", "us-minerals", "cobalt: China's share", 0.3, 0.2, "share", "monitored",
         "China 30%", None, "minerals mart", "2026-09-30", True),
        ("2026Q3", "japan", "jp-rice", "us_exports: cumulative purchases", 120000, 600000, "t",
         "behind", "120,000 t against 600,000 t pro rata", None, "exports of 1006",
         "2026-09-30", False),
        ("2026Q3", "japan", "jp-defense", "procurement", None, 17e9, "USD", "not_measurable",
         "no dated evidence", None, "no trade data", "2026-09-30", True),
        ("2026Q3", "japan", "jp-investment", "tranche-1: funded within 45 days", 73, 45, "days",
         "late", "selected on 2026-02-17, funded on 2026-05-01: day 73 of 45", None,
         "tranche 1", "2026-09-30", False),
        ("2026Q3", "japan", "jp-investment", "total: selected and funded", 36e9, 550e9, "USD",
         "pending", "selected $36.0 bn", None, "progress", "2026-09-30", False),
    ]
    con.executemany("INSERT INTO marts.implementation_scorecard VALUES "
                    "(?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


def test_verdict_counts_and_words_per_side_from_the_latest_quarter(empty_con):
    _scorecard(empty_con)
    section = sections.verdict(Warehouse(empty_con, "5880"))
    # no mart is missing; the optional sources this bare warehouse lacks are named
    assert section.quarter == "2026Q3" and not [m for m in section.missing if not m.source]
    us, japan = section.sides
    counts = dict((w, n) for w, _, n in us.counts)
    assert counts == {"Kept": 1, "On track": 0, "Late": 0, "Behind": 0, "Broken": 1,
                      "Pending": 0, "Not measurable": 0}
    assert us.monitored == 1  # counted apart from the scored rows
    assert [i.word for i in us.items] == ["Broken", "Kept", "Monitored"]  # problems first
    kept = us.items[1]
    assert kept.judged_on == "collected 11.9% against a cap of 15.0%"
    assert kept.legal_basis.startswith("voided: EO 14345")
    assert [i.word for i in japan.items] == ["Late", "Behind", "Pending", "Not measurable"]
    late = japan.items[0]
    assert (late.cls, late.verified) == ("warn", False)
    assert late.commitment == "$550 bn investment — tranche-1"
    assert late.reason == "A deadline missed, then met"
    rice = japan.items[1]
    assert rice.commitment == "+75% U.S. rice" and rice.evidence == "exports of 1006"
    # the verdict in words opens each side
    assert us.paragraph.startswith("United States, 2026Q3 (as of 2026-09-30): of 2 "
                                   "commitments with a target, broken: Autos and parts at 15%; "
                                   "kept: General rule max(15%, column 1).")
    assert ("The instruments of General rule max(15%, column 1) (EO 14345) rest on IEEPA, which "
            "Learning Resources v. Trump voided from 2026-02-24; the law stayed at or below the "
            "promise on 99.8% of the value.") in us.paragraph
    assert us.paragraph.endswith("Monitored only, with no agreed numeric target: "
                                 "us-minerals.")
    # a commitment's rows under one status are named once, with what sets them apart
    assert "late: $550 bn investment (tranche-1); " in japan.paragraph
    assert "pending: $550 bn investment (total)" in japan.paragraph
    html = render.render(render.Report(None, LIVE, None, [], [section]), datetime(2026, 1, 1))
    assert 'class="pill bad">Broken<' in html and 'class="pill warn">Late<' in html
    assert "<summary>evidence</summary>exports of 1006</details>" in html
    assert "Legal basis — voided: EO 14345" in html
    assert "unverified" in html and render.BANNER not in html


def test_text_from_the_data_is_escaped_whatever_the_template_is_called(empty_con):
    # the template is report.html.j2: escaping chosen by extension would leave it raw
    _scorecard(empty_con)
    empty_con.execute("UPDATE staging.ledger_commitments SET title = '<script>x()</script>' "
                      "|| title")
    empty_con.execute("UPDATE marts.implementation_scorecard SET evidence = "
                      "'<img src=x onerror=\"x()\">'")
    section = sections.verdict(Warehouse(empty_con, "5880"))
    html = render.render(render.Report(None, LIVE, None, [], [section]), datetime(2026, 1, 1))
    assert "<script" not in html and "<img" not in html
    assert "<b>&lt;script&gt;x()&lt;/script&gt;+75% U.S. rice</b>" in html
    assert "&lt;img src=x onerror=&#34;x()&#34;&gt;</details>" in html
    # a link from the ledger goes to the web or nowhere
    assert sections.Cell("FR", href="javascript:x()").href is None
    assert sections.Cell("FR", href=" data:text/html,x").href is None
    assert sections.Cell("FR", href="https://example.org/a").href == "https://example.org/a"


def test_the_page_forbids_script_by_its_content_security_policy(empty_con):
    html = render.render(render.build(empty_con, SAMPLE, "5880"), datetime(2026, 1, 1))
    head = html.split("<style>")[0]
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', head)
    directives = dict(d.strip().split(" ", 1) for d in unescape(policy[1]).split(";"))
    assert directives["default-src"] == "'none'" and "script-src" not in directives
    assert directives["style-src"] == "'unsafe-inline'"  # the page's own <style> and the SVG's


def test_write_replaces_both_files(tmp_path: Path):
    dated, latest = render.write("<p>one</p>", tmp_path, "2026-09")
    render.write("<p>two</p>", tmp_path, "2026-09")
    assert dated.name == "tariff-audit-2026-09.html"
    assert dated.read_text() == latest.read_text() == "<p>two</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.html",
                                                          "tariff-audit-2026-09.html"]


def test_generated_line_is_the_only_clock(empty_con):
    report = render.build(empty_con, LIVE, "5880", checks=[])
    one = render.render(report, datetime(2026, 1, 1, 0, 0, 0))
    two = render.render(report, datetime(2026, 1, 2, 3, 4, 5))
    strip = re.compile(rf"^.*{render.GENERATED_PREFIX}.*$", re.MULTILINE)
    assert one != two and strip.sub("", one) == strip.sub("", two)


def test_japan_commitments_chart_each_mart_that_exists(empty_con):
    con = empty_con
    _commitments(con)
    con.execute("CREATE SCHEMA marts")
    con.execute("""CREATE TABLE marts.commitment_progress AS
        SELECT 'jp-rice' AS commitment_id, make_date(2025, m, 1) AS period,
               'us_exports' AS source, 'quantity' AS metric, 't' AS unit,
               1000.0 * m AS cumulative_actual, 900.0 * m AS cumulative_baseline,
               1200.0 * m AS cumulative_target, 1000 / 1200 AS pace_ratio,
               'behind' AS status, DATE '2025-12-31' AS as_of
        FROM range(9, 13) t(m)""")
    con.execute("""CREATE TABLE marts.investment_progress AS
        SELECT 'jp-investment' AS commitment_id, d AS date, stage,
               CASE stage WHEN 'selected' THEN 36e9 ELSE 0 END AS cumulative_usd, 1 AS tranches,
               550e9 AS target_usd, NULL::DOUBLE AS target_share
        FROM (VALUES (DATE '2026-02-17'), (DATE '2026-03-31')) d(d),
             (VALUES ('selected'), ('funded')) s(stage)""")
    con.execute("""CREATE TABLE marts.mirror_trade AS
        SELECT DATE '2026-01-01' AS period, 'us_imports_from_japan' AS direction,
               '870323' AS hs6, 5e9 AS us_value_usd, 4.9e9 AS japan_value_usd""")
    section = sections.commitments(Warehouse(con, "5880"), render.BANNER)
    ids = [fig.id for fig in section.figures]
    assert ids == ["purchases-jp-rice", "investment-jp-investment", "mirror"]
    for fig in section.figures:
        assert "role-mark" in fig.svg and render.BANNER.upper() in fig.svg
    assert "12,000 t bought by Dec 2025 against 14,400 t" in section.figures[0].caption
    assert [m.table for m in section.missing if not m.source] == [
        "marts.investment_tranches", "marts.mirror_trade_distribution",
        "marts.critical_minerals_dependence"]
    # the marts present were built without the optional sources this warehouse has no row of
    assert [m.table for m in section.missing if m.source] == [
        "staging.exports_monthly", "staging.fx_monthly", "staging.japan_trade_monthly"]
    assert all(m.source.startswith("no ") and "not measured" in m.source
               for m in section.missing if m.source)


def test_us_facts_read_the_promise_statuses_when_the_mart_has_them(empty_con):
    con = empty_con
    con.execute("CREATE SCHEMA marts")
    con.execute("""CREATE TABLE marts.deal_conformance_monthly AS SELECT * FROM (VALUES
        (DATE '2025-07-01', 'all', 0.16, NULL, 0.17, NULL, NULL, NULL, 0.0, NULL, 50e6, 0.0,
         0.98),
        (DATE '2026-09-01', 'all', 0.127, 0.142, 0.128, 0.61, 0.37, 0.02, 2.0e6, NULL, 0.0, 0.0,
         0.98),
        (DATE '2025-08-01', 'all', 0.19, 0.14, 0.18, 0.5, 0.1, 0.4, 80e6, 0.0, 150e6, 80e6,
         0.98))
        t(period, category, observed_rate, agreement_rate, statutory_rate,
          at_promise_value_share, below_promise_value_share, above_promise_value_share,
          excess_duty_usd, statutory_gap_value_share, refundable_duty_usd,
          stacking_overpayment_usd, rated_value_share)""")
    facts = sections._us_facts(Warehouse(con, "5880"))
    assert facts[0] == ("Sep 2026: of the value of goods with a promise, 61.0% was collected at "
                        "the promised rate, 37.0% below it and 2.0% above it ($2.0 m above).")
    assert "rates on the 98.0% of the value with a known rate" in facts[1]
    assert facts[-1] == ("Since the promise: $82.0 m collected above it. Refundable IEEPA duty "
                         "collected: $200.0 m, of which $80.0 m was also above the law of its "
                         "day (the stacking filings of August-September 2025).")


def test_coverage_tables_and_the_daily_series_when_their_marts_exist(empty_con):
    con = empty_con
    for schema in ("marts", "raw", "staging"):
        con.execute(f"CREATE SCHEMA {schema}")
    con.execute("""CREATE TABLE marts.effective_rates_monthly AS
        SELECT make_date(2026, m, 1) AS period, '5880' AS cty_code, 'JAPAN' AS cty_name,
               'all' AS sector, 1000000 AS con_val, 130000 AS cal_dut, 0.13 AS effective_rate
        FROM range(1, 4) t(m)""")
    con.execute("""CREATE TABLE marts.deal_conformance_monthly AS
        SELECT period, 'all' AS category, 0.14 AS agreement_rate, 0.13 AS statutory_rate
        FROM marts.effective_rates_monthly""")
    con.execute("""CREATE TABLE marts.statutory_rate_daily AS
        SELECT d::DATE AS date, '5880' AS partner, 2024 AS weights_year,
               0.12 + 0.001 * day(d) AS statutory_rate, 0.14 AS agreement_rate
        FROM range(DATE '2026-01-01', DATE '2026-04-01', INTERVAL 1 DAY) t(d)""")
    con.execute("""CREATE TABLE raw.hts_releases AS SELECT * FROM (VALUES
        ('2026HTSRev4', DATE '2026-02-24'), ('2026HTSRev3', DATE '2026-01-20'))
        t(release, release_start_date)""")
    con.execute("""CREATE TABLE marts.unmodelled_provisions AS SELECT * FROM (VALUES
        ('2026HTSRev3', '9903.79.01', 'old', NULL, 'unaccounted', NULL, NULL::BOOLEAN),
        ('2026HTSRev4', '9903.79.01', 'Semiconductors', '2026HTSRev3', 'unaccounted',
         'no entry of chapter99.yaml', NULL),
        ('2026HTSRev4', '9903.88.15', 'China 301', '2025HTSBasic', 'not_modelled',
         'China only', false)) t(release, heading, description, first_release, coverage,
         reason, applies_to_japan)""")
    con.execute("""CREATE TABLE marts.unrated_value_monthly AS SELECT * FROM (VALUES
        (DATE '2026-03-01', '5880', 'other', 'low_value_estimate', 15000, 1),
        (DATE '2026-03-01', '5880', 'metals', 'rate_not_numeric', 5000, 2),
        (DATE '2026-02-01', '5880', 'other', 'low_value_estimate', 99999, 1))
        t(period, cty_code, sector, reason, con_val, lines)""")
    w = Warehouse(con, "5880")
    rates = sections.effective_rate(w, None)
    assert "2024 customs values (fixed weights)" in rates.figures[0].caption
    assert "required by law, daily (2024 weights)" in rates.figures[0].svg
    tables = {t.id: t for t in sections.quality(w, checks=[]).tables}
    unmodelled = [[c.text for c in row] for row in tables["unmodelled"].rows]
    assert unmodelled == [
        ["9903.79.01", "Semiconductors", "2026HTSRev3", "unaccounted", "unknown",
         "no entry of chapter99.yaml"],
        ["9903.88.15", "China 301", "2025HTSBasic", "not_modelled", "no", "China only"]]
    assert tables["unrated"].caption.endswith(
        "Mar 2026 (left out of the statutory and promised rates)")
    assert tables["unmodelled"].note == tables["unrated"].note == ""   # notes say "none"
    assert [[c.text for c in row] for row in tables["unrated"].rows] == [
        ["low value estimate", "$15 k", "1.50%", "1"], ["rate not numeric", "$5 k", "0.50%", "2"]]


def test_the_mirror_section_shows_how_far_the_books_agree_line_by_line(empty_con):
    con = empty_con
    con.execute("CREATE SCHEMA marts")
    con.execute("""CREATE TABLE marts.mirror_trade_distribution AS
        SELECT make_date(2026, m, 1) AS period, d AS direction, 120 AS lines_both_sides,
               1.01 AS total_ratio, 0.52 AS p10_ratio, 0.98 AS median_ratio, 1.7 AS p90_ratio,
               0.41 AS value_share_within_10pct, 0.02 AS us_value_share_one_sided,
               0.03 AS japan_value_share_one_sided
        FROM range(1, 10) t(m), (VALUES ('us_imports_from_japan'), ('us_exports_to_japan')) x(d)""")
    section = sections.commitments(Warehouse(con, "5880"), render.BANNER)
    (table,) = [t for t in section.tables if t.id == "mirror-distribution"]
    assert len(table.rows) == 2 * 6                    # the latest six months per direction
    first = [c.text for c in table.rows[0]]
    assert first == ["us exports to japan", "Apr 2026", "120", "1.01", "0.52", "0.98", "1.70",
                     "41.0%", "2.0%", "3.0%"]
    assert "marts.mirror_trade_distribution" not in [m.table for m in section.missing]


def test_the_sources_table_names_each_optional_source_not_loaded(empty_con):
    from pipelines.lib.sources.snapshot import SOURCES

    empty_con.execute("CREATE SCHEMA staging")
    empty_con.execute("CREATE TABLE staging.fx_monthly AS SELECT DATE '2026-01-01' AS period")
    rows = sections.source_rows(Warehouse(empty_con, "5880"))
    absent = {name for name, covers, _ in rows if covers == "not in this snapshot"}
    assert absent == {f"{s.name} ({s.layout})" for s in SOURCES.values()
                      if not s.required and s.key != "fx"}
