"""``make run``: the stages one after another (:mod:`pipelines.stages`), what is new or revised
worked out before them, and the warehouse left consistent when one fails or a signal stops it
(:mod:`pipelines.rollback`); then the summary and the report."""

from __future__ import annotations

import re
import sys
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import dagster as dg

from pipelines.defs import recovery
from pipelines.defs.resources import SourceResource
from pipelines.defs.tariff_schedule.partitions import hts_release_partitions
from pipelines.defs.trade.partitions import monthly_partitions
from pipelines.failures import StageFailed, root_cause
from pipelines.lib import incremental, interrupts, settings, stage_inputs
from pipelines.lib.paths import warehouse_path
from pipelines.lib.publish import published_path
from pipelines.lib.report.render import reports_dir
from pipelines.lib.sources import snapshot
from pipelines.lib.waiting import Deadline, WaitBudgetExceeded
from pipelines.lib.warehouse.backup import BackupRefused, take_backup
from pipelines.lib.warehouse.connection import WarehouseDamaged, WarehouseLocked, connect
from pipelines.lib.warehouse.source_claim import (
    OtherSourceError,
    recorded_source,
    refuse_other_source,
)
from pipelines.lib.warehouse.transactions import transaction
from pipelines.rollback import after_failure
from pipelines.stages import (
    JAPAN,
    MARTS,
    PUBLISH,
    PUBLISH_STEP,
    REFERENCE,
    REPORT,
    SCHEDULE,
    TRADE,
    run_assets,
    watching,
)
from pipelines.summary import print_summary

MARTS_LABEL = "indicators and the published copy"
SKIPPED = "skipped, its inputs, code and settings are as when it last succeeded"


class _Stages:
    """Which stages a run with nothing new may skip (:mod:`pipelines.lib.stage_inputs`): only
    from a snapshot or the sample, never with ``--full``, and each only when its digest is the
    one recorded when it last succeeded."""

    def __init__(self, instance, mode: snapshot.SourceMode, root: Path, full: bool,
                 deadline: Deadline):
        self.instance, self.root, self.deadline = instance, root, deadline
        self.path = warehouse_path()
        # a live run fetches: nothing to fingerprint; a full run records what it ran
        self.recording = not mode.is_live
        self.skipping = self.recording and not full
        self.common = stage_inputs.common_digest() if self.recording else ""
        self.ran: list[str] = []

    def _digests(self) -> dict[str, str]:
        releases = self.instance.get_dynamic_partitions(hts_release_partitions.name)
        return stage_inputs.stage_digests(self.root, releases, self.common)

    def _current(self, stage: str) -> str:
        if stage != "marts":
            return self._digests()[stage]
        with connect(self.path, read_only=True, deadline=self.deadline) as con:
            return stage_inputs.marts_digest(con, self.common, self._digests())

    def unchanged(self, stage: str) -> bool:
        if not self.skipping or not self.path.exists():
            return False
        if stage == "marts" and (self.ran or not published_path().exists()
                                 or not (reports_dir() / "latest.html").exists()):
            return False
        with connect(self.path, read_only=True, deadline=self.deadline) as con:
            recorded = stage_inputs.recorded(con, stage)
        return recorded is not None and recorded == self._current(stage)

    def succeeded(self, stage: str) -> None:
        self.ran.append(stage)
        if not self.recording:
            return
        current = self._current(stage)
        with connect(self.path, deadline=self.deadline) as con, transaction(con):
            stage_inputs.record(con, stage, current)


def _materialize(instance, selection: list[str], keys: list[str] | None, label: str,
                 deadline: Deadline | None = None, watch: interrupts.Watch | None = None,
                 completes: bool = False):
    """Run one stage; a signal received during it (``watch``) fails it, unless it ran to the
    end and ``completes`` the run (the published copy is then written: nothing to undo)."""
    started = time.monotonic()
    if keys:
        label += f" ({len(keys)} partitions: {keys[0]} .. {keys[-1]})"
    print(f"-> {label}", flush=True)
    try:
        recovery.wait_for_warehouse(instance, say=_say, deadline=deadline)
        result = run_assets(instance, selection, keys, deadline=deadline)
    except WaitBudgetExceeded as exc:
        print(f"   FAILED: {exc}", file=sys.stderr)
        raise StageFailed(label, cause=("WaitBudgetExceeded", str(exc))) from None
    except interrupts.Interrupted as stop:  # between Dagster's own handlers
        raise StageFailed(label, interrupted=stop) from None
    stop = watch.received() if watch is not None else None
    if stop is not None and not (result.success and completes):
        raise StageFailed(label, interrupted=stop)
    if not result.success:
        steps, cause = [], None
        for event in result.all_events:
            if event.is_step_failure:
                error = root_cause(event.step_failure_data.error)
                print(f"   FAILED {event.step_key}: {error.message.strip()}", file=sys.stderr)
                steps.append(event.step_key)
                cause = cause or (error.cls_name or "", error.message)
        raise StageFailed(label, tuple(steps), cause=cause)
    print(f"   done in {time.monotonic() - started:.1f} s", flush=True)
    return result


def _say(line: str) -> None:
    print(f"   {line}", flush=True)


def prepare(instance, mode: snapshot.SourceMode, deadline: Deadline) -> None:
    """Before any run: dead runs recovered (one line), a live run holding the warehouse waited
    for (visibly), and the warehouse built from this source (or not built yet)."""
    recovered = recovery.recover_dead_runs(instance)
    if recovered:
        print(recovery.recovery_line(recovered), flush=True)
    recovery.wait_for_warehouse(instance, say=_say, deadline=deadline)
    path = warehouse_path()
    if path.exists():
        try:
            con = connect(path, read_only=True, deadline=deadline)
        except WarehouseDamaged as damaged:
            raise SystemExit(f"refused: {damaged}") from None
        with con:
            recorded = recorded_source(con)
        if recorded is not None:
            try:
                refuse_other_source(recorded, mode.kind, str(mode.root.resolve()), str(path))
            except OtherSourceError as refused:
                raise SystemExit(f"refused: {refused}") from None


def _stopped(stop: interrupts.Interrupted, what: str) -> SystemExit:
    """The end of a run a signal stopped outside its stages: one line, the shell's status."""
    print(f"interrupted ({stop.name}) {what}", file=sys.stderr, flush=True)
    return SystemExit(128 + stop.signum)


def run_all(full: bool = False) -> None:
    """Materialize every asset from the configured source and print the summary. Unless
    ``full``, only what is new or revised is loaded: the HTS releases not in the warehouse
    yet and the Census months whose snapshot vintage it lacks (the marts then recompute the
    months that changed); live mode fetches every month.

    A failed stage ends the run with one sentence: the stage and its cause, what became of the
    warehouse (the tables changed, counted; listed on the line above) and the next step. A
    failed reference stage runs nothing downstream; a failed load keeps what it committed and
    the marts are rebuilt from it when every table they read exists; otherwise, and when the
    marts fail, the run is rolled back to the copy of the warehouse taken before it, and so it
    is after Ctrl-C or SIGTERM during any stage (exit status 130 or 143)."""
    try:
        settings.check_environment()
        source = SourceResource()
        mode = source.mode()
    except (settings.SettingError, snapshot.SnapshotError) as bad:
        raise SystemExit(f"refused: {bad}") from None
    print(f"source: {mode.kind} ({mode.root})"
          + (" - SYNTHETIC sample data, never cite it" if mode.synthetic else ""))
    instance = dg.DagsterInstance.get()
    with watching() as watch:
        try:
            unchanged = _update(instance, source, mode, full, watch)
        except interrupts.Interrupted as stop:  # before the first stage
            raise _stopped(stop, "before the run wrote anything: the warehouse is as it was "
                                 "(no table changed)") from None
        try:
            if (stop := watch.received()) is not None:
                raise stop
            print_summary()
            if unchanged:
                print(f"\n-> report: {SKIPPED} (make report rebuilds it)\n"
                      f"report: {reports_dir() / 'latest.html'}")
            else:
                build_report(instance)
        except interrupts.Interrupted as stop:
            raise _stopped(stop, "after the run completed: the warehouse and the published copy "
                                 "are up to date; `make summary` and `make report` print the "
                                 "rest") from None


def refuse_months_outside(shown: Path, root: Path, keys: list[str]) -> None:
    """Refuse a snapshot holding a Census month no partition has (``keys``: a future month, or
    one after the sample's last), naming it: such a month would never load, and the run would
    say "nothing new or revised" of it."""
    wanted = {k[:7] for k in keys}
    outside = [f"census/{endpoint}/{month}" for endpoint in ("imports_hs", "exports_hs")
               for month in snapshot.census_months(root, endpoint)
               if re.fullmatch(r"\d{4}-\d{2}", month) and month not in wanted]
    if outside:
        today = datetime.now(UTC)
        raise SystemExit(
            f"refused: the source {shown} holds Census months no run can load, outside "
            f"{keys[0][:7]} .. {keys[-1][:7]} (today is {today:%Y-%m}): {', '.join(outside)}; "
            "remove them or correct their names, then run again")


def _update(instance, source: SourceResource, mode: snapshot.SourceMode, full: bool,
            watch: interrupts.Watch) -> bool:
    """The stages of :func:`run_all`, and the rollback of a failed or interrupted one. Returns
    whether the marts, the published copy and the report were skipped (nothing changed)."""
    deadline = Deadline(settings.env_seconds(recovery.WAIT_SETTING), recovery.WAIT_SETTING)
    try:
        prepare(instance, mode, deadline)
    except (WaitBudgetExceeded, WarehouseLocked) as exc:
        raise SystemExit(str(exc)) from None
    root = source.root()
    if not mode.is_live and not snapshot.census_months(root, "imports_hs"):
        raise SystemExit(
            f"refused: the source {mode.root} has no Census month (no directory "
            "census/imports_hs/<YYYY-MM> holding answers): add the months' answers to the "
            "snapshot, or point TARIFF_AUDIT_SOURCE at a complete snapshot, sample or live")
    partitions = monthly_partitions.get_partition_keys()
    if not mode.is_live:
        refuse_months_outside(mode.root, root, partitions)
    path = warehouse_path()
    since = datetime.now(UTC)
    try:
        backup = take_backup(path)
    except BackupRefused as refused:
        raise SystemExit(f"refused: {refused}") from None
    stage, label = "reference", "ledger, Federal Register and HTS releases"
    try:
        try:
            # one Dagster run per stage: a run's own bookkeeping costs about a second
            stages = _Stages(instance, mode, root, full, deadline)
            if stages.unchanged("reference"):
                print(f"-> {label}: {SKIPPED}")
            else:
                _materialize(instance, REFERENCE, None, label, deadline, watch)
                stages.succeeded("reference")
            stage, label = "load", "working out what is new or revised"
            releases = instance.get_dynamic_partitions(hts_release_partitions.name)
            months = [k for k in partitions
                      if mode.is_live or k[:7] in snapshot.census_months(root, "imports_hs")]
            if not full:
                releases, months = partitions_to_load(releases, months, root, mode.is_live,
                                                      deadline)
            for selection, keys, label in ((SCHEDULE, releases, "tariff schedule"),
                                           (TRADE, months, "Census trade")):
                if keys:
                    _materialize(instance, selection, keys, label, deadline, watch)
                    stages.ran.append(label)
                else:
                    print(f"-> {label}: nothing new or revised (make run-full reloads "
                          "everything)")
            label = "Japan's trade statistics and exchange rates"
            if stages.unchanged("japan"):
                print(f"-> {label}: {SKIPPED}")
            else:
                _materialize(instance, JAPAN, None, label, deadline, watch)
                stages.succeeded("japan")
            stage = "marts"
            if stages.unchanged("marts"):
                print(f"-> {MARTS_LABEL}: {SKIPPED}")
                unchanged = True
            else:
                unchanged = False
            try:
                if not unchanged:
                    _materialize(instance, MARTS + PUBLISH, None, MARTS_LABEL, deadline, watch,
                                 completes=True)
                    stages.succeeded("marts")
            except StageFailed as failed:  # the copy waits for every mart: it alone failed,
                if failed.interrupted is not None:
                    raise
                if failed.steps and all(s.startswith(PUBLISH_STEP) for s in failed.steps):
                    stage, failed.label = "publish", "published copy"
                else:  # a mart failed (the copy did not run)
                    failed.label = "indicators"
                raise
        except interrupts.Interrupted as stop:  # between two stages
            raise StageFailed(label, interrupted=stop) from None
    except StageFailed as failed:
        with watch.deferred():
            try:
                rebuild = partial(_materialize, instance, MARTS + PUBLISH, None, MARTS_LABEL,
                                  deadline, watch)
                line = after_failure(instance, failed, stage, path, backup, since, deadline,
                                     rebuild, live=mode.is_live)
            except Exception as exc:  # the copy taken before the run is all that is left
                reason = str(exc).partition("\n")[0]
                kept = (f": the copy taken before the run is kept, restore it with mv {backup} "
                        f"{path}" if backup is not None else "")
                raise SystemExit(f"{failed.headline}; the rollback could not finish "
                                 f"({type(exc).__name__}: {reason}){kept}") from None
            if backup is not None:
                backup.unlink(missing_ok=True)
        if failed.interrupted is not None:
            print(line, file=sys.stderr, flush=True)
            raise SystemExit(128 + failed.interrupted.signum) from None
        raise SystemExit(line) from None
    with watch.deferred():
        if backup is not None:
            backup.unlink(missing_ok=True)
    return unchanged


def partitions_to_load(releases: list[str], months: list[str], root, live: bool,
         deadline: Deadline | None = None):
    """The releases and months an incremental run loads: those whose files differ from the ones
    they were last loaded from (new ones included)."""
    path = warehouse_path()
    if not path.exists():
        return releases, months
    with connect(path, read_only=True, deadline=deadline) as con:
        releases = incremental.releases_to_load(con, root, releases)
        if not live:
            wanted = set()
            for endpoint in snapshot.CENSUS_ENDPOINTS:
                wanted |= set(incremental.months_to_load(con, root, endpoint))
            months = [k for k in months if k[:7] in wanted]
    return releases, months


def build_report(instance=None) -> None:
    """Materialize the audit report from the warehouse as it is and print where it is."""
    if not warehouse_path().exists():
        raise SystemExit(f"no warehouse at {warehouse_path()}: build it first with `make run`")
    try:
        result = _materialize(instance or dg.DagsterInstance.get(), REPORT, None, "report")
    except StageFailed as failed:
        raise SystemExit(f"{failed.label} failed; the warehouse is unchanged (the report only "
                         "reads it), the previous report stays in place") from None
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        print(f"\nreport: {metadata['path'].value} ({metadata['size_bytes'].value / 1e6:.2f} MB;"
              f" also {metadata['latest'].value})")


