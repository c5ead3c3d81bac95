"""No run waits forever on a dead one.

Every step that opens the warehouse is in the Dagster pool ``duckdb`` (one slot). A run whose
process is killed (``kill -9`` of ``make run``, an out-of-memory kill, a machine that stops)
stays STARTED and keeps its slot: no daemon marks a ``make run`` run failed, and the daemon's
run monitoring cannot see inside the default run launcher's workers. So each run records which
process executes it (tags ``tariff_audit/pid``, ``/host``, ``/process_started``: the CLI at
launch, the warehouse resource for every other run), and :func:`recover_dead_runs` marks an
unfinished run failed when that process is gone, freeing its slot. It runs when the CLI starts
and before each of its stages, and every minute in the daemon (sensor
``warehouse_run_recovery``), so UI runs recover too.

A run that must wait for a live holder says who holds the warehouse (run, job, process, start)
and how long it will wait (:func:`wait_for_warehouse`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import dagster as dg
from dagster._core.storage.dagster_run import FINISHED_STATUSES

from pipelines.lib import processes, settings
from pipelines.lib.waiting import Deadline, Wait, WaitBudgetExceeded, clock

POOL = "duckdb"
TAG_PID, TAG_HOST, TAG_STARTED = ("tariff_audit/pid", "tariff_audit/host",
                                  "tariff_audit/process_started")
TAG_WAIT_UNTIL = "tariff_audit/warehouse_wait_until"
UNFINISHED = [dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
              dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
WAIT_SETTING = "TARIFF_AUDIT_WAREHOUSE_WAIT"
POLL_SECONDS = 2.0


def identity_tags() -> dict[str, str]:
    """The tags naming this process, for the run it executes."""
    me = processes.current()
    return {TAG_PID: str(me.pid), TAG_HOST: me.host, TAG_STARTED: me.started}


def tag_run(instance: dg.DagsterInstance, run: dg.DagsterRun | None) -> None:
    """Record this process in ``run``'s tags unless they name a process already."""
    if run is not None and TAG_PID not in run.tags:
        instance.add_run_tags(run.run_id, identity_tags())


def wait_tags(deadline: Deadline) -> dict[str, str]:
    """The tag giving every step of a run the deadline of ``make run`` as a whole."""
    return {TAG_WAIT_UNTIL: f"{deadline.end:.3f}"}


def run_deadline(instance: dg.DagsterInstance, run: dg.DagsterRun | None) -> Deadline:
    """The one deadline of every wait for the warehouse in ``run``: the one ``make run`` set for
    all its stages (tag ``tariff_audit/warehouse_wait_until``), else ``TARIFF_AUDIT_WAREHOUSE_WAIT``
    seconds from now, recorded in the run's tags so that every step of the run shares it."""
    budget = settings.value("warehouse_wait")
    until = run.tags.get(TAG_WAIT_UNTIL) if run is not None else None
    if until is not None:
        return Deadline(budget, WAIT_SETTING, end=float(until))
    deadline = Deadline(budget, WAIT_SETTING)
    if run is not None and instance is not None:
        instance.add_run_tags(run.run_id, wait_tags(deadline))
    return deadline


def run_process(run: dg.DagsterRun) -> processes.ProcessIdentity | None:
    try:
        return processes.ProcessIdentity(int(run.tags[TAG_PID]), run.tags[TAG_HOST],
                                         run.tags.get(TAG_STARTED, ""))
    except (KeyError, ValueError):
        return None


def describe(record) -> str:
    """``census_refresh run 1a2b3c4d (pid 123 on host, started 05:47:02 UTC)``."""
    run = record.dagster_run
    who = run_process(run)
    started = record.start_time or record.create_timestamp.timestamp()
    return (f"{run.job_name} run {run.run_id[:8]} ("
            + (who.describe() + ", " if who else "")
            + f"started {clock(datetime.fromtimestamp(started, UTC))})")


def recover_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark failed every unfinished run whose recorded process is gone, and free the pool
    slots of those runs and of finished runs (which the daemon frees only when it runs).
    Returns one description per run marked failed."""
    recovered = []
    me = processes.current()
    for record in instance.get_run_records(dg.RunsFilter(statuses=UNFINISHED)):
        run = record.dagster_run
        who = run_process(run)
        if who is None or who == me or processes.is_alive(who) is not False:
            continue
        instance.report_run_failed(
            run, f"The process that executed this run ({who.describe()}) is gone (killed or "
                 "crashed); marked failed by the next run, which freed its pool slots.")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        recovered.append(describe(record))
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        holding = storage.get_concurrency_run_ids()
        if holding:
            finished = instance.get_run_records(dg.RunsFilter(
                run_ids=list(holding), statuses=list(FINISHED_STATUSES)))
            for record in finished:
                storage.free_concurrency_slots_for_run(record.dagster_run.run_id)
            gone = holding - {r.dagster_run.run_id for r in instance.get_run_records(
                dg.RunsFilter(run_ids=list(holding)))}
            for run_id in gone:  # slots of a run deleted from the history
                storage.free_concurrency_slots_for_run(run_id)
    return recovered


def recovery_line(recovered: list[str]) -> str:
    return (f"recovered: {len(recovered)} run(s) whose process is gone marked failed and their "
            f"hold on the warehouse freed: {'; '.join(recovered)}")


def holders(instance: dg.DagsterInstance) -> list:
    """The run records of unfinished runs holding the pool's slot (claimed, or assigned and
    about to claim it). Runs merely queued for it are not waited for here: this run queues
    behind them in Dagster's own order."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    info = storage.get_concurrency_info(POOL)
    run_ids = {s.run_id for s in info.claimed_slots} | {
        p.run_id for p in info.pending_steps if p.assigned_timestamp is not None}
    if not run_ids:
        return []
    return list(instance.get_run_records(dg.RunsFilter(run_ids=list(run_ids),
                                                       statuses=UNFINISHED)))


def wait_for_warehouse(instance: dg.DagsterInstance, say: Callable[[str], None] = print,
                       deadline: Deadline | None = None) -> None:
    """Return once no other run holds the pool: a dead holder is marked failed at once (one
    line), a live one is waited for with a line naming it, a progress line at least every
    30 s, and an error when ``TARIFF_AUDIT_WAREHOUSE_WAIT`` runs out."""
    deadline = deadline or Deadline(settings.value("warehouse_wait"), WAIT_SETTING)
    wait = Wait("the warehouse (Dagster pool 'duckdb')", deadline, say)
    while True:
        recovered = recover_dead_runs(instance)
        if recovered:
            say(recovery_line(recovered))
        found = holders(instance)
        if not found:
            return
        held = "; ".join(describe(r) for r in found)
        try:
            wait.sleep(POLL_SECONDS, f", held by {held}", poll=True)
        except WaitBudgetExceeded as exc:
            raise WaitBudgetExceeded(
                f"{exc}; it is held by {held}: wait for that run to finish (Dagster UI, Runs) "
                "or end it, then run again") from None


@dg.sensor(name="warehouse_run_recovery", minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Marks failed the runs whose process is gone (killed, crashed) and "
                       "frees their slot of the pool 'duckdb', so no run waits on a dead one.")
def warehouse_run_recovery(context: dg.SensorEvaluationContext):
    recovered = recover_dead_runs(context.instance)
    if recovered:
        context.log.warning(recovery_line(recovered))
    return dg.SkipReason(recovery_line(recovered) if recovered else "no dead run holds the "
                         "warehouse")
