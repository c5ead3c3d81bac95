"""``kill -9`` of the real CLI never leaves the next run waiting forever, and the warehouse it
finishes is the one a clean run builds (every table's checksum).

Each scenario runs ``python -m pipelines.cli run`` in a subprocess with its own Dagster instance
(the project's dagster.yaml: pool ``duckdb`` limited to 1) and data directory, reads its output
to pick the moment, and kills it with SIGKILL: during the Census load (while a second CLI waits
for the warehouse and must name the holder, then notice its death) and during the marts (the
next CLI must recover the dead run at start-up)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.lib.paths import project_root
from tests.cli_harness import HANG_GUARD_SECONDS, Cli, environment
from tests.helpers import table_checksums

pytestmark = pytest.mark.slow  # real CLIs killed mid-run and recovered: make test-all


def _instance(env: dict) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(env["DAGSTER_HOME"])


@pytest.fixture(scope="module")
def clean(sample_snapshot, tmp_path_factory) -> dict:
    """The checksums of every table after one uninterrupted run (build times left out)."""
    tmp = tmp_path_factory.mktemp("clean")
    env = environment(tmp, sample_snapshot)
    Cli(env, tmp / "clean.log").finish()
    return table_checksums(tmp / "data" / "warehouse.duckdb", ignore_clock=True)


@pytest.mark.parametrize("moment, job", [
    (("-> Census trade", "imports_hs 2024-03"), "census_refresh"),
    (("-> indicators", "marts__commitment_progress"), "indicators_refresh"),
], ids=["census-load", "marts"])
def test_a_killed_run_is_recovered_when_the_next_run_starts(clean, sample_snapshot, tmp_path,
                                                             moment, job):
    env = environment(tmp_path, sample_snapshot)
    first = Cli(env, tmp_path / "first.log")
    first.wait_for(*moment)
    first.kill()
    instance = _instance(env)
    stuck = instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
    # what the issue saw: the dead run stays STARTED and keeps the pool's only slot (unless
    # the kill fell between two steps of the marts: each step claims the slot anew)
    assert [r.job_name for r in stuck] == [job]
    if job == "census_refresh":  # one long step: the slot is held
        assert instance.event_log_storage.get_concurrency_info("duckdb").claimed_slots
    out = Cli(env, tmp_path / "next.log").finish()
    recovered = [line for line in out.splitlines() if line.startswith("recovered:")]
    assert len(recovered) == 1, out[-3000:]
    assert "1 run(s)" in recovered[0] and f"{job} run {stuck[0].run_id[:8]}" in recovered[0]
    assert f"pid {first.process.pid} on" in recovered[0]
    assert instance.get_run_by_id(stuck[0].run_id).status == dg.DagsterRunStatus.FAILURE
    assert not instance.event_log_storage.get_concurrency_info("duckdb").claimed_slots
    assert table_checksums(tmp_path / "data" / "warehouse.duckdb", ignore_clock=True) == clean


HOLDER = """
import sys, time, uuid
import dagster as dg
from pipelines.defs.recovery import identity_tags
instance = dg.DagsterInstance.get()
run = instance.add_run(dg.DagsterRun(job_name="census_refresh", run_id=str(uuid.uuid4()),
                                     status=dg.DagsterRunStatus.STARTED, tags=identity_tags()))
instance.event_log_storage.initialize_concurrency_limit_to_default("duckdb")
claim = instance.event_log_storage.claim_concurrency_slot("duckdb", run.run_id, "census_tables")
assert claim.slot_status.value == "CLAIMED", claim
print("holding", run.run_id, flush=True)
time.sleep(3600)
"""


def _holder(env: dict, tmp: Path) -> tuple[subprocess.Popen, str]:
    """A live process holding the pool's slot for a STARTED run, as a UI run loading Census
    months does."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], cwd=project_root(), env=env,
                              stdout=subprocess.PIPE, text=True)
    line = holder.stdout.readline()
    assert line.startswith("holding"), line
    return holder, line.split()[1]


def test_a_run_waits_for_a_live_holder_naming_it_and_goes_on_when_it_dies(
        clean, sample_snapshot, tmp_path):
    env = environment(tmp_path, sample_snapshot)
    holder, run_id = _holder(env, tmp_path)
    try:
        cli = Cli(env, tmp_path / "cli.log")
        waiting = cli.wait_for("waiting for the warehouse")
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    line = next(x for x in waiting.splitlines() if "waiting for the warehouse" in x)
    assert f"census_refresh run {run_id[:8]} (pid {holder.pid} on" in line, line
    assert "started" in line and "until" in line and "TARIFF_AUDIT_WAREHOUSE_WAIT" in line
    out = cli.finish()
    assert f"census_refresh run {run_id[:8]}" in next(
        x for x in out.splitlines() if x.strip().startswith("recovered:"))
    assert table_checksums(tmp_path / "data" / "warehouse.duckdb", ignore_clock=True) == clean


def test_a_wait_for_a_live_holder_ends_at_its_budget_with_one_clear_line(
        sample_snapshot, tmp_path):
    env = environment(tmp_path, sample_snapshot)
    env["TARIFF_AUDIT_WAREHOUSE_WAIT"] = "4"
    holder, run_id = _holder(env, tmp_path)
    try:
        done = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"],
                              cwd=project_root(), env=env, capture_output=True, text=True,
                              timeout=HANG_GUARD_SECONDS)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("gave up waiting for the warehouse"), done.stderr[-2000:]
    assert f"census_refresh run {run_id[:8]} (pid {holder.pid}" in last
    assert "TARIFF_AUDIT_WAREHOUSE_WAIT=4 s" in last
    assert not (tmp_path / "data" / "warehouse.duckdb").exists()  # nothing was written


def test_the_daemon_sensor_recovers_a_ui_run_whose_worker_died(tmp_path, sample_snapshot):
    """UI runs have no CLI to recover them: the sensor warehouse_run_recovery, evaluated by the
    daemon every minute, marks a dead run failed and frees its slot."""
    from pipelines.defs.recovery import warehouse_run_recovery

    env = environment(tmp_path, sample_snapshot)
    holder, run_id = _holder(env, tmp_path)
    instance = _instance(env)
    context = dg.build_sensor_context(instance=instance)
    assert "no dead run" in warehouse_run_recovery(context).skip_message  # alive: left alone
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    skipped = warehouse_run_recovery(dg.build_sensor_context(instance=instance))
    assert f"census_refresh run {run_id[:8]} (pid {holder.pid}" in skipped.skip_message
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert not instance.event_log_storage.get_concurrency_info("duckdb").claimed_slots
