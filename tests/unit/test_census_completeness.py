"""The contracts that keep a traded chapter from vanishing unseen (issue 9), on a real DuckDB
file: whatever requests carry a month (a country's own, all-partner answers at national scale,
the chapter totals), a chapter of at least min_chapter_usd last month must still be there."""

import pytest

from pipelines.lib.quality.sql_checks import load_sql_checks
from pipelines.lib.warehouse.execute import run
from tests.helpers import ROOT, raw_census_imports

CHECKS = {c.check_name: c for c in load_sql_checks(ROOT / "sql/checks/raw.census_imports.sql")}
MIN = 10_000_000


@pytest.fixture
def con(tmp_path):
    with raw_census_imports(tmp_path / "w.duckdb") as con:
        yield con


def insert(con, period: str, vintage: str, request: str, rows: list[tuple]) -> None:
    """rows: (country, commodity, level, value)"""
    for cty, commodity, level, value in rows:
        con.execute("INSERT INTO raw.census_imports (period, i_commodity, cty_code, con_val_mo, "
                    "comm_lvl, request, fetched_at, vintage) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [period, commodity, cty, value, level, request, vintage, vintage])


def failures(con, check="japan_chapters_not_vanished", month="2024-03-01") -> list:
    return run(con, CHECKS[check].sql, {"keys": [month], "min_chapter_usd": MIN,
                                        **dict(CHECKS[check].binds)})


LAST_MONTH = [("5880", "8703230190", "HS10", "40000000"), ("5880", "0101210010", "HS10", "90"),
              ("5700", "8703230190", "HS10", "20000000")]


@pytest.mark.parametrize("request_name", ["CTY_CODE=5880_I_COMMODITY=87", "I_COMMODITY=87"])
def test_a_chapter_still_answered_passes_whatever_the_request(con, request_name):
    insert(con, "2024-02-01", "2024-04-05", request_name, LAST_MONTH)
    insert(con, "2024-03-01", "2024-05-05", request_name, [r for r in LAST_MONTH
                                                           if r[1] != "0101210010"])
    assert failures(con) == []  # chapter 01 was below the threshold: it may come and go


def test_a_vanished_chapter_fails_for_japan_and_warns_for_others(con):
    insert(con, "2024-02-01", "2024-04-05", "I_COMMODITY=87", LAST_MONTH)
    insert(con, "2024-03-01", "2024-05-05", "I_COMMODITY=01", [LAST_MONTH[1]])
    assert failures(con) == [("2024-03", "5880 chapter 87: 40000000 USD in the previous month, "
                                         "no HS10 row and no chapter total now")]
    assert [v for _, v in failures(con, "partner_chapters_not_vanished")] == [
        "5700 chapter 87: 20000000 USD in the previous month, no HS10 row and no chapter total "
        "now"]


def test_a_total_of_zero_from_the_source_lets_a_chapter_go(con):
    insert(con, "2024-02-01", "2024-04-05", "CTY_CODE=5880_I_COMMODITY=87", LAST_MONTH[:1])
    insert(con, "2024-03-01", "2024-05-05", "CTY_CODE=5880_COMM_LVL=HS2",
           [("5880", "87", "HS2", "0")])
    assert failures(con) == []


def test_a_chapter_the_previous_vintage_had(con):
    insert(con, "2024-03-01", "2024-05-05", "CTY_CODE=5880_I_COMMODITY=87", LAST_MONTH[:1])
    insert(con, "2024-03-01", "2024-06-05", "CTY_CODE=5880_I_COMMODITY=01", [LAST_MONTH[1]])
    assert failures(con) == [("2024-03", "5880 chapter 87: 40000000 USD in the previous "
                                         "vintage, no HS10 row and no chapter total now")]


def test_the_partner_check_is_the_japan_query_with_its_own_parameter(tmp_path):
    """One query, two contracts: the reusing check binds its own value; a reuse must name a
    check above it and carry no SQL of its own."""
    japan, partners = CHECKS["japan_chapters_not_vanished"], CHECKS[
        "partner_chapters_not_vanished"]
    assert partners.sql == japan.sql and "$japan" in japan.sql
    assert (dict(japan.binds), dict(partners.binds)) == ({"japan": True}, {"japan": False})
    bad = tmp_path / "raw.x.sql"
    for body in ("-- same_query_as: later\n", "-- same_query_as: a\nSELECT 1\n"):
        bad.write_text("-- name: a\n-- severity: error\n-- description: d\nSELECT 1\n"
                       "-- name: b\n-- severity: warning\n-- description: d\n" + body)
        with pytest.raises(ValueError, match="same_query_as names a check above it"):
            load_sql_checks(bad)
