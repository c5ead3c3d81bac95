"""A warehouse built by an older version of the code, on a real DuckDB file: tables whose rows
are recomputed (the ledger, the marts) are created again with the new columns; a table whose
rows cannot be recomputed in place (raw answers, monthly staging) is refused by name, with the
columns that differ and what to do."""

from datetime import date

import duckdb
import pytest

from pipelines.lib import incremental
from pipelines.lib.rules.audit import load_ledger_tables
from pipelines.lib.rules.ledger.loader import load_ledger
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import SchemaChanged, ensure_table


@pytest.fixture
def con(tmp_path, monkeypatch):
    monkeypatch.setenv("TARIFF_AUDIT_WAREHOUSE", str(tmp_path / "old.duckdb"))
    with duckdb.connect(str(tmp_path / "old.duckdb")) as con:
        con.execute("CREATE SCHEMA staging; CREATE SCHEMA marts; CREATE SCHEMA raw; "
                    "CREATE SCHEMA meta")
        yield con


def _columns(con, schema, table):
    return [c for (c,) in run(con, "SELECT column_name FROM duckdb_columns() WHERE "
                                   "schema_name = $s AND table_name = $t ORDER BY column_index",
                              {"s": schema, "t": table})]


def test_the_ledger_tables_of_an_older_version_are_rebuilt(con):
    # the ledger_rules of a version before low_kind existed
    con.execute("CREATE TABLE staging.ledger_rules (side VARCHAR, regime_id VARCHAR)")
    con.execute("INSERT INTO staging.ledger_rules VALUES ('us', 'old')")
    counts = load_ledger_tables(con, load_ledger())
    assert "low_kind" in _columns(con, "staging", "ledger_rules")
    assert run(con, "SELECT count(*) FROM staging.ledger_rules")[0][0] == counts["ledger_rules"]
    assert run(con, "SELECT count(*) FROM staging.ledger_rules WHERE regime_id = 'old'") == [(0,)]


def test_an_incremental_mart_of_an_older_version_is_recomputed_whole(con):
    ensure_table(con, "meta/mart_inputs")
    con.execute("CREATE TABLE marts.effective_rates_monthly (period DATE, old_column DOUBLE)")
    con.execute("INSERT INTO meta.mart_inputs VALUES ('marts.effective_rates_monthly', "
                "'2025-01-01', 'x', now()), ('marts.other', '2025-01-01', 'y', now())")
    ensure_table(con, "marts/effective_rates_monthly")
    assert "old_column" not in _columns(con, "marts", "effective_rates_monthly")
    # its bookkeeping is cleared: every month is stale again; other marts keep theirs
    assert run(con, "SELECT mart FROM meta.mart_inputs") == [("marts.other",)]
    assert incremental.stale_periods(
        con, "marts.effective_rates_monthly",
        {date(2025, 1, 1): "x"}) != []


def test_raw_answers_of_an_older_version_are_refused_by_name(con, tmp_path):
    con.execute("CREATE TABLE raw.census_imports (period DATE NOT NULL, i_commodity VARCHAR, "
                "legacy VARCHAR)")
    con.execute("INSERT INTO raw.census_imports VALUES ('2025-01-01', '8703230190', 'kept')")
    with pytest.raises(SchemaChanged) as error:
        ensure_table(con, "raw/census_imports")
    message = str(error.value)
    assert "raw.census_imports" in message and "sql/raw/census_imports.sql" in message
    assert "missing: " in message and "con_val_mo" in message
    assert "no longer used: legacy" in message
    assert str(tmp_path / "old.duckdb") in message and "make run" in message
    # nothing was dropped
    assert run(con, "SELECT legacy FROM raw.census_imports") == [("kept",)]


def test_a_current_table_is_left_alone(con):
    ensure_table(con, "raw/census_imports")
    con.execute("INSERT INTO raw.census_imports (period, request, fetched_at, vintage) "
                "VALUES ('2025-01-01', 'r', now(), now())")
    ensure_table(con, "raw/census_imports")
    assert run(con, "SELECT count(*) FROM raw.census_imports") == [(1,)]
