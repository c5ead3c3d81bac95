"""The status rule of a U.S. tariff promise, one case at a time, on a real DuckDB file with the
real ledger: a cap is kept when the duty collected and the duty the law required are at or
below it on the kept share of the value; late when only filings the law lowered retroactively
were above it; broken otherwise. The legal basis says whether the promise's instrument is in
force or was voided, and whether the law stayed at or below the promise."""

from datetime import date

import duckdb
import pytest

from pipelines.lib.rules import audit, scorecard
from pipelines.lib.rules.commitments import (
    CommitmentBook,
    load_commitment_tables,
    load_commitments,
)
from pipelines.lib.rules.ledger.loader import ledger
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import transaction


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    general = load_commitments().commitment("us-general-15")
    for name in ("marts/japan_line_audit", "marts/provision_timeline"):
        ensure_table(con, name)
    with transaction(con):
        audit.load_ledger_tables(con, ledger())
        load_commitment_tables(con, CommitmentBook([general], []))
    yield con
    con.close()


def lines(con, *rows) -> None:
    """(period, hs10, customs value, collected, law, cap, stacking overpayment) of general
    goods."""
    for period, hs10, value, collected, law, cap, overpaid in rows:
        run(con, """INSERT INTO marts.japan_line_audit (period, hs10, category, regime_verified,
                        con_val, cal_dut, expected_duty_statutory, expected_duty_agreement,
                        stacking_overpayment_usd, status)
                    VALUES (?, ?, 'general', true, ?, ?, ?, ?, ?, 'conforms')""",
            [period, hs10, value, collected, law, cap, overpaid])


def judged(con, as_of: date) -> dict:
    scorecard.build_scorecard(con, {"as_of": as_of, "tolerance_rate": 0.005,
                                    "tolerance_usd": 50})
    cursor = con.execute("SELECT * FROM marts.implementation_scorecard "
                         "WHERE quarter = (SELECT max(quarter) FROM "
                         "marts.implementation_scorecard)")
    names = [d[0] for d in cursor.description]
    (row,) = cursor.fetchall()
    return dict(zip(names, row, strict=True))


def test_a_cap_respected_under_a_voided_instrument_is_kept(con):
    # Section 301 from 24 Jul 2026 charges max(12.5 %, m): at or below the 15 % promise
    lines(con, (date(2026, 8, 1), "5208114020", 1_000_000, 125_000, 125_000, 150_000, 0),
          (date(2026, 8, 1), "6110202010", 100_000, 16_500, 16_500, 16_500, 0))
    row = judged(con, date(2026, 9, 30))
    assert (row["status"], row["value"], row["target"]) == ("kept", 1.0, 0.95)
    assert row["judged_on"].startswith(
        "100.0% of the customs value at or below its line's cap, collected and by law (kept "
        "from 95%): collected 12.9% against a cap of 15.1% on average, the law 12.9%")
    assert row["legal_basis"].startswith(
        "voided: EO 14345 (IEEPA) was voided by Learning Resources, Inc. v. Trump from "
        "2026-02-24; the law applies ")
    assert row["legal_basis"].endswith("; the law stayed at or below the promise on 100.0% of "
                                       "the value")


def test_the_law_above_the_cap_breaks_the_promise(con):
    # Section 122 from 24 Feb 2026: m + 10 % puts a 9 % line at 19 %, above max(15 %, m)
    lines(con, (date(2026, 3, 1), "5208114020", 300_000, 57_000, 57_000, 45_000, 0),
          (date(2026, 3, 1), "8471500150", 700_000, 70_000, 70_000, 105_000, 0))
    row = judged(con, date(2026, 3, 31))
    assert (row["status"], row["value"]) == ("broken", pytest.approx(0.7))
    assert "the law itself exceeds the cap on 30.0% of the value" in row["judged_on"]
    assert row["legal_basis"].endswith("; the law stayed at or below the promise on 70.0% of "
                                       "the value")


def test_collection_above_the_law_breaks_the_promise(con):
    lines(con, (date(2025, 10, 1), "5208114020", 1_000_000, 190_000, 150_000, 150_000, 0))
    row = judged(con, date(2025, 12, 31))
    assert (row["status"], row["value"]) == ("broken", 0)
    assert row["legal_basis"].startswith("in force: EO 14345 (90 FR 43535)")


def test_filings_the_law_lowered_retroactively_make_it_late_not_broken(con):
    # the stacking window: filed at m + 15 %, owed max(15 %, m) by the retroactive law; the
    # difference is the refundable overpayment
    lines(con, (date(2025, 8, 1), "5208114020", 1_000_000, 240_000, 150_000, 150_000, 90_000))
    row = judged(con, date(2025, 9, 30))
    assert (row["status"], row["value"]) == ("late", 1.0)
    assert ("collected above the cap on 100.0% of the value only by filings the law lowered "
            "retroactively (refundable)") in row["judged_on"]


def test_a_quarter_without_lines_is_not_measurable(con):
    row = judged(con, date(2025, 9, 30))
    assert row["status"] == "not_measurable"
    assert row["judged_on"] == "no imports of general with a promise in 2025Q3"
