"""Japan's own statistics in the commitments marts, on hand-made cases in a real DuckDB file:
the japan_imports source of marts.commitment_progress (yen at the month's rate, Japan's units)
and the critical-minerals rows of the scorecard (thresholds from the ledger)."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from pipelines.lib.rules import mirror as mirror_book
from pipelines.lib.rules import scorecard
from pipelines.lib.rules.commitments import (
    Commitment,
    CommitmentBook,
    load_commitment_tables,
    load_commitments,
)
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_table

START = date(2025, 1, 1)
US = "304"


def purchase(cid: str, **overrides) -> Commitment:
    spec = dict(id=cid, side="japan", title=cid, description=cid, measure="purchases",
                metric="value_usd", unit="USD", sources=["japan_imports"], products=["1006"],
                start=START, target={"amount": 1200, "per": "year"},
                thresholds={"behind_below_pace": 0.9}, citation="hand-made case",
                url="https://example.org", verified=True)
    spec.update(overrides)
    return Commitment.model_validate(spec)


def minerals(cid: str = "m", side: str = "us", **thresholds) -> Commitment:
    limits = {"window_months": 12}
    limits.update(thresholds)
    return Commitment.model_validate(dict(
        id=cid, side=side, title=cid, description=cid, measure="minerals_dependence",
        metric="value_share", unit="share", start=date(2025, 10, 28), thresholds=limits,
        monitored=True, note="the framework sets no numeric target",
        citation="hand-made case", url="https://example.org", verified=True))


def warehouse(tmp_path, commitments) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for name in ("staging/ledger", "staging/japan_trade_monthly", "staging/fx_monthly",
                 "staging/ledger_japan_units", "staging/ledger_mineral_groups",
                 "marts/critical_minerals_dependence"):
        ensure_table(con, name)
    con.register("_ledger_frame", mirror_book.japan_units_frame(mirror_book.load_mirror()))
    run(con, "INSERT INTO staging.ledger_japan_units SELECT * FROM _ledger_frame")
    con.unregister("_ledger_frame")
    load_commitment_tables(con, CommitmentBook(list(commitments), []))
    return con


def japan(con, period: date, hs9: str, value: int, units=("", "KG"), quantities=(0, 0),
          country: str = US, direction: str = "import") -> None:
    run(con, "INSERT INTO staging.japan_trade_monthly VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
             "'confirmed', 'imp_2025_confirmed', TIMESTAMP '2026-01-01')",
        [period, direction, hs9, hs9[:6], country, value, quantities[0], units[0] or None,
         quantities[1], units[1] or None])


def rate(con, period: date, per_usd: float) -> None:
    run(con, "INSERT INTO staging.fx_monthly VALUES (?, 'JPY', ?, 20, 'DEXJPUS', "
             "TIMESTAMP '2026-01-01')", [period, per_usd])


def progress(con) -> list[dict]:
    scorecard.build_commitment_progress(con, {"country": "5880", "japan_us": US})
    cursor = con.execute("SELECT * FROM marts.commitment_progress ORDER BY commitment_id, "
                         "period")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ------------------------------------------------------------------- japan_imports source


def test_yen_are_converted_at_the_months_rate(tmp_path):
    con = warehouse(tmp_path, [purchase("rice")])
    feb = date(2025, 2, 1)
    japan(con, START, "100630090", 15_000)            # 15 m yen
    japan(con, START, "100620000", 3_000)
    japan(con, START, "100590000", 99_000)            # corn is not rice
    japan(con, START, "100630090", 77_000, country="105")   # rice from China
    japan(con, START, "100630090", 55_000, direction="export")
    japan(con, feb, "100630090", 16_000)
    rate(con, START, 150.0)
    rate(con, feb, 160.0)
    jan_row, feb_row = progress(con)
    assert jan_row["source"] == "japan_imports" and jan_row["unit"] == "USD"
    assert jan_row["actual"] == pytest.approx(18_000_000 / 150)
    assert feb_row["actual"] == pytest.approx(16_000_000 / 160)
    assert feb_row["cumulative_actual"] == pytest.approx(120_000 + 100_000)
    assert feb_row["as_of"] == date(2025, 2, 28) and feb_row["error_units"] is None


def test_a_month_without_a_rate_waits_at_the_end_and_is_an_error_inside(tmp_path):
    con = warehouse(tmp_path, [purchase("rice")])
    for month in (1, 2, 3):
        japan(con, date(2025, month, 1), "100630090", 12_000)
    rate(con, date(2025, 1, 1), 120.0)
    rate(con, date(2025, 3, 1), 120.0)     # February has no rate, April's is not out yet
    japan(con, date(2025, 4, 1), "100630090", 12_000)
    rows = progress(con)
    assert [r["period"].month for r in rows] == [1, 2, 3]
    assert rows[1]["actual"] is None and rows[1]["error_units"] == "no JPY rate"
    assert rows[1]["unit_errors"] == 1
    assert [r["status"] for r in rows] == ["on_track", "not_measurable", "not_measurable"]


def test_quantities_come_from_the_unit_that_converts(tmp_path):
    rice = purchase("rice", metric="quantity", unit="t", target={"amount": 12, "per": "year"})
    aircraft = purchase("aircraft", metric="quantity", unit="each", products=["8802"],
                        target={"amount": 12, "per": "year"})
    con = warehouse(tmp_path, [rice, aircraft])
    rate(con, START, 150.0)
    japan(con, START, "100630090", 900, ("", "KG"), (0, 700_000))
    japan(con, START, "100620000", 300, ("MT", "KG"), (300, 300_123))   # Unit2 (KG) before MT
    japan(con, START, "880240000", 90_000, ("NO", "KG"), (2, 90_000))   # KG is no count
    rows = {r["commitment_id"]: r for r in progress(con)}
    assert rows["rice"]["actual"] == pytest.approx(1000.123)
    assert rows["aircraft"]["actual"] == 2 and rows["aircraft"]["unit"] == "each"


@pytest.mark.parametrize(("units", "quantities", "shown"), [
    (("", "L"), (0, 1000), "L"),            # litres of rice: no conversion to t
    (("", "KG"), (0, 0), "KG"),             # a value without its quantity
    (("", ""), (0, 0), "none")])
def test_a_quantity_that_does_not_convert_is_an_error_not_a_zero(tmp_path, units, quantities,
                                                                 shown):
    rice = purchase("rice", metric="quantity", unit="t", target={"amount": 12, "per": "year"})
    con = warehouse(tmp_path, [rice])
    rate(con, START, 150.0)
    japan(con, START, "100630090", 900, ("", "KG"), (0, 700_000))
    japan(con, START, "100630010", 50, units, quantities)
    (row,) = progress(con)
    assert row["actual"] is None and row["unit_errors"] == 1 and row["error_units"] == shown
    assert row["status"] == "not_measurable"


def test_every_purchase_commitment_has_both_books():
    for c in load_commitments().commitments:
        if c.measure == "purchases":
            assert c.sources == ["us_exports", "japan_imports"], c.id


# ------------------------------------------------------------------- minerals in the scorecard


def dependence(con, importer: str, group: str, period: date, share: float,
               baseline: float | None, window: int = 12) -> None:
    run(con, "INSERT INTO marts.critical_minerals_dependence VALUES (?, ?, ?, ?, 1e6, ?, ?, 0, "
             "'CHINA (INCL. HONG KONG)', ?, ?, 3, ?, ?)",
        [period, importer, group, window, share, share, share, share * share, baseline,
         None if baseline is None else share - baseline])


def groups(con, *names: str) -> None:
    for name in names:
        run(con, "INSERT INTO staging.ledger_mineral_groups VALUES (?, ?, '2805', 'c', 'u', "
                 "NULL, true)", [name, name])


def judged(con, as_of: date, **overrides) -> dict:
    params = {"as_of": as_of, "baseline_from": date(2024, 10, 1),
              "baseline_to": date(2025, 9, 1), **overrides}
    scorecard.build_scorecard(con, params)
    return {(q, i.split(":")[0]): (s, v, t) for q, i, s, v, t in run(
        con, "SELECT quarter, indicator, status, value, target "
             "FROM marts.implementation_scorecard")}


def test_china_share_is_shown_beside_the_baseline_and_never_judged(tmp_path):
    # the framework of 28 Oct 2025 sets no numeric target: every row is monitored, whatever
    # the share does, with the share and the baseline it is shown beside
    con = warehouse(tmp_path, [minerals()])
    groups(con, "down", "up", "new", "short")
    sep = date(2026, 9, 1)
    dependence(con, "united_states", "down", sep, 0.70, 0.80)       # 10 points down
    dependence(con, "united_states", "up", sep, 0.30, 0.10)         # 20 points up
    dependence(con, "united_states", "new", sep, 0.50, None)        # no baseline imports
    dependence(con, "united_states", "short", sep, 0.10, 0.50, window=1)   # no 12 months
    dependence(con, "japan", "up", sep, 0.10, 0.80)                 # another importer
    rows = judged(con, date(2026, 9, 30))
    assert rows["2026Q3", "down"] == ("monitored", 0.70, pytest.approx(0.80))
    assert rows["2026Q3", "up"] == ("monitored", 0.30, pytest.approx(0.10))
    assert rows["2026Q3", "new"] == ("monitored", 0.50, None)
    assert rows["2026Q3", "short"] == ("monitored", None, None)
    # every quarter from the framework's, one row per group
    assert {q for q, _ in rows} == {"2025Q4", "2026Q1", "2026Q2", "2026Q3"}
    assert len(rows) == 4 * 4
    assert {status for status, _, _ in rows.values()} == {"monitored"}
    (judged_on,) = run(con, "SELECT judged_on FROM marts.implementation_scorecard "
                            "WHERE quarter = '2026Q3' AND indicator LIKE 'down:%'")[0]
    assert judged_on == ("China 70.0% over 12 months to 2026-09 against 80.0% before the "
                         "framework (-10.0 points): monitored, the framework sets no target")


def test_a_quarter_is_judged_at_its_last_month_with_figures(tmp_path):
    con = warehouse(tmp_path, [minerals(side="japan")])
    groups(con, "g")
    dependence(con, "japan", "g", date(2026, 1, 1), 0.75, 0.80)
    dependence(con, "japan", "g", date(2026, 2, 1), 0.70, 0.80)
    dependence(con, "japan", "g", date(2026, 4, 1), 0.50, 0.80)   # a later quarter
    rows = judged(con, date(2026, 6, 30))
    assert rows["2026Q1", "g"][:2] == ("monitored", 0.70)
    assert rows["2026Q2", "g"][:2] == ("monitored", 0.50)
    (evidence,) = run(con, "SELECT evidence FROM marts.implementation_scorecard "
                           "WHERE quarter = '2026Q1'")[0]
    assert "japan g, 12 months to 2026-02: China 70.0%" in evidence
    assert "against 80.0% in 2024-10..2025-09 (-10.0 points" in evidence


def test_the_minerals_commitments_start_with_the_framework():
    signed = mirror_book.load_minerals().framework.signed_on
    found = [c for c in load_commitments().commitments if c.measure == "minerals_dependence"]
    assert {c.side for c in found} == {"us", "japan"}
    assert all(c.start == signed for c in found)


def test_summary_names_the_rows_of_a_commitment_with_several():
    names = scorecard._row_names([
        ("jp-rice", "us_exports: cumulative purchases since 2025-08 (t) vs the pro-rata"),
        ("jp-rice", "japan_imports: cumulative purchases since 2025-08 (t) vs the pro-rata"),
        ("us-general-15", "share of customs value at or below the promised cap: collected"),
        ("m", "cobalt: China's share of U.S. imports"),
        ("m", "rare_earth_metals: China's share of U.S. imports")])
    assert names == ["jp-rice us_exports", "jp-rice japan_imports", "us-general-15",
                     "m cobalt", "m rare_earth_metals"]
