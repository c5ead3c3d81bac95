"""The GX runner on real DuckDB files with small hand-made tables, and the shipped suites."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from pipelines.lib.paths import sql_dir
from pipelines.lib.quality import catalog, gx_runner
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.sql_files import statements
from pipelines.lib.warehouse.tables import ensure_table

TABLE = "shop.orders"


def _exp(type_: str, check: str, severity: str = "error", **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs,
            "meta": {"check_name": check, "severity": severity,
                     "description": f"{check.replace('_', ' ').capitalize()}."}}


EXPECTATIONS = [
    _exp("expect_column_values_to_match_regex", "code_format", column="code", regex=r"^\d{4}$"),
    _exp("expect_column_values_to_be_between", "value_non_negative", column="value",
         min_value=0),
    _exp("expect_column_pair_values_a_to_be_greater_than_b", "duty_within_value", "warning",
         column_A="value", column_B="duty", or_equal=True),
    _exp("expect_column_values_to_be_between", "duty_ratio_range", column="ratio",
         min_value=0, max_value=1),
    _exp("expect_column_values_to_be_in_set", "first_of_month", column="day_of_month",
         value_set=[1]),
    _exp("expect_compound_columns_to_be_unique", "key_unique", column_list=["period", "code"]),
]
DERIVED = {"ratio": "duty / nullif(value, 0)", "day_of_month": "day(period)"}


def write_suite(directory: Path, expectations=None, *, name: str = TABLE,
                partition_column: str | None = "period", derived=None, **overrides) -> Path:
    doc = {"name": name,
           "meta": {"tariff_audit": {"table": name, "partition_column": partition_column,
                                     "derived_columns": DERIVED if derived is None else derived}},
           "expectations": EXPECTATIONS if expectations is None else expectations,
           **overrides}
    path = directory / f"{name}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run(con, "CREATE SCHEMA shop")
    # note is never used by the suite; it stands for a wide or awkward column not to fetch
    run(con, "CREATE TABLE shop.orders (period DATE, code VARCHAR, value BIGINT, duty BIGINT, "
             "note VARCHAR)")
    run(con, """INSERT INTO shop.orders VALUES
        ('2025-01-01', '0001', 100, 10, 'a'), ('2025-01-01', '0002', 200, 0, 'b'),
        ('2025-01-01', '0003', 300, 30, 'c'), ('2025-01-01', '0004', 400, 40, 'd'),
        ('2025-02-01', '0001', 100, 10, 'e'), ('2025-02-01', '0002', 200, 20, 'f')""")
    yield con
    con.close()


@pytest.fixture
def suite(tmp_path) -> gx_runner.Suite:
    return gx_runner.load_suite(write_suite(tmp_path))


def by_name(outcomes) -> dict[str, gx_runner.ExpectationOutcome]:
    return {o.check_name: o for o in outcomes}


# --- validation ---------------------------------------------------------------------------


def test_a_clean_table_passes_every_expectation(con, suite):
    outcomes = gx_runner.validate_table(con, suite)
    assert [o.check_name for o in outcomes] == [e["meta"]["check_name"] for e in EXPECTATIONS]
    assert all(o.success for o in outcomes), [o for o in outcomes if not o.success]
    code = by_name(outcomes)["code_format"]
    assert (code.element_count, code.unexpected_count, code.unexpected_percent,
            code.sample) == (6, 0, 0.0, [])
    assert (code.expectation_type, code.column) == ("expect_column_values_to_match_regex",
                                                    "code")


def test_a_failing_row_is_counted_and_sampled(con, suite):
    run(con, "INSERT INTO shop.orders VALUES ('2025-01-01', 'X9', 50, 5, 'g'), "
             "('2025-01-01', '0009', -7, 0, 'h')")
    got = by_name(gx_runner.validate_table(con, suite))
    code = got["code_format"]
    assert not code.success
    assert (code.element_count, code.unexpected_count, code.sample) == (8, 1, ["X9"])
    assert code.unexpected_percent == pytest.approx(12.5)
    assert (code.severity, code.description) == ("error", "Code format.")
    value = got["value_non_negative"]
    assert (value.success, value.unexpected_count, value.sample) == (False, 1, [-7])
    assert got["key_unique"].success
    json.dumps([o.sample for o in got.values()])  # plain values only


def test_severity_and_description_come_from_the_suite(con, suite):
    run(con, "INSERT INTO shop.orders VALUES ('2025-01-01', '0005', 10, 20, 'g')")
    duty = by_name(gx_runner.validate_table(con, suite))["duty_within_value"]
    assert (duty.success, duty.severity, duty.description) == (False, "warning",
                                                               "Duty within value.")
    assert duty.column == "value, duty" and duty.sample == ["(10, 20)"]


def test_partition_keys_restrict_the_rows(con, suite):
    run(con, "INSERT INTO shop.orders VALUES ('2025-02-01', 'bad', 1, 0, 'g')")
    january = by_name(gx_runner.validate_table(con, suite, ["2025-01-01"]))
    assert all(o.success for o in january.values())
    assert january["code_format"].element_count == 4
    february = by_name(gx_runner.validate_table(con, suite, ["2025-02-01"]))
    assert february["code_format"].sample == ["bad"]
    assert february["code_format"].element_count == 3
    both = by_name(gx_runner.validate_table(con, suite, ["2025-01-01", "2025-02-01"]))
    assert both["code_format"].element_count == 7
    assert by_name(gx_runner.validate_table(con, suite, []))["code_format"].element_count == 0


def test_partition_keys_are_parameters_not_sql(con, suite):
    keys = ["2025-01-01' OR 1=1 --"]
    assert by_name(gx_runner.validate_table(con, suite, keys))["code_format"].element_count == 0


def test_derived_columns_are_computed_by_duckdb(con, suite):
    run(con, "INSERT INTO shop.orders VALUES ('2025-03-15', '0001', 100, 250, 'g')")
    got = by_name(gx_runner.validate_table(con, suite))
    assert (got["duty_ratio_range"].success, got["duty_ratio_range"].sample) == (False, [2.5])
    assert (got["first_of_month"].unexpected_count, got["first_of_month"].sample) == (1, [15])


def test_only_the_needed_columns_are_read(con, tmp_path):
    # A view whose extra column cannot be computed: reading it (SELECT *) fails.
    run(con, "CREATE VIEW shop.orders_view AS SELECT *, 'n/a'::INTEGER AS broken "
             "FROM shop.orders")
    with pytest.raises(duckdb.ConversionException):
        con.sql("SELECT * FROM shop.orders_view").df()
    suite = gx_runner.load_suite(write_suite(tmp_path, name="shop.orders_view"))
    assert gx_runner.needed_columns(suite) == ["code", "value", "duty", "period"]
    assert all(o.success for o in gx_runner.validate_table(con, suite))


def test_table_level_expectations(con, tmp_path):
    columns = ["period", "code", "value", "duty", "note"]
    expectations = [
        _exp("expect_table_columns_to_match_set", "columns", column_set=columns,
             exact_match=True),
        _exp("expect_table_row_count_to_be_between", "enough_rows", min_value=5),
    ]
    suite = gx_runner.load_suite(write_suite(tmp_path, expectations, derived={}))
    assert gx_runner.needed_columns(suite) == []  # presence is read from the schema
    assert all(o.success for o in gx_runner.validate_table(con, suite))
    january = by_name(gx_runner.validate_table(con, suite, ["2025-02-01"]))
    assert not january["enough_rows"].success and january["enough_rows"].sample == [2]
    run(con, "ALTER TABLE shop.orders DROP COLUMN note")
    run(con, "ALTER TABLE shop.orders ADD COLUMN extra INTEGER")
    presence = by_name(gx_runner.validate_table(con, suite))["columns"]
    assert not presence.success
    assert presence.sample == ["missing: note", "unexpected: extra"]
    assert presence.unexpected_count is None and presence.element_count == 6


def test_an_expectation_that_errors_is_a_failed_outcome(con, tmp_path):
    expectations = EXPECTATIONS + [
        _exp("expect_column_values_to_not_be_null", "ghost_present", column="ghost")]
    suite = gx_runner.load_suite(write_suite(tmp_path, expectations))
    got = by_name(gx_runner.validate_table(con, suite))
    ghost = got["ghost_present"]
    assert not ghost.success and ghost.sample == []
    assert ghost.description.startswith("Ghost present. (could not be evaluated:")
    assert '"ghost"' in ghost.description
    assert all(o.success for name, o in got.items() if name != "ghost_present")


def test_a_table_that_cannot_be_read_fails_its_expectations(con, tmp_path):
    suite = gx_runner.load_suite(write_suite(tmp_path, derived={"ratio": "duty / ghost"}))
    run(con, "BEGIN TRANSACTION")
    got = gx_runner.validate_table(con, suite)
    assert not any(o.success for o in got)
    assert "table not read" in got[0].description and "ghost" in got[0].description
    assert run(con, "SELECT count(*) FROM shop.orders") == [(6,)]  # the transaction lives on
    run(con, "ROLLBACK")
    missing = gx_runner.load_suite(write_suite(tmp_path, name="shop.gone"))
    assert not any(o.success for o in gx_runner.validate_table(con, missing))


def test_validate_frame_on_a_pandas_frame(suite):
    frame = pd.DataFrame({
        "period": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-02"]),
        "code": ["0001", "0002", "0002"], "value": [10, 20, 30], "duty": [1, 2, 3],
        "ratio": [0.1, 0.1, 0.1], "day_of_month": [1, 1, 2]})
    got = by_name(gx_runner.validate_frame(suite, frame))
    assert got["first_of_month"].sample == [2]
    assert got["code_format"].success and got["key_unique"].success


def test_an_unpartitioned_suite_refuses_partition_keys(con, tmp_path):
    suite = gx_runner.load_suite(write_suite(tmp_path, partition_column=None))
    with pytest.raises(ValueError, match="not partitioned"):
        gx_runner.validate_table(con, suite, ["2025-01-01"])


def test_gx_prints_no_progress_bars(con, suite, capfd):
    gx_runner.validate_table(con, suite)
    out, err = capfd.readouterr()
    assert "Calculating Metrics" not in err + out and "%|" not in err


# --- an empty batch -----------------------------------------------------------------------


def test_an_empty_batch_passes_row_level_expectations_and_fails_those_demanding_rows(
        con, tmp_path):
    """A month with no rows has nothing unexpected; only an expectation that demands rows
    fails, and its reason says "no rows" rather than "0 unexpected"."""
    expectations = EXPECTATIONS + [
        _exp("expect_table_row_count_to_be_between", "enough_rows", min_value=1)]
    suite = gx_runner.load_suite(write_suite(tmp_path, expectations))
    empty = by_name(gx_runner.validate_table(con, suite, ["2025-03-01"]))
    assert {n for n, o in empty.items() if not o.success} == {"enough_rows"}
    assert all(o.reason is None and o.element_count == 0 for n, o in empty.items()
               if n != "enough_rows")
    assert empty["enough_rows"].reason == (
        "no rows (expect_table_row_count_to_be_between: min_value=1)")
    frame = pd.DataFrame({c: pd.Series(dtype=t) for c, t in (
        ("period", "datetime64[ns]"), ("code", "object"), ("value", "int64"),
        ("duty", "int64"), ("ratio", "float64"), ("day_of_month", "int64"))})
    in_gx = by_name(gx_runner.validate_frame(suite, frame))  # GX's own verdicts, no SQL
    assert {n for n, o in in_gx.items() if not o.success} == {"enough_rows"}
    assert in_gx["enough_rows"].reason.startswith("no rows")


def test_every_shipped_suite_passes_an_empty_table_but_for_expectations_demanding_rows():
    con = _every_ddl_table()
    demanding = {"expect_table_row_count_to_equal", "expect_table_row_count_to_be_between"}
    for name, suite in gx_runner.load_suites().items():
        keys = ["2025-10-01"] if suite.partition_column else None
        for o in gx_runner.validate_table(con, suite, keys):
            assert o.success != (o.expectation_type in demanding), (name, o)
            assert o.success or o.reason.startswith("no rows"), (name, o)
    con.close()


def test_a_failure_without_unexpected_rows_says_why(con, tmp_path):
    observed = gx_runner.load_suite(write_suite(tmp_path, [
        _exp("expect_table_row_count_to_be_between", "enough_rows", min_value=5)]))
    (few,) = gx_runner.validate_table(con, observed, ["2025-02-01"])
    assert few.reason == "observed 2 (expect_table_row_count_to_be_between: min_value=5)"
    gone = gx_runner.load_suite(write_suite(tmp_path, name="shop.gone"))
    for o in gx_runner.validate_table(con, gone, ["2025-02-01"]):
        assert o.reason.startswith("not evaluated: table not read: Catalog Error")
        assert "gone" in o.reason


def test_a_blocking_failure_names_a_failing_value_or_the_reason(tmp_path):
    """The step's error line for the shipped contracts: "no rows" and where for an empty
    batch, the reason for a table that could not be read; never a bare "0 unexpected"."""
    from pipelines.defs.quality import checks

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_table(con, "staging/ledger")  # the ledger's tables, staging.ledger_about empty
    failed = checks.blocking(checks.evaluate(con, "staging.ledger_about"))
    text = checks.failure("staging.ledger_about", failed).description
    assert text.endswith("downstream assets do not run: one_row: no rows "
                         "(expect_table_row_count_to_equal: value=1)"), text
    # a month of exports on a warehouse without the table
    failed = checks.blocking(checks.evaluate(con, "raw.census_exports", ["2025-10-01"]))
    assert {o.check_name for o in failed} == {"columns_match_ddl", "time_format",
                                              "time_matches_period", "period_is_first_of_month"}
    text = checks.failure("raw.census_exports", failed).description
    assert "0 unexpected" not in text
    assert "columns_match_ddl: not evaluated: raw.census_exports does not exist" in text
    for o in failed:
        if o.check_name == "columns_match_ddl":  # the catalog, once, whatever the partition
            continue
        assert (f"{o.check_name}: not evaluated: table not read: Catalog Error: Table with "
                "name census_exports does not exist") in text
        assert o.failing_partitions == ("2025-10-01",)
    # once it exists, the empty month passes
    ensure_table(con, "raw/census_exports")
    assert not checks.blocking(checks.evaluate(con, "raw.census_exports", ["2025-10-01"]))
    con.close()


# --- loading ------------------------------------------------------------------------------


def _bad(expectations=None, **overrides):
    return lambda d: write_suite(d, expectations, **overrides)


def _rewrite(text: str):
    def write(d: Path) -> Path:
        path = d / f"{TABLE}.json"
        path.write_text(text, encoding="utf-8")
        return path
    return write


MISSING_NAME = [{**EXPECTATIONS[0], "meta": {"severity": "error", "description": "x."}}]
BAD_SEVERITY = [{**EXPECTATIONS[0], "meta": {**EXPECTATIONS[0]["meta"], "severity": "fatal"}}]
NO_DESCRIPTION = [{**EXPECTATIONS[0], "meta": {"check_name": "a", "severity": "error"}}]


@pytest.mark.parametrize(("write", "message"), [
    (_rewrite("{not json"), "not a readable JSON file"),
    (_rewrite("[]"), "a suite is a JSON object"),
    (_bad(MISSING_NAME), "meta.check_name"),
    (_bad([EXPECTATIONS[0], EXPECTATIONS[0]]), "duplicate check_name 'code_format'"),
    (_bad(BAD_SEVERITY), "meta.severity"),
    (_bad(NO_DESCRIPTION), "meta.description"),
    (_bad([_exp("expect_column_values_to_be_betwen", "typo", column="value")]),
     "GX rejects expect_column_values_to_be_betwen"),
    (_bad([_exp("expect_column_values_to_be_between", "bad_kwarg", column="value",
                min_val=0)]), "min_val"),
    (_bad([_exp("expect_column_values_to_match_regex", "bad_regex", column="code",
                regex="((")]), "invalid regex"),
    (_bad([_exp("expect_column_values_to_match_regex", "group", column="code",
                regex="^(a|b)$")]), "capturing group"),
    (_bad([]), "non-empty list"),
    (_bad(expectation_suite_name=TABLE), "GX 0.x"),
    (_bad(partition_column="period; DROP TABLE x"), "partition_column"),
    (_bad(derived={"Bad Name": "1"}), "derived_columns"),
    (_rewrite(json.dumps({"name": "other.table", "expectations": EXPECTATIONS})), "'name'"),
    (_rewrite(json.dumps({"name": TABLE, "expectations": EXPECTATIONS})), "meta.tariff_audit"),
])
def test_a_malformed_suite_is_refused_naming_the_file(tmp_path, write, message):
    path = write(tmp_path)
    with pytest.raises(ValueError) as err:
        gx_runner.load_suite(path)
    assert str(path) in str(err.value) and message in str(err.value), str(err.value)


def test_load_suites_keys_by_name(tmp_path):
    write_suite(tmp_path)
    write_suite(tmp_path, name="shop.returns")
    (tmp_path / "notes.txt").write_text("not a suite")
    assert sorted(gx_runner.load_suites(tmp_path)) == ["shop.orders", "shop.returns"]


# --- the shipped suites -------------------------------------------------------------------


def _every_ddl_table() -> duckdb.DuckDBPyConnection:
    """An in-memory database holding every table the DDL in sql/<schema>/<table>.sql creates,
    empty."""
    con = duckdb.connect()
    for path in sorted(sql_dir().glob("*/*.sql")):
        run(con, f"CREATE SCHEMA IF NOT EXISTS {path.parent.name}")
        ddl = statements(f"{path.parent.name}/{path.stem}").get("ddl")
        if ddl:
            run(con, ddl)
    return con


def _ddl_columns() -> dict[str, dict[str, bool]]:
    """Every table the DDL in sql/<schema>/<table>.sql creates: column -> whether NOT NULL."""
    con = _every_ddl_table()
    rows = run(con, "SELECT schema_name || '.' || table_name, column_name, NOT is_nullable "
                    "FROM duckdb_columns() WHERE NOT internal ORDER BY column_index")
    con.close()
    tables: dict[str, dict[str, bool]] = {}
    for table, column, not_null in rows:
        tables.setdefault(table, {})[column] = not_null
    return tables


def test_every_shipped_suite_loads_with_unique_check_names():
    suites = gx_runner.load_suites()
    assert len(suites) >= 18
    for name, suite in suites.items():
        checks = [e["meta"]["check_name"] for e in suite.expectations]
        assert len(checks) == len(set(checks)), name
        assert suite.path.name == f"{name}.json" and suite.table == name
        assert {e["meta"]["severity"] for e in suite.expectations} <= {"error", "warning"}


def test_every_shipped_suite_matches_a_ddl_table_and_does_not_restate_it():
    """The DDL is the column contract (columns_match_ddl reads the catalog): a suite names a
    DDL table, uses only its columns, and says nothing the DDL already says."""
    tables = _ddl_columns()
    for name, suite in gx_runner.load_suites().items():
        schema, _ = name.split(".")
        assert (sql_dir() / schema).is_dir() and name in tables, f"{name}: no DDL in sql/"
        assert catalog.wanted_columns(name) is not None, name
        used = set(gx_runner.needed_columns(suite))
        assert used <= set(tables[name]), f"{name}: unknown columns {used - set(tables[name])}"
        if suite.partition_column:
            assert suite.partition_column in tables[name], name
        for e in suite.expectations:
            check = f"{name}: {e['meta']['check_name']}"
            assert e["type"] not in gx_runner.SCHEMA_EXPECTATIONS | {
                "expect_column_values_to_be_in_type_list", "expect_column_values_to_be_of_type"
            }, f"{check} restates the DDL's columns or types"
            if e["type"] == "expect_column_values_to_not_be_null":
                assert not tables[name].get(e["kwargs"]["column"]), (
                    f"{check} restates the DDL's NOT NULL")


def test_columns_match_ddl_reads_the_catalog(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    missing = catalog.check_columns(con, "raw.census_exports")
    assert not missing.success and missing.reason == (
        "not evaluated: raw.census_exports does not exist")
    ensure_table(con, "raw/census_exports")
    assert catalog.check_columns(con, "raw.census_exports").success
    run(con, "ALTER TABLE raw.census_exports DROP COLUMN vintage")
    run(con, "ALTER TABLE raw.census_exports ADD COLUMN extra INTEGER")
    run(con, "ALTER TABLE raw.census_exports ALTER COLUMN period TYPE INTEGER USING 1")
    drifted = catalog.check_columns(con, "raw.census_exports")
    assert not drifted.success and drifted.unexpected_count == 3
    assert drifted.sample == ["missing: vintage", "unexpected: extra",
                              "type changed: period DATE -> INTEGER"]
    con.close()


def test_the_imports_suite_catches_each_broken_contract(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    run(con, "CREATE SCHEMA staging")
    ensure_table(con, "staging/imports_monthly")
    columns = [r[0] for r in run(con, "SELECT column_name FROM duckdb_columns() "
                                      "WHERE table_name = 'imports_monthly'")]
    good = {"period": "2025-10-01", "cty_code": "5880", "cty_name": "JAPAN",
            "hs10": "8703230190", "description": "CARS", "summary_lvl": "DET",
            "con_val": 1000, "gen_val": 1000, "dut_val": 900, "cal_dut": 150,
            "con_qty1": 2.0, "unit_qty1": "NO", "rate_provision": "61",
            "last_update": "2025-12-05"}
    rows = [good, {**good, "rate_provision": "69"},
            {**good, "hs10": "870323", "rate_provision": "00"},      # hs10_format
            {**good, "cty_code": "JP"},                                # cty_code_format
            {**good, "period": "2025-10-02", "rate_provision": "64"},  # first of month
            {**good, "dut_val": 2000, "rate_provision": "10"},         # dutiable > customs
            {**good, "cal_dut": 3000, "rate_provision": "79"},         # duty > 175% (warning)
            {**good, "cal_dut": -1, "rate_provision": "70"},           # negative duty
            {**good, "description": "CARS AGAIN"}]                     # key of the first row
    for row in rows:
        names = [c for c in columns if c in row]
        run(con, f"INSERT INTO staging.imports_monthly ({', '.join(names)}) VALUES "
                 f"({', '.join('?' for _ in names)})", [row[c] for c in names])
    suite = gx_runner.load_suites()["staging.imports_monthly"]
    failed = {o.check_name: o for o in gx_runner.validate_table(con, suite) if not o.success}
    con.close()
    assert set(failed) == {"hs10_format", "cty_code_format", "period_is_first_of_month",
                           "dutiable_within_customs_value", "duty_within_175_percent_of_value",
                           "calculated_duty_non_negative", "natural_key_unique"}
    assert failed["duty_within_175_percent_of_value"].severity == "warning"
    assert failed["hs10_format"].sample == ["870323"]
    assert failed["natural_key_unique"].unexpected_count == 2


def test_a_suite_is_one_asset_check_and_each_sql_contract_another():
    """One check evaluation per table and SQL contract: the suite's expectations and the
    columns contract report in the metadata of ``expectations``, blocking on its error ones;
    a failing warning alone fails it with severity WARN (downstream runs)."""
    from pipelines.defs.quality import checks

    table = "staging.imports_monthly"
    sql = [c.check_name for c in checks.sql_checks()[table]]
    specs = checks.specs(table)
    assert [s.name for s in specs] == ["expectations", *sql]
    assert specs[0].blocking
    contracts = checks.suite_contracts(table)
    assert contracts[0][0] == "columns_match_ddl"
    assert len(contracts) == 1 + len(checks.suites()[table].expectations)

    def outcomes(failing: str | None) -> list:
        out = [checks.Outcome(name, severity, description)
               for name, severity, description in checks._contracts(table)]
        for o in out:
            if o.check_name == failing:
                o.add("2025-10-01", False, 10, 2, ["870323"])
        return out

    def by_name(failing):
        return {r.check_name: r for r in checks.results(table, outcomes(failing))}

    assert set(by_name(None)) == {"expectations", *sql}
    assert all(r.passed for r in by_name(None).values())
    warned = by_name("duty_within_175_percent_of_value")["expectations"]
    assert not warned.passed and warned.severity == dg.AssetCheckSeverity.WARN
    failed = by_name("hs10_format")["expectations"]
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.ERROR
    (row,) = [r for r in failed.metadata["results"].value if not r["passed"]]
    assert row == {"contract": "hs10_format", "severity": "error", "passed": False,
                   "unexpected_count": 2, "unexpected_percent": 20.0, "element_count": 10,
                   "failing_partitions": "2025-10-01", "sample": ["870323"]}
    assert failed.metadata["failed_contracts"].value.startswith(
        "[error] hs10_format: 2 unexpected in 2025-10-01")
    assert by_name("all_countries_every_chapter")["all_countries_every_chapter"].severity == (
        dg.AssetCheckSeverity.ERROR)


def test_the_code_location_has_tens_of_asset_checks_not_hundreds():
    from pipelines.defs.quality import checks

    tables = set(checks.suites()) | set(checks.sql_checks())
    names = [s.name for t in tables for s in checks.specs(t)]
    assert len(names) == len(checks.suites()) + sum(map(len, checks.sql_checks().values()))
