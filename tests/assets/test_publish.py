"""The published copy: what it holds, that DuckDB's own CLI from PyPI opens it, that a reader
never errors nor sees a mix while it is replaced, and `make sql` on it."""

import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.cli import PUBLISH, run_assets
from pipelines.defs.metadata import table_result, warehouse_source
from pipelines.lib import publish as pub
from pipelines.lib.sources.snapshot import SYNTHETIC_MARKER, SourceMode

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).parent / "duckdb"


def _publish(built):
    instance, resources, path = built
    result = run_assets(instance, PUBLISH, None, resources, log_level="DEBUG")
    assert result.success, [e.step_failure_data.error.to_string()
                            for e in result.all_events if e.is_step_failure]
    return result


@pytest.fixture(scope="module")
def published(built):
    """(published copy, live warehouse, the publish run's result)."""
    result = _publish(built)
    path = built[2]
    return pub.published_path(path), path, result


def _tables(path, schemas=None):
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()"
                           ).fetchall()
    return {t for (t,) in rows if schemas is None or t.split(".")[0] in schemas}


def test_every_mart_and_the_listed_staging_tables_are_published(published):
    copy, live, _ = published
    assert copy == live.parent / "published" / "warehouse.duckdb"
    tables = _tables(copy)
    # every staging table and mart, found generically
    assert _tables(live, {"staging", "marts", "quarantine"}) <= tables
    assert set(pub.RAW) <= tables
    assert not _tables(copy, {"raw"}) - {"raw.hts_releases"}  # raw answers stay in the warehouse
    with duckdb.connect(str(copy), read_only=True) as con, \
            duckdb.connect(str(live), read_only=True) as src:
        for table in sorted(_tables(live, {"marts"})) + ["staging.imports_monthly"]:
            query = f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM {table} x"
            assert con.execute(query).fetchone() == src.execute(query).fetchone(), table


def test_views_have_plain_names_and_meta_about_says_synthetic(published, sample_snapshot):
    copy, _, result = published
    with duckdb.connect(str(copy), read_only=True) as con:
        views = {v for (v,) in con.execute(
            "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal"
        ).fetchall()}
        assert {"analyst.imports", "analyst.line_audit", "analyst.deal_conformance",
                "analyst.effective_rates", "analyst.exports"} <= views
        columns = {c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'line_audit'"
        ).fetchall()}
        assert {"customs_value_usd", "calculated_duty_usd", "excess_duty_usd"} <= columns
        same = con.execute("""
            SELECT (SELECT sum(calculated_duty_usd) FROM analyst.line_audit)
                 = (SELECT sum(cal_dut) FROM marts.japan_line_audit)""").fetchone()[0]
        assert same
        about = dict(zip(("mode", "synthetic", "notice", "snapshot", "first", "last", "releases",
                          "storage"), con.execute(
            "SELECT source_mode, synthetic, notice, snapshot, first_month, last_month, "
            "hts_releases, storage_version FROM meta.about").fetchone(), strict=True))
    assert about["mode"] == "snapshot" and about["snapshot"] == str(sample_snapshot)
    assert about["synthetic"] is True and "SYNTHETIC" in about["notice"]
    assert (about["first"], about["last"]) == ("2024-01", "2026-09")
    assert about["releases"].startswith("2025HTSBasic") and about["storage"] == "v1.5.0"
    metadata = result.asset_materializations_for_node("published__warehouse")[0].metadata
    assert "SYNTHETIC" in metadata["source_mode"].value


def test_every_materialization_is_labelled_synthetic(published, built):
    instance = built[0]
    labels = {key.to_user_string(): instance.get_latest_materialization_event(key)
              .asset_materialization.metadata.get("source_mode")
              for key in instance.get_asset_keys()}
    assert {"staging/ledger_rules", "raw/hts_records", "staging/imports_monthly",
            "marts/japan_line_audit", "marts/implementation_scorecard",
            "published/warehouse"} <= set(labels)
    unlabelled = {k: v and v.value for k, v in labels.items()
                  if v is None or "(SYNTHETIC: invented figures" not in v.value}
    assert not unlabelled


def test_the_label_is_the_warehouses_recorded_source_not_the_environment(tmp_path):
    """A mart rebuilt by a process configured for another source still says what its rows
    are: the source recorded in raw.warehouse_source by the warehouse's first load."""
    replay = tmp_path / "replay"
    replay.mkdir()
    (replay / SYNTHETIC_MARKER).write_text("copied from the sample")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t (x INTEGER); "
                    "INSERT INTO marts.t VALUES (1)")
        # no record yet: the step's configured source, else TARIFF_AUDIT_SOURCE ("sample")
        assert table_result(con, "marts.t").metadata["source_mode"].value.startswith(
            "sample (SYNTHETIC")
        assert warehouse_source(con, SourceMode("live", tmp_path)).kind == "live"
        con.execute("CREATE SCHEMA raw; CREATE TABLE raw.warehouse_source "
                    "(kind VARCHAR, root VARCHAR)")
        con.execute("INSERT INTO raw.warehouse_source VALUES ('snapshot', ?)", [str(replay)])
        label = table_result(con, "marts.t").metadata["source_mode"].value
        assert label == f"snapshot {replay} (SYNTHETIC: invented figures, never cite them)"
        assert warehouse_source(con, SourceMode("live", tmp_path)).root == replay
        con.execute("UPDATE raw.warehouse_source SET kind = 'live', root = ?", [str(tmp_path)])
        assert table_result(con, "marts.t").metadata["source_mode"].value == "live"


def test_every_published_table_view_and_column_is_commented(published):
    copy, _, _ = published
    with duckdb.connect(str(copy), read_only=True) as con:
        bare = con.execute("""
            SELECT schema_name || '.' || table_name FROM duckdb_tables()
            WHERE coalesce(trim(comment), '') = ''
            UNION ALL
            SELECT schema_name || '.' || view_name FROM duckdb_views()
            WHERE NOT internal AND coalesce(trim(comment), '') = ''
            UNION ALL
            SELECT schema_name || '.' || table_name || '.' || column_name FROM duckdb_columns()
            WHERE schema_name IN ('raw', 'staging', 'marts', 'quarantine', 'analyst', 'meta')
              AND coalesce(trim(comment), '') = ''""").fetchall()
    assert not bare, f"published without a comment: {bare}"


def test_a_parquet_copy_of_every_mart(published):
    copy, live, _ = published
    marts = _tables(live, {"marts"})
    files = {p.stem: p for p in (copy.parent / "parquet").glob("*.parquet")}
    assert set(files) == marts
    with duckdb.connect(str(live), read_only=True) as con:
        for table, path in files.items():
            assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]
                               ).fetchone() == con.execute(f"SELECT count(*) FROM {table}"
                                                           ).fetchone(), table


def test_duckdb_cli_from_pypi_opens_the_copy_but_not_the_live_file(published):
    copy, live, _ = published
    assert CLI.exists(), "duckdb-cli (a dependency in pyproject.toml) is not installed"
    version = subprocess.run([str(CLI), "--version"], capture_output=True, text=True,
                             timeout=30).stdout
    assert version.startswith("v1.5."), version
    ok = subprocess.run([str(CLI), "-readonly", "-csv", str(copy), "-c",
                         "SELECT count(*) FROM analyst.line_audit; "
                         "SELECT synthetic FROM meta.about"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split()[-1] == "true"
    # Why the copy exists: the live file, in DuckDB 2's format, is refused by this CLI.
    refused = subprocess.run([str(CLI), "-readonly", str(live), "-c", "SELECT 1"],
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "version" in refused.stderr


READER = textwrap.dedent("""
    import sys, time, duckdb
    path, seconds = sys.argv[1], float(sys.argv[2])
    reads = errors = mixes = 0
    seen = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            with duckdb.connect(path, read_only=True) as con:
                first = con.execute("SELECT published_at FROM meta.about").fetchone()[0]
                n = con.execute("SELECT count(*) FROM marts.japan_line_audit").fetchone()[0]
                time.sleep(0.1)  # hold the file open while a publish may replace it
                again = con.execute("SELECT published_at FROM meta.about").fetchone()[0]
                m = con.execute("SELECT count(*) FROM analyst.line_audit").fetchone()[0]
            mixes += first != again or n != m
            seen.add(first)
            reads += 1
        except Exception as error:
            errors += 1
            print("ERROR", type(error).__name__, error, file=sys.stderr)
        time.sleep(0.05)
    print(reads, errors, mixes, len(seen))
""")


def test_a_reader_holding_the_copy_open_never_errors_during_publish(published, built):
    copy, _, _ = published
    reader = subprocess.Popen([sys.executable, "-c", READER, str(copy), "12"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    publishes = 0
    while reader.poll() is None and publishes < 3:
        _publish(built)
        publishes += 1
    out, err = reader.communicate(timeout=60)
    reads, errors, mixes, versions = map(int, out.split())
    assert publishes >= 2 and reads > 10
    assert (errors, mixes) == (0, 0), err
    assert versions >= 2  # the reader did see a publish happen


def _sql(*args, env=None):
    return subprocess.run([sys.executable, "-m", "pipelines.sql", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=env)


def test_make_sql_prints_full_text_and_readable_money(published):
    copy, _, _ = published
    env = {**os.environ, "TARIFF_AUDIT_PUBLISHED": str(copy.parent)}
    query = ("SELECT reason, customs_value_usd, excess_duty_usd, observed_rate "
             "FROM analyst.line_audit ORDER BY length(reason) DESC, hs10 LIMIT 60")
    done = subprocess.run(["make", "--no-print-directory", "sql", f"Q={query}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(copy), read_only=True) as con:
        longest, value = con.execute(
            "SELECT reason, customs_value_usd FROM analyst.line_audit "
            "ORDER BY length(reason) DESC, hs10 LIMIT 1").fetchone()
    assert len(longest) > 80 and longest in done.stdout      # never cut
    assert f"{value:,}" in done.stdout                       # thousands separators
    assert not re.search(r"\d[eE][+-]?\d", done.stdout)      # no scientific notation
    assert "(60 rows)" in done.stdout                        # no row cap


def test_make_sql_exports_and_answers_errors_in_one_line(published, tmp_path):
    copy, _, _ = published
    db = ["--db", str(copy)]
    csv_file, parquet_file = tmp_path / "conf.csv", tmp_path / "audit.parquet"
    query = "SELECT * FROM analyst.deal_conformance WHERE category = 'all'"
    assert _sql(*db, "--format", "csv", "--out", str(csv_file), query).returncode == 0
    assert _sql(*db, "--out", str(parquet_file), "SELECT * FROM marts.japan_line_audit"
                ).returncode == 0
    with duckdb.connect() as con:
        assert con.execute("SELECT count(*) FROM read_csv(?)", [str(csv_file)]
                           ).fetchone()[0] == 33
        assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet_file)]
                           ).fetchone()[0] > 1000
    error = _sql(*db, "SELECT * FROM marts.japan_line_audt")
    assert error.returncode == 1 and error.stdout == ""
    assert error.stderr.count("\n") == 1 and error.stderr.startswith("SQL error: Catalog Error")
    assert "japan_line_audit" in error.stderr                # DuckDB's suggestion is kept
    written = _sql(*db, "CREATE TABLE marts.x AS SELECT 1")
    assert written.returncode == 1 and "read-only" in written.stderr


def test_make_sql_does_not_import_dagster(published):
    copy, _, _ = published
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipelines.sql",
                           "--db", str(copy), "SELECT 1"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()}
    assert "duckdb" in imported
    assert not {m for m in imported if m.split(".")[0] in ("dagster", "polars", "pandas")}


def test_the_summary_prints_n_a_for_a_share_that_could_not_be_measured(published, tmp_path,
                                                                       monkeypatch, capsys):
    copy = tmp_path / "published" / "warehouse.duckdb"
    copy.parent.mkdir()
    copy.write_bytes(published[0].read_bytes())
    with duckdb.connect(str(copy)) as con:
        con.execute("UPDATE marts.deal_conformance_monthly SET rated_value_share = NULL, "
                    "observed_rate = NULL, unrated_value_usd = NULL")
    monkeypatch.setenv("TARIFF_AUDIT_PUBLISHED", str(copy.parent))
    from pipelines.cli import print_summary

    print_summary()
    out = capsys.readouterr().out
    assert "on the n/a of the value that has a statutory rate" in out
    assert "collected n/a, promised" in out


def test_a_publish_writes_only_what_changed_and_ends_equal_to_the_warehouse(built, tmp_path):
    """The second publish starts from the first copy: a revised month of a staging table, a
    changed mart and a dropped mart are written again, the rest is kept as it was (its
    Parquet file untouched), and every published table equals the warehouse's."""
    shutil.copyfile(built[2], tmp_path / "live.duckdb")
    target = tmp_path / "published" / "warehouse.duckdb"
    source = pub.Source("sample", "sample", True)
    with duckdb.connect(str(tmp_path / "live.duckdb")) as con:
        first = pub.publish(con, target, source)
        parquet = {p.name: p.stat().st_mtime_ns for p in first.parquet}
        month = con.execute("SELECT max(period) FROM staging.imports_monthly").fetchone()[0]
        con.execute("UPDATE staging.imports_monthly SET con_val = con_val + 1 "
                    "WHERE period = ? AND cty_code = '5880'", [month])
        con.execute("UPDATE marts.statutory_rate_daily SET statutory_rate = 0.5 "
                    "WHERE date = (SELECT min(date) FROM marts.statutory_rate_daily)")
        con.execute("DROP TABLE marts.provision_timeline")
        time.sleep(0.01)
        second = pub.publish(con, target, source)
    assert "marts.provision_timeline" not in second.tables
    assert not (target.parent / "parquet" / "marts.provision_timeline.parquet").exists()
    touched = {p.name for p in second.parquet if p.stat().st_mtime_ns != parquet[p.name]}
    assert touched == {"marts.statutory_rate_daily.parquet"}
    with duckdb.connect(str(target), read_only=True) as copy, \
            duckdb.connect(str(tmp_path / "live.duckdb"), read_only=True) as live:
        assert copy.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                            "'provision_timeline'").fetchone()[0] == 0
        for table in second.tables:
            query = f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM {table} x"
            assert copy.execute(query).fetchone() == live.execute(query).fetchone(), table
        assert copy.execute("SELECT storage_version FROM meta.about").fetchone()[0] == \
            pub.STORAGE_VERSION
    # a copy written over a previous one still opens in DuckDB's own CLI from PyPI
    ok = subprocess.run([str(CLI), "-readonly", "-csv", str(target), "-c",
                         "SELECT count(*) FROM analyst.imports"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
