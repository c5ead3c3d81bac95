"""The contract that reconciles a month's HS10 rows with the API's chapter totals, on a real
DuckDB file: a country's own answers, all-partner answers (national scale, mineral lines) and
both at once count each line once; rows lost or doubled inside an answer are caught."""

from pathlib import Path

import pytest

from pipelines.lib.quality.sql_checks import load_sql_checks
from pipelines.lib.warehouse.execute import run
from tests.helpers import raw_census_imports

ROOT = Path(__file__).resolve().parents[2]
(CHECK,) = [c for c in load_sql_checks(ROOT / "sql/checks/raw.census_imports.sql")
            if c.check_name == "hs10_rows_add_up_to_chapter_totals"]
FETCHED = "2026-11-01 00:00:00"


@pytest.fixture
def con(tmp_path):
    with raw_census_imports(tmp_path / "w.duckdb") as con:
        yield con


def insert(con, request: str, rows: list[tuple[str, str, str, str]]) -> None:
    """rows: (country, commodity, level, value)"""
    for cty, commodity, level, value in rows:
        con.execute("INSERT INTO raw.census_imports (period, i_commodity, cty_code, con_val_mo, "
                    "comm_lvl, request, fetched_at, vintage) VALUES "
                    "('2024-03-01', ?, ?, ?, ?, ?, ?, ?)",
                    [commodity, cty, value, level, request, FETCHED, FETCHED])


def failures(con) -> list:
    return run(con, CHECK.sql, {"keys": ["2024-03-01"]})


COUNTRY = [("5880", "8703230190", "HS10", "700"), ("5880", "8708995000", "HS10", "300"),
           ("5880", "87", "HS2", "1000")]
WORLD = [("5880", "8703230190", "HS10", "700"), ("5880", "8708995000", "HS10", "300"),
         ("5700", "8703230190", "HS10", "50"), ("5880", "87", "HS2", "1000"),
         ("5700", "87", "HS2", "50")]


def test_a_country_s_own_answers_add_up(con):
    insert(con, "CTY_CODE=5880_COMM_LVL=HS10_I_COMMODITY=87", COUNTRY[:2])
    insert(con, "CTY_CODE=5880_COMM_LVL=HS2_I_COMMODITY=87", COUNTRY[2:])
    assert failures(con) == []


def test_all_partner_answers_alone_add_up(con):
    insert(con, "COMM_LVL=HS10_I_COMMODITY=87", [r for r in WORLD if r[2] == "HS10"])
    insert(con, "COMM_LVL=HS2_I_COMMODITY=87", [r for r in WORLD if r[2] == "HS2"])
    assert failures(con) == []


def test_a_line_answered_by_a_country_and_an_all_partner_request_counts_once(con):
    insert(con, "CTY_CODE=5880_COMM_LVL=HS10_I_COMMODITY=87", COUNTRY[:2])
    insert(con, "CTY_CODE=5880_COMM_LVL=HS2_I_COMMODITY=87", COUNTRY[2:])
    insert(con, "COMM_LVL=HS10_I_COMMODITY=8703230190", [WORLD[0], WORLD[2]])
    insert(con, "COMM_LVL=HS2_I_COMMODITY=87", [r for r in WORLD if r[2] == "HS2"])
    assert failures(con) == []


def test_a_row_doubled_inside_an_answer_or_a_lost_row_is_caught(con):
    insert(con, "COMM_LVL=HS10_I_COMMODITY=87",
           [WORLD[0], WORLD[0], WORLD[1]])  # Japan's 8703 row twice, Korea's row lost
    insert(con, "COMM_LVL=HS2_I_COMMODITY=87", [r for r in WORLD if r[2] == "HS2"])
    assert sorted(v for _, v in failures(con)) == [
        "5700 chapter 87: HS10 rows 0 vs total 50", "5880 chapter 87: HS10 rows 1700 vs total 1000"]
