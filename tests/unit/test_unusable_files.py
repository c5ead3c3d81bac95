"""Files `make run` and `make sql` cannot use end in one line naming the file and what to do,
never a traceback: a damaged warehouse or published copy (cut short, emptied), a data directory
that is read-only or on a full disk (a real tmpfs of 2 MB, mounted in a private mount
namespace, and a real file-size limit), a Census month no run can load; and a memory limit too
small for DuckDB is blamed, not the file being read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import runner
from pipelines.lib.paths import project_root
from pipelines.lib.sources.snapshot import source_mode
from pipelines.lib.waiting import Deadline
from pipelines.lib.warehouse.connection import WarehouseDamaged, connect


def _warehouse(path: Path, rows: int = 200_000) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS x, random() AS y FROM range(?)", [rows])
    return path


@pytest.fixture(params=["zero-byte", "truncated"])
def damaged(request, tmp_path) -> Path:
    path = _warehouse(tmp_path / "warehouse.duckdb", 20_000)
    body = path.read_bytes()
    path.write_bytes(b"" if request.param == "zero-byte" else body[:len(body) // 2])
    return path


def test_a_damaged_warehouse_is_named_with_the_way_out(damaged, monkeypatch):
    """The issue's probe: a zero-byte or truncated data/warehouse.duckdb gave DuckDB's
    traceback from the first step of `make run`."""
    with pytest.raises(WarehouseDamaged) as caught:
        connect(damaged, read_only=True)
    message = str(caught.value)
    assert message.startswith(f"the warehouse {damaged} is damaged, DuckDB cannot read it (")
    assert f"mv {damaged} {damaged}.damaged" in message and "`make run`" in message
    assert "\n" not in message
    backup = damaged.with_name(damaged.name + ".before-run")  # the copy of an interrupted run
    _warehouse(backup, 10)
    again = str(pytest.raises(WarehouseDamaged, connect, damaged).value)
    assert f"restore the copy taken before the last run (mv {backup} {damaged})" in again
    monkeypatch.setenv("TARIFF_AUDIT_WAREHOUSE", str(damaged))
    with pytest.raises(SystemExit) as refused:  # what make run prints, as its first step
        runner.prepare(dg.DagsterInstance.ephemeral(), source_mode("sample"),
                       Deadline(5, "TARIFF_AUDIT_WAREHOUSE_WAIT"))
    assert str(refused.value) == f"refused: {again}"


def test_make_sql_on_a_damaged_published_copy_says_to_republish(damaged):
    done = subprocess.run([sys.executable, "-m", "pipelines.sql", "SELECT 1"],
                          cwd=project_root(), capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TARIFF_AUDIT_PUBLISHED": str(damaged.parent)})
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"error: the published copy {damaged} cannot be opened, it is "
                                  "damaged"), done.stderr
    assert "run `make run` to republish it" in done.stderr


BACKUP = """
import os, resource, signal, subprocess, sys
from pathlib import Path
import duckdb
from pipelines.lib.warehouse.backup import BackupRefused, take_backup

data = Path(sys.argv[1])
path = data / "warehouse.duckdb"
with duckdb.connect(str(path)) as con:
    con.execute("CREATE TABLE t AS SELECT range AS x, random() AS y FROM range(150000)")

def attempt(case):
    try:
        take_backup(path)
        print(case, "copied", flush=True)
    except BackupRefused as refused:
        print(case, "|", refused, "|", sorted(p.name for p in data.iterdir()), flush=True)

attempt("full")  # the tmpfs has room for the warehouse, not for a copy of it
subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)
attempt("read-only")
subprocess.run(["mount", "-o", "remount,rw,size=64m", str(data)], check=True)
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the check passes, the copy fails halfway
resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size // 2,) * 2)
attempt("halfway")
"""


def test_the_copy_before_a_run_refuses_a_full_or_read_only_disk_and_leaves_nothing(tmp_path):
    """The issue's probes: a read-only data/ gave a PermissionError traceback from the backup
    step; a full disk an OSError and a partial warehouse.duckdb.before-run left behind."""
    if shutil.which("unshare") is None:
        pytest.skip("needs unshare(1) to mount a small tmpfs in a private mount namespace")
    data = tmp_path / "data"
    data.mkdir()
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c",
         'mount -t tmpfs -o size=2m tmpfs "$1" && exec "$2" -c "$3" "$1"', "sh", str(data),
         sys.executable, BACKUP], cwd=project_root(), capture_output=True, text=True,
        timeout=120)
    if done.returncode != 0 and "mount" in done.stderr and "Traceback" not in done.stderr:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" | ", 1) for line in done.stdout.splitlines())
    left = "['warehouse.duckdb']"  # never a partial copy
    full, read_only, halfway = lines["full"], lines["read-only"], lines["halfway"]
    assert full.startswith(f"not enough free space in {data} for the copy of the warehouse")
    assert "free some space" in full and full.endswith(f"nothing was written | {left}"), full
    assert read_only.startswith(f"cannot write in {data} the copy of the warehouse")
    assert "Read-only file system" in read_only and f"make {data} writable" in read_only
    assert halfway.startswith(f"cannot write in {data}") and "File too large" in halfway
    assert halfway.endswith(f"nothing was written | {left}"), halfway


def test_a_census_month_no_run_can_load_is_refused_naming_it(tmp_path):
    """The issue's probe: a month 2030-01 in the sample said "nothing new or revised" where the
    README promises an error naming it."""
    for month in ("2025-01", "2030-01"):
        (tmp_path / "census" / "imports_hs" / month).mkdir(parents=True)
    (tmp_path / "census" / "imports_hs" / "notes").mkdir()  # not a month: not ours to judge
    keys = [f"2025-{m:02d}-01" for m in range(1, 13)]
    runner.refuse_months_outside(tmp_path, tmp_path, keys + ["2030-01-01"])  # all partitions
    with pytest.raises(SystemExit) as refused:
        runner.refuse_months_outside(tmp_path, tmp_path, keys[:6])
    message = str(refused.value)
    assert message.startswith(f"refused: the source {tmp_path} holds Census months no run can "
                              "load, outside 2025-01 .. 2025-06 (today is ")
    assert message.endswith("): census/imports_hs/2030-01; remove them or correct their names, "
                            "then run again")


def test_a_memory_limit_too_small_is_blamed_not_the_file(sample_snapshot, tmp_path):
    """The issue's probe: TARIFF_AUDIT_DUCKDB_MEMORY=30MB gave "releaseList.json ... is not a
    JSON array of objects: Out of Memory", blaming a valid file."""
    from pipelines.lib.sources.hts.reader import load_release_list
    from pipelines.lib.warehouse.execute import OutOfMemory

    with duckdb.connect(str(tmp_path / "w.duckdb"), config={"memory_limit": "30MB"}) as con:
        with pytest.raises(OutOfMemory) as caught:
            load_release_list(con, sample_snapshot / "hts" / "releaseList.json", "sample")
    message = str(caught.value)
    assert message.startswith("DuckDB ran out of memory (its limit is "), message
    assert "raise TARIFF_AUDIT_DUCKDB_MEMORY" in message and "not a JSON array" not in message
