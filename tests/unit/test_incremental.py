"""Incremental runs: which Census months to load, which mart months to recompute."""

from __future__ import annotations

import json
import os
from datetime import date, datetime

import duckdb
import polars as pl
import pytest

from pipelines.lib import incremental
from pipelines.lib.sources.hts.reader import install_release_starts
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_table


def _month(root, endpoint, period, rows=((1, "2026-06-04"),), names=("a.json", "b.json")):
    """A month of answers: each file a header and ``rows`` of (value, LAST_UPDATE)."""
    folder = root / "census" / endpoint / period
    folder.mkdir(parents=True, exist_ok=True)
    header = ["I_COMMODITY", "CTY_CODE", "CON_VAL_MO", "CAL_DUT_MO", "LAST_UPDATE", "time"]
    for name in names:
        (folder / name).write_text(json.dumps([header] + [
            ["8703230190", "5880", str(value), "0", day, period] for value, day in rows]))
    return folder


def _recorded(con, root, endpoint, months):
    for month in months:
        incremental.record_load(con, incremental.CENSUS[endpoint], month,
                                incremental.month_digest(root, endpoint, month))


def test_months_whose_files_changed_are_loaded_wherever_the_change_is(tmp_path):
    """A month is loaded when its files are not those it was last loaded from: new, revised in
    any row (Census's revision date in a later row only), a landing record added; files
    touched or copied with other times but the same bytes are not loaded again."""
    for month in ("2024-01", "2024-02", "2024-03", "2024-04"):
        _month(tmp_path, "imports_hs", month, rows=[(1, "2026-06-04"), (2, "2026-06-04")])
    (tmp_path / "census" / "imports_hs" / "2024-05").mkdir()  # nothing in it: left to the load
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert incremental.months_to_load(con, tmp_path, "imports_hs") == [
        "2024-01", "2024-02", "2024-03", "2024-04"]  # nothing recorded: every month
    _recorded(con, tmp_path, "imports_hs", ["2024-01", "2024-02", "2024-03"])
    assert incremental.months_to_load(con, tmp_path, "imports_hs") == ["2024-04"]
    _month(tmp_path, "imports_hs", "2024-02", rows=[(1, "2026-06-04"), (3, "2026-09-01")],
           names=("b.json",))                       # revised in its second row only
    record = tmp_path / "census" / "imports_hs" / "2024-03" / "landing.jsonl"
    record.write_text('{"file": "a.json", "status": 200, "fetched_at": "2026-12-01T08:30:00"}\n')
    for path in (tmp_path / "census" / "imports_hs" / "2024-01").iterdir():
        os.utime(path, (0, 0))                      # same bytes, another time
    assert incremental.months_to_load(con, tmp_path, "imports_hs") == [
        "2024-02", "2024-03", "2024-04"]
    assert incremental.months_to_load(con, tmp_path, "exports_hs") == []


def test_releases_whose_export_changed_are_loaded(tmp_path):
    """Releases are compared by the digest of their export, not by name; in live mode a
    release not landed yet is loaded when it never was."""
    hts = tmp_path / "hts"
    hts.mkdir()
    for name in ("2025HTSBasic", "2025HTSRev7"):
        (hts / f"{name}.json").write_text('[{"htsno": "8703.23.01", "general": "2.5%"}]')
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    releases = ["2025HTSBasic", "2025HTSRev7", "2025HTSRev9"]
    assert incremental.releases_to_load(con, tmp_path, releases) == releases
    for name in releases[:2]:
        path = hts / f"{name}.json"
        incremental.record_load(con, incremental.HTS, name,
                                incremental.files_digest([path], hts))
    incremental.record_load(con, incremental.HTS, "2025HTSRev9", "loaded before, not landed")
    assert incremental.releases_to_load(con, tmp_path, releases) == []
    (hts / "2025HTSRev7.json").write_text('[{"htsno": "8703.23.01", "general": "3.5%"}]')
    assert incremental.releases_to_load(con, tmp_path, releases) == ["2025HTSRev7"]


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_table(con, "staging/imports_monthly")
    ensure_table(con, "marts/unrated_value_monthly")
    rows = [("2024-01-01", "5880", "8703230190", 1000, 150, "2024-03-05"),
            ("2024-01-01", "5880", "3004900000", 500, 0, "2024-03-05"),
            ("2024-02-01", "5880", "8703230190", 2000, 300, "2024-04-05")]
    for period, country, hs10, value, duty, vintage in rows:
        run(con, "INSERT INTO staging.imports_monthly (period, cty_code, cty_name, hs10, "
                 "con_val, dut_val, cal_dut, rate_provision, vintage) VALUES "
                 "(?, ?, 'JAPAN', ?, ?, ?, ?, '61', ?)",
            [period, country, hs10, value, value, duty, vintage])
    con.register("_sector_prefixes", pl.DataFrame({"prefix": ["8703", "30"],
                                                   "sector": ["autos", "pharma"]}))
    yield con
    con.close()


def refresh(con, mart: str, salt: str, code_version: str = "v1") -> list[date]:
    return incremental.refresh_months(con, mart, salt=salt, code_version=code_version)


def _rates(con) -> dict:
    return dict(run(con, "SELECT period::VARCHAR || '/' || sector, cal_dut "
                         "FROM marts.effective_rates_monthly ORDER BY 1"))


def test_a_mart_recomputes_only_the_months_whose_inputs_changed(con):
    mart = "marts/effective_rates_monthly"
    assert refresh(con, mart, "s1") == [date(2024, 1, 1),
                                                               date(2024, 2, 1)]
    first = _rates(con)
    assert first["2024-01-01/all"] == 150 and first["2024-02-01/autos"] == 300
    assert refresh(con, mart, "s1") == []  # nothing changed
    # a new vintage of February: only February is recomputed
    run(con, "UPDATE staging.imports_monthly SET cal_dut = 400, vintage = '2025-04-05' "
             "WHERE period = '2024-02-01'")
    assert refresh(con, mart, "s1") == [date(2024, 2, 1)]
    assert _rates(con) == {**first, "2024-02-01/all": 400, "2024-02-01/autos": 400}
    # the unrated value of January changed (a new HTS release, the ledger's units: the
    # unrated mart is rebuilt whole): January is recomputed with its new rated share
    run(con, "INSERT INTO marts.unrated_value_monthly VALUES "
             "('2024-01-01', '5880', 'pharma', 'no_quantity', 500, 1)")
    assert refresh(con, mart, "s1") == [date(2024, 1, 1)]
    assert run(con, "SELECT rated_value_share, unrated_value_usd FROM "
                    "marts.effective_rates_monthly WHERE period = '2024-01-01' "
                    "AND sector = 'pharma'") == [(0.0, 500)]
    # what every month depends on (the ledger's sectors) changed: every month
    assert len(refresh(con, mart, "s2")) == 2
    # so does a new version of the mart's own code, and only once
    assert len(refresh(con, mart, "s2", "v2")) == 2
    assert refresh(con, mart, "s2", "v2") == []
    # a month gone from staging leaves the mart too
    run(con, "DELETE FROM staging.imports_monthly WHERE period = '2024-01-01'")
    assert refresh(con, mart, "s2", "v2") == [
        date(2024, 1, 1)]
    assert {k[:10] for k in _rates(con)} == {"2024-02-01"}
    assert run(con, "SELECT mart, period FROM meta.mart_inputs") == [
        ("marts.effective_rates_monthly", date(2024, 2, 1))]


def test_frame_hash_ignores_row_order():
    a = pl.DataFrame({"prefix": ["8703", "30"], "sector": ["autos", "pharma"]})
    assert incremental.frame_hash(a) == incremental.frame_hash(a.reverse())
    assert incremental.frame_hash(a) != incremental.frame_hash(a.head(1))


def test_vintages_dated_by_file_time_give_way_to_the_source_date(tmp_path):
    """A warehouse loaded when vintages were the files' mtime holds the same revision under a
    later timestamp; loading it dated by LAST_UPDATE replaces that vintage, so a later revision
    can still become the latest."""
    from pipelines.lib.sources.census import reader as census
    from pipelines.lib.warehouse.transactions import transaction

    header = ["I_COMMODITY", "CTY_CODE", "CON_VAL_MO", "CAL_DUT_MO", "LAST_UPDATE", "time"]
    path = tmp_path / "census" / "imports_hs" / "2025-10" / "CTY_CODE=5880.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps([header, ["8703230190", "5880", "10", "1", "2026-06-04",
                                         "2025-10"]]))
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with transaction(con):
        census.load_raw_month(con, "imports_hs", "2025-10", [path], tmp_path)
    run(con, "UPDATE raw.census_imports SET vintage = '2026-12-07 05:50:00'")  # the old dating
    with transaction(con):
        census.load_raw_month(con, "imports_hs", "2025-10", [path], tmp_path)
    assert run(con, "SELECT DISTINCT vintage FROM raw.census_imports") == [
        (datetime(2026, 6, 4),)]
    con.close()


def _unrated(con) -> dict:
    return dict(run(con, "SELECT period::VARCHAR || '/' || hs_reason, lines FROM ("
                         "SELECT *, sector || ':' || reason AS hs_reason "
                         "FROM marts.unrated_value_monthly) ORDER BY 1"))


def test_the_unrated_value_recomputes_only_the_months_of_a_changed_release(con):
    """marts.unrated_value_monthly by month: a month is recomputed when its imports change, or
    the lines of the release in force in it, or the ledger's unit conversions; not otherwise."""
    ensure_table(con, "staging/hts_lines")
    ensure_table(con, "raw/hts_releases")
    ensure_table(con, "staging/ledger")
    run(con, "INSERT INTO raw.hts_releases (release, release_start_date) VALUES "
             "('2024HTSBasic', '2024-01-01'), ('2024HTSRev1', '2024-02-01')")
    for release in ("2024HTSBasic", "2024HTSRev1"):  # cars free, medicines specific per kg
        run(con, "INSERT INTO staging.hts_lines (release, hs10, hs8, chapter, rate_kind, "
                 "specific_unit) VALUES (?, '8703230190', '87032301', '87', 'free', NULL), "
                 "(?, '3004900000', '30049000', '30', 'specific', 'kg')", [release, release])
    install_release_starts(con)  # as the asset does
    mart = "marts/unrated_value_monthly"
    assert refresh(con, mart, "s") == [date(2024, 1, 1),
                                                              date(2024, 2, 1)]
    # January's medicines have no quantity: unrated; February has no medicines
    assert _unrated(con) == {"2024-01-01/pharma:no_quantity": 1}
    assert refresh(con, mart, "s") == []
    # the release in force in February changes: February only
    run(con, "UPDATE staging.hts_lines SET rate_kind = 'text' WHERE release = '2024HTSRev1' "
             "AND hs10 = '8703230190'")
    assert refresh(con, mart, "s") == [date(2024, 2, 1)]
    assert _unrated(con) == {"2024-01-01/pharma:no_quantity": 1,
                             "2024-02-01/autos:rate_not_numeric": 1}
    # the ledger's unit conversions: every month
    run(con, "INSERT INTO staging.ledger_units VALUES ('KG', 'kg', 1)")
    assert len(refresh(con, mart, "s")) == 2


def test_a_whole_mart_is_rebuilt_only_when_its_inputs_change(con):
    """rebuild_if_changed: the build runs on the first call, when a row of an input (or of a
    table a prefix pattern covers) changes, when a parameter changes and when the mart is
    gone; inputs outside the row filter or other tables do not count."""
    builds = []

    def build():
        builds.append(1)
        run(con, "CREATE OR REPLACE TABLE marts.effective_rates_monthly AS "
                 "SELECT 1 AS x")

    ensure_table(con, "staging/ledger")
    inputs = {"staging.imports_monthly": "cty_code = $country", "staging.ledger_*": None}

    def again(country="5880", code="v1"):
        return incremental.rebuild_if_changed(con, "marts/effective_rates_monthly", inputs,
                                              build, {"country": country}, code_version=code)

    assert again() and len(builds) == 1
    assert not again() and len(builds) == 1
    run(con, "INSERT INTO staging.imports_monthly (period, cty_code, hs10, con_val, "
             "rate_provision, vintage) VALUES ('2024-01-01', '5700', '8703230190', 9, '61', "
             "'2024-03-05')")  # another partner: outside the filter
    assert not again()
    run(con, "UPDATE staging.imports_monthly SET con_val = 1001 WHERE cty_code = '5880' "
             "AND con_val = 1000")
    assert again() and len(builds) == 2
    run(con, "INSERT INTO staging.ledger_units VALUES ('KG', 'kg', 1)")
    assert again() and not again()
    assert again(country="5700") and len(builds) == 4
    # a new version of the mart's own SQL or builder (its asset's code version)
    assert again(country="5700", code="v2") and len(builds) == 5
    assert not again(country="5700", code="v2")
    run(con, "DROP TABLE marts.effective_rates_monthly")
    assert again(country="5700", code="v2") and len(builds) == 6
    assert run(con, "SELECT mart, period FROM meta.mart_inputs") == [
        ("marts.effective_rates_monthly", incremental.WHOLE)]


def test_an_edited_copy_of_the_ledger_rebuilds_every_mart(con, tmp_path, monkeypatch):
    """The issue's probe: TARIFF_AUDIT_LEDGER_DIR pointing at a copy of the ledger with another
    tolerance in audit.yaml (a value no staging table holds) left the line audit "unchanged;
    kept". Every file of the ledger in use is part of every fingerprint, monthly or whole."""
    import shutil

    from pipelines.lib.paths import LEDGER_DIR

    copy = tmp_path / "ledger"
    shutil.copytree(LEDGER_DIR, copy)
    monkeypatch.setenv("TARIFF_AUDIT_LEDGER_DIR", str(copy))
    builds = []

    def build():
        builds.append(1)
        run(con, "CREATE OR REPLACE TABLE marts.japan_line_audit AS SELECT 1 AS x")

    def whole():
        return incremental.rebuild_if_changed(con, "marts/japan_line_audit",
                                              {"staging.imports_monthly": None}, build,
                                              code_version="v1")

    def monthly():
        return refresh(con, "marts/effective_rates_monthly", "s")

    assert whole() and monthly()
    assert not whole() and not monthly()  # an identical copy changes nothing
    audit = copy / "audit.yaml"
    text = audit.read_text(encoding="utf-8")
    assert "tolerance_rate: 0.005" in text
    audit.write_text(text.replace("tolerance_rate: 0.005", "tolerance_rate: 0.02"),
                     encoding="utf-8")
    assert whole() and len(builds) == 2
    assert monthly() == [date(2024, 1, 1), date(2024, 2, 1)]
    assert not whole() and not monthly()
