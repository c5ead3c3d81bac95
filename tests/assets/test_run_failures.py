"""Failures of a whole run, through the real CLI: each ends with one line a user can act on,
and the warehouse either stays exactly as it was (every table's checksum) or changes only as
the line says — the marts never disagree with the tables they are built from.

- marts failing after the Census load committed (here: a reader keeps the warehouse locked past
  the wait budget): the run is rolled back to the copy taken before it;
- Ctrl-C or SIGTERM during the load or the marts: the run is rolled back the same way;
- a Census month failing after an earlier month committed: that month is kept and the marts are
  rebuilt from it, and the line lists every table that changed;
- a source other than the warehouse's, a snapshot without any Census month, a malformed
  setting: refused before anything runs."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.lib.paths import project_root
from pipelines.lib.warehouse.transactions import transaction
from pipelines.stages import LEDGER
from tests.assets.conftest import _materialize
from tests.cli_harness import HANG_GUARD_SECONDS, Cli, environment
from tests.helpers import table_checksums

pytestmark = pytest.mark.slow  # real CLIs run, killed and failed: make test-all

HELD_BACK = ("2026-08", "2026-09")  # months the first build leaves out


def _link_tree(sample: Path, root: Path, skip=lambda path: False) -> Path:
    for path in sample.rglob("*"):
        if skip(path):
            continue
        target = root / path.relative_to(sample)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return root


def _held_back(path: Path) -> bool:
    return any(part in HELD_BACK for part in path.parts)


def _add_month(sample: Path, root: Path, month: str) -> None:
    for endpoint in ("imports_hs", "exports_hs"):
        source = sample / "census" / endpoint / month
        target = root / "census" / endpoint / month
        target.mkdir(parents=True, exist_ok=True)
        for path in source.iterdir():
            if not (target / path.name).is_symlink():
                (target / path.name).symlink_to(path)


def _last_line(text: str) -> str:
    return text.strip().splitlines()[-1]


def _changed_tables_line(text: str) -> str:
    """The full list of the tables a failed run changed, printed above its last line."""
    found = [line for line in text.splitlines() if line.startswith("   tables changed: ")]
    assert found, text[-3000:]
    return found[-1]


def _cli(env: dict, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], cwd=project_root(),
                          env={**env, **extra}, capture_output=True, text=True,
                          timeout=HANG_GUARD_SECONDS)


@pytest.fixture(scope="module")
def built(sample_snapshot, tmp_path_factory):
    """A warehouse built by the CLI from the sample without its last two months."""
    tmp = tmp_path_factory.mktemp("runs")
    root = _link_tree(sample_snapshot, tmp / "snapshot", _held_back)
    env = environment(tmp, root)
    Cli(env, tmp / "build.log").finish()
    return env, root, Path(env["TARIFF_AUDIT_DATA"]) / "warehouse.duckdb"


def test_marts_failing_after_the_load_committed_roll_the_run_back(built, sample_snapshot,
                                                                    tmp_path):
    env, root, warehouse = built
    before = table_checksums(warehouse)
    _add_month(sample_snapshot, root, "2026-08")
    run = Cli({**env, "TARIFF_AUDIT_WAREHOUSE_WAIT": "3"}, tmp_path / "run.log")
    run.wait_for("-> indicators")
    reader = None
    while reader is None and run.process.poll() is None:  # a reader gets in during the marts
        try:
            reader = duckdb.connect(str(warehouse), read_only=True)
        except duckdb.IOException:
            time.sleep(0.02)
    try:
        out = run.finish(code=1)
    finally:
        if reader is not None:
            reader.close()
    last = _last_line(out)
    # the stage, its cause, what became of the warehouse, what to do: one line
    assert last.startswith(f"indicators failed: gave up waiting for the warehouse {warehouse}"
                           ), out[-3000:]
    assert "TARIFF_AUDIT_WAREHOUSE_WAIT=3 s" in last
    assert ("; the run was rolled back, the warehouse keeps its previous data (the " in last
            and "tables it had changed are as before it: raw.census_exports, "
                "raw.census_imports, " in last), last
    assert last.endswith("next: do what the message above says, then run `make run` again")
    listed = _changed_tables_line(out)  # every one, above the last line
    for table in ("raw.census_imports", "staging.imports_monthly", "staging.exports_monthly"):
        assert f"{table} (" in listed
    assert "FAILED" in out and "TARIFF_AUDIT_WAREHOUSE_WAIT=3 s" in out  # the cause, above
    assert table_checksums(warehouse) == before
    assert not warehouse.with_name(warehouse.name + ".before-run").exists()
    shutil.rmtree(root / "census" / "imports_hs" / "2026-08")
    shutil.rmtree(root / "census" / "exports_hs" / "2026-08")



@pytest.mark.parametrize("signum, moment, stage", [
    (signal.SIGTERM, ("-> indicators", "months recomputed"), "indicators and the published copy"),
    (signal.SIGINT, ("-> Census trade", "exports_hs 2026-08"),
     "Census trade (1 partitions: 2026-08-01 .. 2026-08-01)"),
], ids=["sigterm-during-the-marts", "ctrl-c-during-the-census-load"])
def test_a_signal_rolls_the_run_back_and_ends_it_with_one_line(built, sample_snapshot, tmp_path,
                                                                signum, moment, stage):
    """The issue's probe: SIGTERM a few seconds into the marts ended in DuckDB's "Can't open a
    connection to same database file with a different configuration" (a step's connection still
    open), deleted the copy taken before the run and left new staging beside old marts; Ctrl-C
    during the load rebuilt the marts. Both now roll the run back, without a traceback, and end
    with one line and the shell's status for the signal."""
    env, root, warehouse = built
    before = table_checksums(warehouse)
    _add_month(sample_snapshot, root, "2026-08")
    try:
        run = Cli(env, tmp_path / "run.log")
        run.wait_for(*moment)
        run.process.send_signal(signum)
        out = run.finish(code=128 + signum)
    finally:
        for endpoint in ("imports_hs", "exports_hs"):
            shutil.rmtree(root / "census" / endpoint / "2026-08")
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    last = _last_line(out)
    assert last.startswith(f"{stage} interrupted ({name}); the run was rolled back, the "
                           "warehouse keeps its previous data (the "), out[-3000:]
    assert "tables it had changed are as before it: raw.census_exports" in last
    assert "raw.census_exports (" in _changed_tables_line(out)
    assert "Traceback" not in out and 'File "' not in out and "Exception" not in out
    assert "the marts again" not in out
    assert ("-> indicators" in out) == (signum == signal.SIGTERM)
    assert table_checksums(warehouse) == before
    assert not warehouse.with_name(warehouse.name + ".before-run").exists()

def test_a_month_failing_after_another_committed_keeps_it_and_rebuilds_the_marts(
        built, sample_snapshot):
    env, root, warehouse = built
    before = table_checksums(warehouse)
    _add_month(sample_snapshot, root, "2026-08")
    _add_month(sample_snapshot, root, "2026-09")
    broken = root / "census" / "imports_hs" / "2026-09" / "CTY_CODE=5880_I_COMMODITY=87.json"
    body = broken.read_bytes()
    broken.unlink()
    broken.write_bytes(body[:-200])  # truncated
    done = _cli(env)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    last = _last_line(done.stderr)
    assert last.startswith("Census trade (2 partitions: 2026-08-01 .. 2026-09-01) failed: "
                           "Census imports/hs: "), last
    assert "CTY_CODE=5880_I_COMMODITY=87.json" in last
    assert "; what it loaded before the failure is kept and the marts were rebuilt from it (" \
        in last
    assert last.endswith("next: correct the file and field it names in the snapshot, or point "
                         "TARIFF_AUDIT_SOURCE at a complete snapshot, then run `make run` "
                         "again")
    after = table_checksums(warehouse)
    changed = {t for t in after if after[t] != before.get(t)}
    # the last line counts them and names the first inputs; the line above lists exactly the
    # tables that changed, each with its row counts
    assert (f"{len(after) - len(changed)} tables unchanged; {len(changed)} changed: "
            "raw.census_exports, raw.census_imports, staging.") in last, last
    listed = _changed_tables_line(done.stderr)
    assert changed and all(f"{t} (" in listed for t in changed)
    assert all(f"{t} (" not in listed for t in set(after) - changed)
    assert {"raw.census_imports", "staging.imports_monthly",
            "marts.effective_rates_monthly"} <= changed
    assert "CTY_CODE=5880_I_COMMODITY=87" in done.stderr  # the cause, above
    with duckdb.connect(str(warehouse), read_only=True) as con:
        staged, marts = con.execute(
            "SELECT (SELECT max(period) FROM staging.imports_monthly), "
            "(SELECT max(period) FROM marts.effective_rates_monthly)").fetchone()
    assert str(staged) == str(marts) == "2026-08-01"  # the marts follow what was committed


def test_a_failed_published_copy_keeps_the_marts_and_the_previous_copy(built, tmp_path):
    """The marts and the published copy run as one Dagster run: when only the copy fails, the
    marts stay (they agree with their inputs) and the line says the copy is the previous one."""
    env, root, warehouse = built
    for endpoint in ("imports_hs", "exports_hs"):  # a month another test left broken
        shutil.rmtree(root / "census" / endpoint / "2026-09", ignore_errors=True)
    before = table_checksums(warehouse)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    done = _cli(env, TARIFF_AUDIT_PUBLISHED=str(blocker / "published"))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "FAILED published__warehouse" in done.stderr
    last = _last_line(done.stderr)
    assert last.startswith("published copy failed: NotADirectoryError: [Errno 20] Not a "
                           f"directory: '{blocker}/published"), last
    assert last.endswith("; no table changed: the warehouse keeps its previous data; next: "
                         "make the path it names usable (it exists, as a directory where one "
                         "is needed, writable, with free space), then run `make run` again"), last
    assert table_checksums(warehouse) == before


def test_another_source_is_refused_before_anything_runs(built, sample_snapshot, tmp_path):
    env, root, warehouse = built
    before = table_checksums(warehouse)
    other = _link_tree(sample_snapshot, tmp_path / "other")
    done = _cli(env, TARIFF_AUDIT_SOURCE=str(other))
    assert done.returncode == 1
    last = _last_line(done.stderr)
    assert last.startswith(f"refused: the warehouse {warehouse} was built from snapshot "
                           f"{root}, not from the configured source (snapshot {other})")
    assert "TARIFF_AUDIT_DATA=<new directory> make run" in last
    assert f"TARIFF_AUDIT_SOURCE back to {root}" in last
    assert "-> ledger" not in done.stdout
    assert table_checksums(warehouse) == before


def test_a_malformed_setting_is_refused_naming_the_variable(built):
    env, root, warehouse = built
    before = table_checksums(warehouse)
    done = _cli(env, TARIFF_AUDIT_HTS_SINCE="2025-13-01")
    assert done.returncode == 1
    assert _last_line(done.stderr) == (
        "refused: TARIFF_AUDIT_HTS_SINCE='2025-13-01' is not usable: expected a date as "
        "YYYY-MM-DD, e.g. 2025-01-01 (set it in the environment or .env, see .env.example)")
    assert table_checksums(warehouse) == before


def test_a_snapshot_without_census_months_is_refused_naming_the_source(sample_snapshot,
                                                                       tmp_path):
    root = _link_tree(sample_snapshot, tmp_path / "snapshot",
                      lambda path: "census" in path.relative_to(sample_snapshot).parts)
    env = environment(tmp_path, root)
    done = _cli(env)
    assert done.returncode == 1
    last = _last_line(done.stderr)
    assert last.startswith(f"refused: the source {root} has no Census month"), done.stderr
    assert "census/imports_hs/<YYYY-MM>" in last and "TARIFF_AUDIT_SOURCE" in last
    assert "partition_key" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_a_broken_release_list_stops_the_run_at_its_cause(sample_snapshot, tmp_path):
    """The issue's run: after the reference stage failed, the CLI rebuilt the marts on a
    warehouse without HTS tables and printed nine tracebacks ("Table with name hts_lines does
    not exist!") under the cause, then a 2,000-character list of tables. Now nothing
    downstream runs and the run ends with one sentence: the stage, the file and field, what
    became of the warehouse, and what to do."""
    root = _link_tree(sample_snapshot, tmp_path / "snapshot",
                      lambda path: path.name == "releaseList.json")
    listed = (sample_snapshot / "hts" / "releaseList.json").read_bytes()
    (root / "hts" / "releaseList.json").write_bytes(listed[:-40])  # cut short: not JSON
    done = _cli(environment(tmp_path, root))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout + done.stderr
    last = _last_line(done.stderr)
    assert last.startswith("ledger, Federal Register and HTS releases failed: USITC HTS: "
                           f"{root}/hts/releaseList.json: field 'body': "), last
    assert ("; the run was rolled back: no warehouse existed before it, the partial one "
            in last and " tables, listed above) was removed; next: correct the file and field "
            "it names in the snapshot" in last), last
    assert len(last) < 1000 and "staging.ledger_rules" not in last
    assert "staging.ledger_rules (new, " in _changed_tables_line(done.stderr)
    # nothing downstream ran, and no stack hides the cause
    for stage in ("-> tariff schedule", "-> Census trade", "-> indicators", "the marts"):
        assert stage not in done.stdout, done.stdout
    assert "does not exist" not in out and "Traceback" not in out and 'File "' not in out
    assert "Stack Trace" not in out
    assert out.count("FAILED ") == 1
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_a_load_failing_on_a_new_warehouse_does_not_rebuild_marts_without_their_inputs(
        sample_snapshot, tmp_path):
    """A release that cannot be read on a first run: the reference tables are loaded, the
    releases, Census tables and the rest are not. Rebuilding the marts then failed step after
    step on the missing tables; now they are not rebuilt and the run is rolled back."""
    releases = sorted(p.name for p in (sample_snapshot / "hts").glob("*.json.gz"))
    root = _link_tree(sample_snapshot, tmp_path / "snapshot",
                      lambda path: path.name == releases[0])
    body = (sample_snapshot / "hts" / releases[0]).read_bytes()
    (root / "hts" / releases[0]).write_bytes(body[:len(body) // 2])  # cut short
    done = _cli(environment(tmp_path, root))
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "-> the marts are not rebuilt: they read tables the warehouse does not have (" \
        in done.stdout, done.stdout
    assert "-> indicators" not in done.stdout and "does not exist" not in done.stderr
    last = _last_line(done.stderr)
    assert last.startswith("tariff schedule ("), last
    assert "failed: USITC HTS: " in last and releases[0] in last
    assert "; the run was rolled back: no warehouse existed before it" in last
    assert "Traceback" not in done.stderr and done.stderr.count("FAILED ") == 1
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()


def test_the_marts_are_rebuilt_only_from_tables_that_exist(tmp_path):
    """After a failed load, a warehouse missing a table the marts read is not rebuilt (each
    mart would fail on it); one that has every table is."""
    from pipelines.lib.waiting import Deadline
    from pipelines.rollback import create_empty_tables, missing_mart_inputs, optional_tables
    from pipelines.stages import mart_inputs

    inputs = set(mart_inputs())
    assert {"staging.hts_lines", "staging.imports_monthly", "staging.ledger_rules",
            "raw.hts_releases"} <= inputs
    assert not any(t.startswith("marts.") and t != "marts.ledger_discrepancies" for t in inputs)
    path = tmp_path / "warehouse.duckdb"
    deadline = Deadline(5, "TARIFF_AUDIT_WAREHOUSE_WAIT")
    assert set(missing_mart_inputs(path, deadline)) == inputs  # no warehouse at all
    assert not path.exists()  # asking created nothing
    with duckdb.connect(str(path)) as con:
        for table in inputs:  # only their existence counts
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
            con.execute(f"CREATE TABLE {table} (x INTEGER)")
    assert missing_mart_inputs(path, deadline) == []
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE staging.hts_lines")
    assert missing_mart_inputs(path, deadline) == ["staging.hts_lines"]
    # an optional source's tables (a first run that failed before Japan's stage) are missing
    # until they are created empty from their DDL
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE staging.hts_lines (x INTEGER)")
        con.execute("DROP TABLE staging.fx_monthly")
        con.execute("DROP TABLE staging.japan_trade_monthly")
    missing = missing_mart_inputs(path, deadline)
    assert missing == ["staging.fx_monthly", "staging.japan_trade_monthly"]
    assert set(missing) <= optional_tables() and "staging.hts_lines" not in optional_tables()
    assert missing_mart_inputs(path, deadline) == missing  # asking created nothing
    create_empty_tables(path, missing, deadline)
    assert missing_mart_inputs(path, deadline) == []
    with duckdb.connect(str(path)) as con:
        assert con.execute("SELECT count(*) FROM staging.fx_monthly").fetchone() == (0,)
        assert len(con.execute("DESCRIBE staging.japan_trade_monthly").fetchall()) > 1


def test_a_ui_run_from_another_source_is_refused_by_the_step(case, sample_snapshot, tmp_path):
    """The guard is in every step that loads from a source, not only in the CLI."""
    other = _link_tree(sample_snapshot, tmp_path / "other")
    resources = {"source": SourceResource(source=str(other)),
                 "warehouse": WarehouseResource(database=str(case.warehouse))}
    result = _materialize(case.instance, resources, ["raw/hts_releases"])
    messages = case.expect_refusal(result, f"was built from snapshot {case.root.resolve()}",
                                   f"not from the configured source (snapshot {other})",
                                   "TARIFF_AUDIT_DATA=")
    assert "OtherSourceError" in messages
    # the ledger does not come from the source: it still loads
    assert _materialize(case.instance, resources, LEDGER).success


def test_a_failed_rollback_never_hides_the_real_error(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(ValueError) as caught, transaction(con):
        con.execute("CREATE TABLE t (x INTEGER)")
        con.execute("COMMIT")  # the transaction is gone: the rollback will fail too
        raise ValueError("the real error")
    assert str(caught.value) == "the real error"
    assert any("the rollback failed too" in note for note in caught.value.__notes__)
    con.close()


def test_a_cleanup_refused_by_an_aborted_transaction_keeps_the_real_error(tmp_path):
    """The issue's NaN quantity surfaced only as "Current transaction is aborted": the cleanup
    after the failed statement replaced the real error."""
    import polars as pl

    from pipelines.lib.warehouse.transactions import cleaning_up

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.register("_frame", pl.DataFrame({"q": [float("nan")]}))
    with pytest.raises(duckdb.ConversionException) as caught, transaction(con):
        with cleaning_up(lambda: con.unregister("_frame")):
            con.execute("SELECT q::DECIMAL(38, 12) FROM _frame").fetchall()
    assert "Could not cast value nan" in str(caught.value)
    assert any("transaction is aborted" in note for note in caught.value.__notes__)
    con.close()
