"""The scorecard's completeness contract on a real DuckDB file: an empty scorecard is an error
when commitments had started by the report date, and expected when the trade data ends before
any commitment started (a warehouse of 2024 only, as the national benchmark builds)."""

from pathlib import Path

import duckdb
import pytest

from pipelines.lib.quality.sql_checks import load_sql_checks
from pipelines.lib.warehouse.execute import run

ROOT = Path(__file__).resolve().parents[2]
(CHECK,) = [c for c in load_sql_checks(ROOT / "sql/checks/marts.implementation_scorecard.sql")
            if c.check_name == "every_commitment_every_quarter"]


@pytest.fixture
def con(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts")
        con.execute("CREATE TABLE staging.ledger_commitments (commitment_id VARCHAR, "
                    "start_on DATE)")
        con.execute("INSERT INTO staging.ledger_commitments VALUES ('rice', '2025-09-04')")
        con.execute("CREATE TABLE staging.imports_monthly (period DATE)")
        con.execute("CREATE TABLE marts.implementation_scorecard (commitment_id VARCHAR, "
                    "quarter VARCHAR, as_of DATE)")
        yield con


@pytest.mark.parametrize(("last_month", "failing"), [
    ("2024-12-01", []),
    ("2025-12-01", [("all", "the scorecard is empty but the ledger has commitments started by "
                            "the report date")]),
])
def test_an_empty_scorecard_fails_only_once_commitments_have_started(con, last_month, failing):
    con.execute("INSERT INTO staging.imports_monthly VALUES (?)", [last_month])
    assert run(con, CHECK.sql) == failing


def test_a_commitment_missing_from_a_quarter_is_named(con):
    con.execute("INSERT INTO staging.imports_monthly VALUES ('2025-12-01')")
    con.execute("INSERT INTO staging.ledger_commitments VALUES ('energy', '2025-09-04')")
    con.execute("INSERT INTO marts.implementation_scorecard VALUES ('rice', '2025Q3', "
                "'2025-09-30'), ('rice', '2025Q4', '2025-12-31'), ('energy', '2025Q3', "
                "'2025-09-30')")
    assert run(con, CHECK.sql) == [("2025Q4", "energy")]
