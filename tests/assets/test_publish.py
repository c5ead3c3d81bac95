"""The published copy: what it holds, that DuckDB's own CLI from PyPI opens it, that a reader
never errors nor sees a mix while it is replaced, and `make sql` on it."""

import hashlib
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

from pipelines.defs.metadata import table_result, warehouse_source
from pipelines.lib import publish as pub
from pipelines.lib.sources.snapshot import SYNTHETIC_MARKER, SourceMode
from pipelines.stages import PUBLISH, run_assets

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


def _on(copy):
    """The environment of a ``make sql`` on the published copy ``copy``."""
    return {**os.environ, "TARIFF_AUDIT_PUBLISHED": str(copy.parent)}


def test_make_sql_exports_and_answers_errors_in_one_line(published, tmp_path):
    copy, _, _ = published
    env = _on(copy)
    csv_file, parquet_file = tmp_path / "conf.csv", tmp_path / "audit.parquet"
    query = "SELECT * FROM analyst.deal_conformance WHERE category = 'all'"
    assert _sql("--format", "csv", "--out", str(csv_file), query, env=env).returncode == 0
    assert _sql("--out", str(parquet_file), "SELECT * FROM marts.japan_line_audit",
                env=env).returncode == 0
    with duckdb.connect() as con:
        assert con.execute("SELECT count(*) FROM read_csv(?)", [str(csv_file)]
                           ).fetchone()[0] == 33
        assert con.execute("SELECT count(*) FROM read_parquet(?)", [str(parquet_file)]
                           ).fetchone()[0] > 1000
    error = _sql("SELECT * FROM marts.japan_line_audt", env=env)
    assert error.returncode == 1 and error.stdout == ""
    assert error.stderr.count("\n") == 1 and error.stderr.startswith("SQL error: Catalog Error")
    assert "japan_line_audit" in error.stderr                # DuckDB's suggestion is kept
    written = _sql("CREATE TABLE marts.x AS SELECT 1", env=env)
    assert written.returncode == 1 and "read-only" in written.stderr


def test_make_sql_opens_the_published_copy_and_nothing_else(published, tmp_path):
    """Issue 20: a query could ATTACH the live warehouse (read-only, it still holds the file's
    lock, so the next run's writer waits or fails), or read any file. The query and the DuckDB
    shell run with external access off; an export writes its OUT file and no other."""
    copy, _, _ = published
    env = _on(copy)
    other = tmp_path / "live.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    attach = f"ATTACH '{other}' AS live (READ_ONLY); SELECT count(*) FROM live.t"
    for query in (attach, f"SELECT * FROM read_csv('{tmp_path}/x.csv')",
                  f"COPY (SELECT 1) TO '{tmp_path}/y.csv'"):
        refused = _sql(query, env=env)
        assert refused.returncode == 1 and refused.stdout == "", query
        assert refused.stderr.startswith("SQL error: Permission Error"), refused.stderr
    shell = subprocess.run([sys.executable, "-m", "pipelines.sql"], cwd=ROOT, env=env,
                           input=f"{attach};\n", capture_output=True, text=True, timeout=60)
    assert "Permission Error" in shell.stdout + shell.stderr
    assert _sql("--out", str(tmp_path / "ok.csv"), "SELECT 1 AS x", env=env).returncode == 0
    assert (tmp_path / "ok.csv").read_text() == "x\n1\n"


def test_make_sql_does_not_import_dagster(published):
    copy, _, _ = published
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipelines.sql",
                           "SELECT 1"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=_on(copy))
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
    from pipelines.summary import print_summary

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


def _rate(copy, *args):
    env = {**os.environ, "TARIFF_AUDIT_PUBLISHED": str(copy.parent)}
    return subprocess.run(["make", "--no-print-directory", "rate", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env)


def test_make_rate_prints_a_lines_legal_stack_with_citations(published):
    copy, _, _ = published
    with duckdb.connect(str(copy), read_only=True) as con:
        hs10, column1 = con.execute(
            "SELECT hs10, column1_text FROM marts.line_rates WHERE category = 'autos' "
            "AND DATE '2025-10-15' BETWEEN valid_from AND valid_to ORDER BY hs10 LIMIT 1"
        ).fetchone()
    done = _rate(copy, f"HS={hs10}", "DATE=2025-10-15")
    assert done.returncode == 0, done.stderr
    assert f"{hs10}, product of Japan (partner 5880), entered 2025-10-15" in done.stdout
    assert f"column 1      {column1}" in done.stdout
    assert "law           15% all-in  rule max(0.15, m)  headings 9903.94.41" in done.stdout
    assert "refundable    0% of the law's rate" in done.stdout
    assert "ita-japan-notice: " in done.stdout and "90 FR 44638" in done.stdout
    # a day of the Section 301 action, after the last loaded release
    later = _rate(copy, f"HS={hs10[:4]}.{hs10[4:6]}.{hs10[6:8]}.{hs10[8:]}", "DATE=2026-08-10")
    assert "law: from the instrument, not yet in a loaded HTS release" in later.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["HS=870323", "DATE=2025-10-15"], "HS='870323' is not a 10-digit HTS line"),
    (["HS=8703230190", "DATE=15/10/2025"], "DATE='15/10/2025' is not a date YYYY-MM-DD"),
    (["HS=0000000000", "DATE=2025-10-15"], "0000000000 is in no loaded HTS release"),
    (["HS=8703230190", "DATE=2031-01-01"], "2031-01-01 is outside the dates"),
    ([], "give a line and a day of entry: make rate HS=8703230190 DATE=2025-10-15"),
])
def test_make_rate_answers_a_wrong_request_in_one_line(published, args, message):
    copy, _, _ = published
    done = _rate(copy, *args)
    assert done.returncode != 0 and done.stdout == ""
    (line,) = [x for x in done.stderr.splitlines() if x.startswith("make rate:")]
    assert message in line


def test_the_daily_basket_is_the_value_weighted_line_rates(published):
    """marts.statutory_rate_daily and marts.line_rates compute the law's rate independently
    (the basket's lines at base-year weights, every line interval by interval): on sample days
    on both sides of each change, the weighted line rates give the basket's rate. A basket line
    the release in force does not hold takes its 8-digit parent's first statistical line, as
    the basket does; a line neither has is unrated in both."""
    copy, _, _ = published
    days = ["2025-01-15", "2025-04-20", "2025-08-20", "2025-10-15", "2026-02-23",
            "2026-02-24", "2026-07-27", "2026-08-15", "2026-09-30"]
    with duckdb.connect(str(copy), read_only=True) as con:
        got = con.execute("""
            WITH basket AS (
                SELECT hs10, sum(con_val) AS w FROM staging.imports_monthly
                WHERE cty_code = '5880' AND year(period) = 2024 GROUP BY hs10
                HAVING sum(con_val) > 0),
            days AS (SELECT unnest($days)::DATE AS day),
            on_day AS (
                SELECT d.day, r.* FROM days d
                JOIN marts.line_rates r ON d.day BETWEEN r.valid_from AND r.valid_to),
            rated AS (
                SELECT d.day, b.hs10, b.w,
                       coalesce(x.statutory_rate, p.statutory_rate) AS statutory_rate,
                       coalesce(x.statutory_low_rate, p.statutory_low_rate) AS low,
                       CASE WHEN x.hs10 IS NOT NULL THEN x.agreement_rate
                            ELSE p.agreement_rate END AS agreement_rate
                FROM days d CROSS JOIN basket b
                LEFT JOIN on_day x ON x.day = d.day AND x.hs10 = b.hs10
                LEFT JOIN (SELECT * FROM on_day QUALIFY row_number() OVER (
                               PARTITION BY day, left(hs10, 8) ORDER BY hs10) = 1) p
                  ON x.hs10 IS NULL AND p.day = d.day AND left(p.hs10, 8) = left(b.hs10, 8))
            SELECT r.day, s.statutory_rate, s.agreement_rate, s.statutory_low_rate,
                   s.rated_value_share,
                   sum(r.w) FILTER (WHERE r.statutory_rate IS NOT NULL) / sum(r.w),
                   sum(r.w * r.statutory_rate) / sum(r.w) FILTER (
                       WHERE r.statutory_rate IS NOT NULL),
                   sum(r.w * r.agreement_rate) / sum(r.w) FILTER (
                       WHERE r.agreement_rate IS NOT NULL AND r.statutory_rate IS NOT NULL),
                   sum(r.w * r.low) / sum(r.w) FILTER (WHERE r.statutory_rate IS NOT NULL)
            FROM rated r JOIN marts.statutory_rate_daily s ON s.date = r.day
            GROUP BY ALL ORDER BY r.day""", {"days": days}).fetchall()
    assert len(got) == len(days)
    for day, law, promise, low, rated, lines_rated, lines_law, lines_promise, lines_low in got:
        assert lines_rated == pytest.approx(rated, abs=1e-9), day
        assert lines_law == pytest.approx(law, abs=1e-9), day
        assert lines_low == pytest.approx(low, abs=1e-9), day
        assert (lines_promise is None) == (promise is None), day
        if promise is not None:
            assert lines_promise == pytest.approx(promise, abs=1e-9), day


def _parquet_digests(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.glob("*.parquet"))}


def test_a_publish_failing_in_the_parquet_step_leaves_the_whole_previous_copy(
        built, tmp_path, monkeypatch):
    """Issue 20: a Parquet file that cannot be written used to leave the files sorted before
    it new and the rest, and the DuckDB copy, old. The new copy is built in a directory of
    its own and switched in by one rename: a failure anywhere leaves every file as it was."""
    shutil.copyfile(built[2], tmp_path / "live.duckdb")
    target = tmp_path / "published" / "warehouse.duckdb"
    source = pub.Source("sample", "sample", True)
    parquet = target.parent / "parquet"
    with duckdb.connect(str(tmp_path / "live.duckdb")) as con:
        pub.publish(con, target, source)
        before = _parquet_digests(parquet)
        with duckdb.connect(str(target), read_only=True) as copy:
            published_at = copy.execute("SELECT published_at FROM meta.about").fetchone()[0]
        marts = sorted(p.removesuffix(".parquet") for p in before)
        failing = marts[len(marts) // 2]
        for table in (marts[0], failing, marts[-1]):  # one mart before it, one after
            con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT min(rowid) FROM {table})")
        written = duckdb.DuckDBPyRelation.write_parquet

        def not_writable(relation, path, *args, **kwargs):
            if Path(path).name.startswith((failing, f".{failing}")):
                raise PermissionError(13, "Permission denied", path)
            return written(relation, path, *args, **kwargs)

        monkeypatch.setattr(duckdb.DuckDBPyRelation, "write_parquet", not_writable)
        with pytest.raises(PermissionError):
            pub.publish(con, target, source)
        assert _parquet_digests(parquet) == before, "a mix of new and old Parquet files"
        with duckdb.connect(str(target), read_only=True) as copy:
            assert copy.execute("SELECT published_at FROM meta.about").fetchone()[0] == \
                published_at, "the DuckDB copy was replaced"
            query = f"SELECT count(*) FROM {marts[0]}"
            assert copy.execute(query).fetchone() != con.execute(query).fetchone()
        monkeypatch.undo()
        second = pub.publish(con, target, source)  # the next publish completes the switch
        after = _parquet_digests(parquet)
        assert {n for n in after if after[n] != before[n]} == {
            f"{t}.parquet" for t in (marts[0], failing, marts[-1])}
        with duckdb.connect(str(target), read_only=True) as copy:
            for table in second.tables:
                query = f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM {table} x"
                assert copy.execute(query).fetchone() == con.execute(query).fetchone(), table


def test_a_copy_published_before_versions_is_taken_over(built, tmp_path):
    """A published directory written before versions (a real file and a real Parquet
    directory) is reused as the previous copy and becomes links through ``current``."""
    shutil.copyfile(built[2], tmp_path / "live.duckdb")
    target = tmp_path / "published" / "warehouse.duckdb"
    source = pub.Source("sample", "sample", True)
    with duckdb.connect(str(tmp_path / "live.duckdb")) as con:
        pub.publish(con, target, source)
        home = target.parent
        version = (home / "current").resolve()
        (home / "warehouse.duckdb").unlink()
        (home / "parquet").unlink()
        shutil.copyfile(version / "warehouse.duckdb", target)
        shutil.copytree(version / "parquet", home / "parquet", copy_function=shutil.copy2)
        shutil.rmtree(home / ".versions")
        (home / "current").unlink()
        before = {p.name: p.stat().st_mtime_ns for p in (home / "parquet").iterdir()}
        pub.publish(con, target, source)
    assert os.readlink(target) == "current/warehouse.duckdb"
    assert os.readlink(home / "parquet") == "current/parquet"
    assert [p.name for p in (home / ".versions").iterdir()] == [(home / "current").resolve().name]
    # the previous copy was the start: nothing changed, so no Parquet file was written again
    assert {p.name: p.stat().st_mtime_ns for p in (home / "parquet").iterdir()} == before
