"""The progress arithmetic of Japan's commitments on hand-made cases, in a real DuckDB file:
purchases against a linear path, the baseline year, units, the 45-day funding clock, and the
scorecard's statuses."""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import pytest

from pipelines.lib.rules import scorecard
from pipelines.lib.rules.commitments import (
    Commitment,
    CommitmentBook,
    Evidence,
    load_commitment_tables,
)
from pipelines.lib.rules.ledger.frames import units_frame
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_table

START = date(2025, 1, 1)


def purchase(cid: str, **overrides) -> Commitment:
    spec = dict(id=cid, side="japan", title=cid, description=cid, measure="purchases",
                metric="value_usd", unit="USD", sources=["us_exports"], products=["1006"],
                start=START, target={"amount": 1200, "per": "year"},
                thresholds={"behind_below_pace": 0.9}, citation="hand-made case",
                url="https://example.org", verified=True)
    spec.update(overrides)
    return Commitment.model_validate(spec)


def investment(**overrides) -> Commitment:
    spec = dict(id="inv", side="japan", title="inv", description="inv", measure="investment",
                metric="value_usd", unit="USD", start=START,
                target={"amount": 365e9, "per": "total", "deadline": "2026-01-01"},
                thresholds={"funding_days": 45},
                citation="hand-made case", url="https://example.org", verified=True)
    spec.update(overrides)
    return Commitment.model_validate(spec)


def event(eid: str, day: date, stage: str, amount: float, tranche: str = "t1") -> Evidence:
    return Evidence.model_validate(dict(
        id=eid, commitment="inv", date=day, event=eid, stage=stage, tranche=tranche,
        scope="total", amount_usd=amount, source_url="https://example.org/news",
        verified=False))


def warehouse(tmp_path, commitments, evidence=(), exports=()) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    for name in ("staging/ledger", "staging/exports_monthly", "staging/imports_monthly"):
        ensure_table(con, name)
    con.register("_units", units_frame())
    run(con, "INSERT INTO staging.ledger_units SELECT * FROM _units")
    load_commitment_tables(con, CommitmentBook(list(commitments), list(evidence)))
    for period, code, value, qty, unit in exports:
        run(con, "INSERT INTO staging.exports_monthly (period, cty_code, hs10, all_val, qty1, "
                 "unit_qty1) VALUES (?, '5880', ?, ?, ?, ?)", [period, code, value, qty, unit])
    return con


def months(first: date, count: int) -> list[date]:
    out, day = [], first
    for _ in range(count):
        out.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def progress(con, cid: str) -> list[dict]:
    scorecard.build_commitment_progress(con, {"country": "5880"})
    cursor = con.execute("SELECT * FROM marts.commitment_progress WHERE commitment_id = ? "
                         "ORDER BY period", [cid])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_exactly_on_the_target_pace_is_on_track(tmp_path):
    con = warehouse(tmp_path, [purchase("c")],
                    exports=[(m, "1006300000", 100, 0, "X") for m in months(START, 12)])
    rows = progress(con, "c")
    assert [r["cumulative_target"] for r in rows] == [100.0 * n for n in range(1, 13)]
    assert all(r["pace_ratio"] == 1.0 and r["status"] == "on_track" for r in rows)
    assert rows[-1]["progress_ratio"] == 1.0 and rows[5]["progress_ratio"] == 0.5
    assert rows[-1]["as_of"] == date(2025, 12, 31)


@pytest.mark.parametrize(("monthly", "status"), [(89, "behind"), (90, "on_track"),
                                                 (95, "on_track"), (60, "behind")])
def test_a_shortfall_beyond_the_threshold_is_behind(tmp_path, monthly, status):
    con = warehouse(tmp_path, [purchase("c")],
                    exports=[(m, "1006300000", monthly, 0, "X") for m in months(START, 6)])
    last = progress(con, "c")[-1]
    assert last["pace_ratio"] == pytest.approx(monthly / 100)
    assert last["status"] == status


def test_a_late_surge_catches_up_with_the_cumulative_path(tmp_path):
    values = [50, 50, 50, 150, 150, 150]
    con = warehouse(tmp_path, [purchase("c")],
                    exports=[(m, "1006300000", v, 0, "X")
                             for m, v in zip(months(START, 6), values, strict=True)])
    statuses = [r["status"] for r in progress(con, "c")]
    assert statuses == ["behind"] * 4 + ["on_track"] * 2  # 450 of 500 in May: 0.9


def test_quantities_convert_into_the_commitment_unit(tmp_path):
    rice = purchase("rice", metric="quantity", unit="t", target={"amount": 12, "per": "year"})
    con = warehouse(tmp_path, [rice], exports=[
        (START, "1006300000", 900, 700.0, "KG"), (START, "1006200000", 300, 300.0, "KG"),
        (START, "1005900000", 999, 5.0, "T")])  # corn is not rice
    (row,) = progress(con, "rice")
    assert row["actual"] == 1.0 and row["unit"] == "t" and row["pace_ratio"] == 1.0


@pytest.mark.parametrize(("qty", "unit", "shown"), [(1000.0, "L", "L"), (0.0, "X", "X"),
                                                     (None, "KG", "KG")])
def test_a_quantity_in_the_wrong_unit_is_a_data_error_not_a_zero(tmp_path, qty, unit, shown):
    rice = purchase("rice", metric="quantity", unit="t", target={"amount": 12, "per": "year"})
    feb, mar = months(date(2025, 2, 1), 2)
    con = warehouse(tmp_path, [rice], exports=[
        (START, "1006300000", 900, 1000.0, "KG"), (feb, "1006300000", 900, qty, unit),
        (feb, "1006200000", 300, 500.0, "KG"), (mar, "1006300000", 900, 1000.0, "KG")])
    jan, bad, after = progress(con, "rice")
    assert jan["actual"] == 1.0 and jan["status"] == "on_track"
    assert bad["actual"] is None and bad["unit_errors"] == 1 and bad["error_units"] == shown
    assert bad["cumulative_actual"] is None and bad["status"] == "not_measurable"
    assert after["actual"] == 1.0 and after["cumulative_actual"] is None
    assert after["status"] == "not_measurable"


def test_a_month_without_purchases_is_a_real_zero(tmp_path):
    con = warehouse(tmp_path, [purchase("c")], exports=[
        (START, "1006300000", 100, 0, "X"), (date(2025, 2, 1), "2709000000", 5, 0, "X")])
    jan, feb = progress(con, "c")
    assert feb["actual"] == 0 and feb["cumulative_actual"] == 100 and feb["pace_ratio"] == 0.5


def test_the_baseline_is_the_same_month_of_the_baseline_year(tmp_path):
    fiscal = purchase("c", start=date(2025, 8, 1),
                      baseline={"definition": "Japan's FY2024", "period_start": "2024-04-01"})
    exports = [(m, "1006300000", 1000 + m.month + 100 * (m.year - 2024), 0, "X")
               for m in months(date(2024, 1, 1), 27)]
    con = warehouse(tmp_path, [fiscal], exports=exports)
    rows = {r["period"]: r for r in progress(con, "c")}
    assert min(rows) == date(2025, 8, 1)  # months before the start are not progress
    assert rows[date(2025, 8, 1)]["baseline"] == 1008           # August 2024
    assert rows[date(2026, 1, 1)]["baseline"] == 1101           # January 2025 (FY2024)
    assert rows[date(2026, 3, 1)]["cumulative_baseline"] == sum(
        1000 + m.month + 100 * (m.year - 2024) for m in months(date(2024, 8, 1), 8))


def test_a_total_target_follows_a_linear_path_to_its_deadline(tmp_path):
    aircraft = purchase("air", metric="quantity", unit="each", products=["8802"],
                        target={"amount": 365, "per": "total", "deadline": "2026-01-01"})
    con = warehouse(tmp_path, [aircraft],
                    exports=[(m, "8802400060", 9e7, 31.0, "NO") for m in months(START, 2)])
    jan, feb = progress(con, "air")
    assert jan["cumulative_target"] == 31 and feb["cumulative_target"] == 59
    assert feb["progress_ratio"] == pytest.approx(62 / 365)
    assert feb["pace_ratio"] == pytest.approx(62 / 59)


def test_a_total_without_an_agreed_date_is_counted_and_pending(tmp_path):
    # 100 Boeing aircraft: no delivery date was agreed, so nothing is due by any date
    aircraft = purchase("air", metric="quantity", unit="each", products=["8802"],
                        target={"amount": 100, "per": "total"})
    con = warehouse(tmp_path, [aircraft],
                    exports=[(m, "8802400060", 9e7, 2.0, "NO") for m in months(START, 3)])
    rows = progress(con, "air")
    assert [r["cumulative_actual"] for r in rows] == [2, 4, 6]
    assert all(r["cumulative_target"] is None and r["status"] == "pending" for r in rows)
    assert rows[-1]["progress_ratio"] == pytest.approx(0.06)


def test_an_incremental_amount_rides_on_the_baseline_months(tmp_path):
    # "$7 bn a year of incremental purchases": the pro-rata is the same months of the baseline
    # year plus the amount x months / 12
    energy = purchase("energy", start=date(2025, 1, 1),
                      target={"amount": 1200, "per": "year", "over_baseline": True},
                      baseline={"definition": "calendar 2024", "period_start": "2024-01-01"})
    exports = ([(m, "2709000000", 1000, 0, "X") for m in months(date(2024, 1, 1), 12)]
               + [(m, "2709000000", v, 0, "X")
                  for m, v in zip(months(START, 2), [1100, 1050], strict=True)])
    con = warehouse(tmp_path, [energy.model_copy(update={"products": ["2709"]})],
                    exports=exports)
    jan, feb = progress(con, "energy")
    assert jan["cumulative_target"] == 1100 and jan["status"] == "on_track"
    assert feb["cumulative_target"] == 2200 and feb["pace_ratio"] == pytest.approx(2150 / 2200)
    # the increment achieved (150) over the increment of the year begun (1200)
    assert feb["progress_ratio"] == pytest.approx(150 / 1200)


def test_an_incremental_amount_without_its_baseline_is_not_measurable(tmp_path):
    energy = purchase("energy", target={"amount": 1200, "per": "year", "over_baseline": True},
                      baseline={"definition": "calendar 2024", "period_start": "2024-01-01"})
    con = warehouse(tmp_path, [energy], exports=[(START, "1006300000", 100, 0, "X")])
    (jan,) = progress(con, "energy")
    assert jan["cumulative_target"] is None and jan["status"] == "not_measurable"


# -------------------------------------------------------------------------------- investment


SELECTED = date(2025, 3, 1)


def investment_marts(con, as_of: date) -> tuple[list, list]:
    scorecard.build_investment(con, as_of)
    tranches = run(con, "SELECT tranche_id, stage, event_date, funding_due_on FROM "
                        "marts.investment_tranches ORDER BY event_date, stage")
    progress_rows = run(con, "SELECT date, stage, cumulative_usd, target_usd FROM "
                             "marts.investment_progress WHERE date = ? ORDER BY stage", [as_of])
    return tranches, progress_rows


@pytest.mark.parametrize(("days", "overdue"), [(45, False), (46, True)])
def test_a_selected_tranche_without_funding_after_45_days_is_overdue(tmp_path, days, overdue):
    con = warehouse(tmp_path, [investment()], [event("sel", SELECTED, "selected", 36e9)])
    tranches, at_date = investment_marts(con, SELECTED + timedelta(days=days))
    due = SELECTED + timedelta(days=45)
    expected = [("t1", "selected", SELECTED, due)]
    if overdue:
        expected.append(("t1", "overdue", due + timedelta(days=1), due))
    assert tranches == expected
    stages = {stage: usd for _, stage, usd, _ in at_date}
    assert stages["selected"] == 36e9 and stages["overdue"] == (36e9 if overdue else 0)


def test_a_tranche_funded_in_time_is_never_overdue(tmp_path):
    con = warehouse(tmp_path, [investment()], [
        event("sel", SELECTED, "selected", 36e9),
        event("fund", SELECTED + timedelta(days=30), "funded", 36e9)])
    tranches, at_date = investment_marts(con, date(2025, 9, 30))
    assert [stage for _, stage, _, _ in tranches] == ["selected", "funded"]
    stages = {stage: usd for _, stage, usd, _ in at_date}
    assert stages == {"candidate": 0, "selected": 36e9, "funded": 36e9, "overdue": 0}


def test_a_tranche_funded_late_was_overdue_until_funded(tmp_path):
    funded = SELECTED + timedelta(days=60)
    con = warehouse(tmp_path, [investment()], [
        event("sel", SELECTED, "selected", 36e9), event("fund", funded, "funded", 36e9)])
    scorecard.build_investment(con, date(2025, 9, 30))
    overdue = dict(run(con, "SELECT date, cumulative_usd FROM marts.investment_progress "
                            "WHERE stage = 'overdue'"))
    assert overdue[SELECTED + timedelta(days=46)] == 36e9
    assert overdue[funded] == 0 and overdue[date(2025, 9, 30)] == 0


def test_funding_without_a_stated_amount_counts_the_selected_amount(tmp_path):
    funding = Evidence.model_validate(dict(
        id="fund", commitment="inv", date=SELECTED + timedelta(days=20), event="loans signed",
        stage="funded", tranche="t1", source_url="https://example.org/news", verified=False))
    con = warehouse(tmp_path, [investment()], [event("sel", SELECTED, "selected", 36e9),
                                               funding])
    _, at_date = investment_marts(con, date(2025, 6, 30))
    assert {stage: usd for _, stage, usd, _ in at_date}["funded"] == 36e9
    assert run(con, "SELECT funding_amount_stated FROM marts.investment_tranches "
                    "WHERE stage = 'funded'") == [(False,)]


def test_no_path_is_drawn_to_the_investment_total(tmp_path):
    # the agreement sets no path: the stated total stands beside the amounts, whole
    con = warehouse(tmp_path, [investment()], [event("sel", SELECTED, "selected", 36e9)])
    _, at_date = investment_marts(con, date(2025, 3, 31))
    assert {target for _, _, _, target in at_date} == {365e9}


# -------------------------------------------------------------------------------- scorecard


def scorecard_rows(con, as_of: date) -> dict[tuple, tuple]:
    scorecard.build_investment(con, as_of)
    scorecard.build_commitment_progress(con, {"country": "5880"})
    scorecard.build_scorecard(con, {"as_of": as_of, "country": "5880",
                                    "tolerance_rate": 0.005, "tolerance_usd": 50})
    return {(c, q, i.split(":")[0]): (status, value, target)
            for q, c, i, status, value, target in run(
        con, "SELECT quarter, commitment_id, indicator, status, value, target "
             "FROM marts.implementation_scorecard")}


@pytest.mark.parametrize(("stages", "as_of", "status", "days"), [
    # a candidate: no clock runs
    ([("cand", 0, "candidate")], 200, "pending", None),
    # selected, within its 45 days
    ([("sel", 0, "selected")], 30, "pending", 30),
    # selected, unfunded past its 45 days
    ([("sel", 0, "selected")], 46, "broken", 46),
    # funded on day 45: kept; on day 46: late (a deadline missed, then met)
    ([("sel", 0, "selected"), ("fund", 45, "funded")], 120, "kept", 45),
    ([("sel", 0, "selected"), ("fund", 46, "funded")], 120, "late", 46),
])
def test_each_tranche_is_judged_on_its_own_funding_clock(tmp_path, stages, as_of, status, days):
    evidence = [event(eid, SELECTED + timedelta(days=offset), stage, 36e9)
                for eid, offset, stage in stages]
    con = warehouse(tmp_path, [investment()], evidence)
    day = SELECTED + timedelta(days=as_of)
    quarter = f"{day.year}Q{(day.month - 1) // 3 + 1}"
    rows = scorecard_rows(con, day)
    assert rows[("inv", quarter, "t1")][0] == status
    assert rows[("inv", quarter, "t1")][1] == days
    # the total is context only: nothing is due before its date
    assert rows[("inv", quarter, "total")][0] == "pending"


def test_the_total_is_judged_on_its_date(tmp_path):
    con = warehouse(tmp_path, [investment()], [
        event("sel", SELECTED, "selected", 36e9),
        event("fund", SELECTED + timedelta(days=10), "funded", 36e9)])
    rows = scorecard_rows(con, date(2026, 1, 31))    # the total was due on 2026-01-01
    assert rows[("inv", "2026Q1", "total")] == ("broken", 36e9, 365e9)


def test_the_scorecard_judges_each_quarter_at_its_end(tmp_path):
    commitments = [purchase("c"),
                   purchase("defense", measure="ledger_only", sources=[], products=[],
                            target=None, thresholds={}),
                   purchase("review", measure="ledger_only", sources=[], products=[],
                            target=None, thresholds={}, monitored=True,
                            note="no agreed criteria")]
    exports = [(m, "1006300000", v, 0, "X")
               for m, v in zip(months(START, 6), [100, 100, 100, 50, 50, 50], strict=True)]
    con = warehouse(tmp_path, commitments, (), exports)
    rows = scorecard_rows(con, date(2025, 6, 30))
    assert rows[("c", "2025Q1", "us_exports")] == ("on_track", 300, 300)
    assert rows[("c", "2025Q2", "us_exports")][0] == "behind"          # 450 of 600
    assert rows[("defense", "2025Q2", "latest dated evidence (pipelines/ledger/evidence.yaml)")][
        0] == "not_measurable"
    assert rows[("review", "2025Q2", "latest dated evidence (pipelines/ledger/evidence.yaml)")][
        0] == "monitored"
    later = scorecard_rows(con, date(2025, 7, 31))
    assert later[("c", "2025Q2", "us_exports")][0] == "behind"          # judged at its own end
    assert later[("c", "2025Q3", "us_exports")][0] == "not_measurable"  # no July figures
