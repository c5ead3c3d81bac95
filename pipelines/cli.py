"""``python -m pipelines.cli run``: build the warehouse end to end in one process, then print a
summary. The same assets run from the Dagster UI; this is the two-command path of the README.

Each group of assets runs as one Dagster run over a partition range (the assets' single-run
backfill policy), recorded in the project's Dagster instance, so the UI shows these runs too.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.definitions import defs
from pipelines.defs import recovery
from pipelines.defs.resources import SourceResource
from pipelines.defs.tariff_schedule.partitions import hts_release_partitions
from pipelines.defs.trade.partitions import monthly_partitions
from pipelines.lib import incremental, interrupts, settings
from pipelines.lib.paths import warehouse_path
from pipelines.lib.publish import published_path
from pipelines.lib.rules.scorecard import summary_lines
from pipelines.lib.sources import snapshot
from pipelines.lib.waiting import Deadline, WaitBudgetExceeded
from pipelines.lib.warehouse.backup import BackupRefused, restore_backup, take_backup
from pipelines.lib.warehouse.checksums import changed_tables, file_checksums
from pipelines.lib.warehouse.connection import WarehouseDamaged, WarehouseLocked, connect
from pipelines.lib.warehouse.source_claim import (
    OtherSourceError,
    recorded_source,
    refuse_other_source,
)
from pipelines.lib.warehouse.tables import ensure_table, table_counts, table_exists
from pipelines.lib.warehouse.transactions import transaction

SCHEDULE = ["raw/hts_records", "staging/hts_lines", "staging/hts_chapter99"]
TRADE = ["raw/census_imports", "staging/imports_monthly", "raw/census_exports",
         "staging/exports_monthly"]
LEDGER = ["staging/ledger_instruments", "staging/ledger_rules", "staging/ledger_categories",
          "staging/ledger_units", "staging/ledger_provisions", "staging/ledger_category_sectors",
          "staging/ledger_chapter99", "staging/ledger_commitments", "staging/ledger_evidence",
          "staging/ledger_mineral_groups", "staging/ledger_japan_countries",
          "staging/ledger_japan_units", "staging/ledger_about"]
FEDERAL_REGISTER = ["raw/federal_register_documents", "staging/federal_register_documents",
                    "marts/ledger_discrepancies"]
JAPAN = ["raw/japan_trade", "staging/japan_trade_monthly", "raw/fx_daily", "staging/fx_monthly"]
MARTS = ["marts/unrated_value_monthly", "marts/effective_rates_monthly",
         "marts/japan_line_audit", "marts/deal_conformance_monthly",
         "marts/provision_timeline", "marts/hts_revision_changes", "marts/data_revisions",
         "marts/unmodelled_provisions", "marts/statutory_rate_daily", "marts/line_rates",
         "marts/mirror_trade", "marts/mirror_trade_distribution",
         "marts/critical_minerals_dependence",
         "marts/commitment_progress", "marts/investment_tranches", "marts/investment_progress",
         "marts/implementation_scorecard"]
REPORT = ["report/audit_report"]
PUBLISH = ["published/warehouse"]
PUBLISH_STEP = "published__warehouse"
REFERENCE = LEDGER + FEDERAL_REGISTER + ["raw/hts_releases"]
ADHOC_JOB = "cli_selection"  # a selection no job of the code location holds


def run_assets(instance, selection: list[str], keys: list[str] | None = None,
               resources: dict | None = None, log_level: str = "INFO",
               deadline: Deadline | None = None):
    """Materialize ``selection`` in one in-process run; ``keys`` (first and last) make it a
    partition-range run that the single-run backfill policy loads in one step; ``deadline``
    bounds every wait of its steps for the warehouse (``make run``'s, shared by its stages).

    The run carries the name of the code location's smallest job holding the selection (so the
    UI lists it under ``census_refresh``, not ``__ephemeral_asset_job__``) and tags saying
    where it came from, its source and its partitions."""
    asset_keys = [dg.AssetKey.from_user_string(s) for s in selection]
    resources = resources or defs.resources
    tags = {"tariff_audit/launched_by": "cli", "tariff_audit/source": _source_tag(resources),
            **recovery.identity_tags(), **(recovery.wait_tags(deadline) if deadline else {})}
    if keys:
        tags.update({"dagster/asset_partition_range_start": keys[0],
                     "dagster/asset_partition_range_end": keys[-1],
                     "tariff_audit/partitions": f"{keys[0]}..{keys[-1]}"})
    name = _job_name(asset_keys)
    jobs = list(defs.jobs) if name != ADHOC_JOB else [
        dg.define_asset_job(ADHOC_JOB, selection=asset_keys)]
    location = dg.Definitions(assets=list(defs.assets), jobs=jobs, resources=resources,
                              executor=dg.in_process_executor, loggers={"console": _console})
    job = location.resolve_job_def(name)
    return job.execute_in_process(
        instance=instance, tags=tags, asset_selection=asset_keys, raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": log_level}}}})


def _brief_failures(record: logging.LogRecord) -> bool:
    """Dagster logs a step or run stopped by a signal, or failed on an error written for the
    user (a source's file and field, a contract, a wait: ``USER_ERRORS``), with its whole
    stack, which says nothing a user can act on: keep the line saying what stopped, drop the
    stack (the run's events keep it, in the UI). The CLI prints the cause itself (``FAILED
    <step>: ...``). A stack of any other error (a fault of the code) is kept, unless a signal
    came (``_watch``): the step failed because the run was stopped."""
    text = record.getMessage()
    if "\n" in text and (any(sign in text for sign in _INTERRUPT_SIGNS)
                         or any(f"\n{name}: " in text for name in USER_ERRORS.values())
                         or (_watch is not None and _watch.received() is not None)):
        record.msg, record.args = text.split("\n", 1)[0], ()
    return True


_INTERRUPT_SIGNS = ("DagsterExecutionInterruptedError", "Execution was interrupted")
# The signals of the current `make run` (set by run_all): once one came, every step failure is
# its consequence (a DuckDB query it interrupted fails its step as an ordinary exception, with
# a stack), and the run ends with the one line saying it was interrupted.
_watch: interrupts.Watch | None = None


@contextmanager
def _watching() -> Iterator[interrupts.Watch]:
    """:func:`interrupts.watching`, known to the console's filter while it lasts."""
    global _watch
    with interrupts.watching() as watch:
        _watch = watch
        try:
            yield watch
        finally:
            _watch = None


@dg.logger(config_schema=dg.colored_console_logger.config_schema,
           description="Dagster's colored console logger, without the stack of an interrupt or "
                       "of an error written for the user.")
def _console(init_context) -> logging.Logger:
    console = dg.colored_console_logger.logger_fn(init_context)
    console.addFilter(_brief_failures)
    return console


@cache
def _job_selections() -> dict[str, frozenset]:
    graph = defs.resolve_asset_graph()
    return {job.name: frozenset(job.selection.resolve(graph)) for job in defs.jobs}


def _job_name(asset_keys: list) -> str:
    holding = [(len(keys), name) for name, keys in _job_selections().items()
               if set(asset_keys) <= keys]
    return min(holding)[1] if holding else ADHOC_JOB


def _source_tag(resources: dict) -> str:
    source = resources.get("source")
    mode = source.mode() if isinstance(source, SourceResource) else snapshot.source_mode()
    return f"{mode.kind} {mode.root}" + (" (synthetic)" if mode.synthetic else "")


class StageFailed(Exception):
    """A stage of ``make run`` failed, or a signal stopped it (``interrupted``); its step
    failures are printed already. ``cause`` is the first failure's own error (class name and
    message), the one the last line of the run names."""

    def __init__(self, label: str, steps: tuple[str, ...] = (),
                 interrupted: interrupts.Interrupted | None = None,
                 cause: tuple[str, str] | None = None):
        super().__init__(label)
        self.label = label
        self.steps = steps  # the keys of the steps that failed
        self.interrupted = interrupted
        self.cause = cause

    @property
    def headline(self) -> str:
        if self.interrupted is not None:
            return f"{self.label} interrupted ({self.interrupted.name})"
        if self.cause is None:
            return f"{self.label} failed"
        return f"{self.label} failed: {_cause_text(*self.cause)}"

    def sentence(self, warehouse: str, live: bool = False) -> str:
        """The last line of the run: the stage and its cause, what became of the warehouse,
        and (for a failure) what to do next."""
        if self.interrupted is not None:
            return f"{self.headline}; {warehouse}"
        return f"{self.headline}; {warehouse}; next: {_next_step(self.cause, live)}"


# Errors whose message is written for the user (source, file and field; or what to do): their
# Dagster stack says nothing more, and the last line quotes them without the class name.
USER_ERRORS = {
    "SourceError": "pipelines.lib.errors.SourceError",
    "SnapshotError": "pipelines.lib.sources.snapshot.SnapshotError",
    "LedgerError": "pipelines.lib.rules.ledger.loader.LedgerError",
    "Failure": "dagster._core.definitions.events.Failure",
    "SchemaChanged": "pipelines.lib.warehouse.tables.SchemaChanged",
    "OtherSourceError": "pipelines.lib.warehouse.source_claim.OtherSourceError",
    "WarehouseLocked": "pipelines.lib.warehouse.connection.WarehouseLocked",
    "WarehouseDamaged": "pipelines.lib.warehouse.connection.WarehouseDamaged",
    "OutOfMemory": "pipelines.lib.warehouse.execute.OutOfMemory",
    "WaitBudgetExceeded": "pipelines.lib.waiting.WaitBudgetExceeded",
}
# The file system refused (a path, its permissions, the space): the machine's to fix
_OS_ERRORS = frozenset({"OSError", "PermissionError", "FileNotFoundError", "FileExistsError",
                        "NotADirectoryError", "IsADirectoryError"})
CAUSE_CHARS = 400  # the cause as quoted in the last line; the FAILED line above has all of it


def _cause_text(kind: str, message: str) -> str:
    qualified = USER_ERRORS.get(kind)
    text = message.strip().split("\n", 1)[0]
    if qualified is not None:
        text = text.removeprefix(f"{qualified}: ")
    text = text.rstrip(" .;")  # the sentence goes on after it
    return text if len(text) <= CAUSE_CHARS else text[:CAUSE_CHARS - 3] + "..."


def _next_step(cause: tuple[str, str] | None, live: bool) -> str:
    """What to do about a failure, by the kind of its cause."""
    kind = cause[0] if cause is not None else None
    if kind in ("SourceError", "SnapshotError"):
        if live:
            return ("run `make run` again later (a source that answered badly often answers "
                    "well later), or use a snapshot (TARIFF_AUDIT_SOURCE)")
        return ("correct the file and field it names in the snapshot, or point "
                "TARIFF_AUDIT_SOURCE at a complete snapshot, then run `make run` again")
    if kind == "LedgerError":
        return "correct the ledger entry it names, then run `make run` again"
    if kind == "Failure":
        return ("correct the input behind the failing contract (its failing values are in "
                "the check's metadata: make dev, Assets), then run `make run` again")
    if kind in USER_ERRORS or kind is None:
        return "do what the message above says, then run `make run` again"
    if kind in _OS_ERRORS:
        return ("make the path it names usable (it exists, as a directory where one is "
                "needed, writable, with free space), then run `make run` again")
    return ("this is a fault of the pipeline, not of the data: report it with the step's "
            "stack trace above")


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
                error = _root_cause(event.step_failure_data.error)
                print(f"   FAILED {event.step_key}: {error.message.strip()}", file=sys.stderr)
                steps.append(event.step_key)
                cause = cause or (error.cls_name or "", error.message)
        raise StageFailed(label, tuple(steps), cause=cause)
    print(f"   done in {time.monotonic() - started:.1f} s", flush=True)
    return result


def _root_cause(error):
    """The user's exception, not Dagster's wrapper; and never DuckDB's "Current transaction is
    aborted" of a cleanup when the error it happened during is at hand."""
    while True:
        if error.cause is not None:
            error = error.cause
        elif error.context is not None and "transaction is aborted" in error.message:
            error = error.context
        else:
            return error


def _say(line: str) -> None:
    print(f"   {line}", flush=True)


def _start(instance, mode: snapshot.SourceMode, deadline: Deadline) -> None:
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


def _other_runs_since(instance, since: datetime) -> list[str]:
    """Runs of another process created since ``since`` (a UI run, a schedule): restoring the
    copy taken before this run would undo their writes."""
    me = str(os.getpid())
    return [r.dagster_run.run_id[:8] for r in instance.get_run_records(
        dg.RunsFilter(created_after=since))
        if r.dagster_run.tags.get(recovery.TAG_PID) != me]


def _after_failure(instance, failed: StageFailed, stage: str, path: Path,
                   backup: Path | None, since: datetime, deadline: Deadline,
                   watch: interrupts.Watch, live: bool = False) -> str:
    """Leave the warehouse consistent after a failed or interrupted stage and say in one
    sentence what failed, what became of the warehouse and what to do next; the full list of
    the tables that changed goes to the output above it. A failed load keeps what it committed
    and the marts are rebuilt from it, when every table they read exists; a failed reference
    stage (ledger, Federal Register, release list) runs nothing downstream. When the marts are
    not rebuilt, or cannot be, or a signal stopped the run, the run is rolled back to the copy
    taken before it. Signals are ignored meanwhile but during the rebuild, which a signal
    stops (and the run is then rolled back): a rollback, once begun, finishes."""
    old = file_checksums(backup) if backup is not None else {}
    now = file_checksums(path)
    changed = changed_tables(old, now)
    if not changed:
        return failed.sentence("no table changed: the warehouse keeps its previous data", live)
    _list_changed(changed)
    if stage == "load" and failed.interrupted is None:
        missing = _missing_mart_inputs(path, deadline)
        if missing:
            print("-> the marts are not rebuilt: they read tables the warehouse does not have "
                  f"({_names(missing, listed=False)})", flush=True)
        else:
            inputs = [t for t in changed if not t.startswith("marts.")]
            try:
                print("-> the marts again, from what was loaded before the failure", flush=True)
                _materialize(instance, MARTS + PUBLISH, None, "indicators and the published "
                             "copy", deadline, watch)
            except StageFailed:
                pass
            else:
                after = file_checksums(path)
                now_changed = changed_tables(old, after)
                _list_changed(now_changed)
                summary = _summary(now_changed, old, after)
                what = ("what it loaded before the failure is kept and the marts were rebuilt "
                        "from it" if inputs else "the marts were rebuilt")
                return failed.sentence(f"{what} ({summary})", live)
    if stage == "publish" and failed.interrupted is None:
        return failed.sentence(f"the warehouse was updated ({_summary(changed, old, now)}), "
                               "the published copy still holds the previous data", live)
    others = _other_runs_since(instance, since)
    if others:
        return failed.sentence(
            f"not rolled back, since other runs wrote meanwhile ({', '.join(others)}): "
            f"{_summary(changed, old, now)}; the marts may lag their inputs until a run "
            "succeeds", live)
    restore_backup(path, backup)
    if backup is None:
        return failed.sentence(f"the run was rolled back: no warehouse existed before it, the "
                               f"partial one ({len(changed)} tables, listed above) was "
                               "removed", live)
    return failed.sentence(f"the run was rolled back, the warehouse keeps its previous data "
                           f"(the {len(changed)} tables it had changed are as before it: "
                           f"{_names(changed)}), so no mart disagrees with its inputs", live)


SHOWN_TABLES = 3  # tables the last line names; the full list is printed above it
_LAYERS = ("raw", "staging", "marts")


def _names(tables: list[str], listed: bool = True) -> str:
    """A few table names, inputs first (raw, staging, then marts), and how many more (which
    the line above lists, when ``listed``)."""
    names = sorted((t.split(" ")[0] for t in tables),
                   key=lambda n: (_LAYERS.index(n.split(".")[0])
                                  if n.split(".")[0] in _LAYERS else len(_LAYERS), n))
    more = len(names) - SHOWN_TABLES
    rest = f" and {more} more" + (", listed above" if listed else "") if more > 0 else ""
    return ", ".join(names[:SHOWN_TABLES]) + rest


def _summary(changed: list[str], before: dict, after: dict) -> str:
    """``43 tables unchanged; 2 changed: raw.x, staging.y``."""
    unchanged = len(set(before) | set(after)) - len(changed)
    return f"{unchanged} tables unchanged; {len(changed)} changed: {_names(changed)}"


def _list_changed(changed: list[str]) -> None:
    """Every table that changed, with its row counts, on one line above the last."""
    print(f"   tables changed: {', '.join(changed)}", file=sys.stderr, flush=True)


@cache
def _mart_inputs() -> tuple[str, ...]:
    """The tables the marts and the published copy read: their upstream assets outside them
    (each asset key is ``schema/table``)."""
    graph = defs.resolve_asset_graph()
    marts = {dg.AssetKey.from_user_string(s) for s in MARTS + PUBLISH}
    return tuple(sorted({".".join(parent.path) for key in marts
                         for parent in graph.get(key).parent_keys if parent not in marts}))


def _missing_mart_inputs(path: Path, deadline: Deadline) -> list[str]:
    """The tables the marts read that the warehouse does not have (a load that failed on a
    warehouse it was building): rebuilding the marts then fails step after step. An optional
    source's tables are not missing: a first run that failed before that source's stage gets
    them empty, as a snapshot without the source leaves them, and its marts say what is not
    measured."""
    if not path.exists():
        return list(_mart_inputs())
    with connect(path, read_only=True, deadline=deadline) as con:
        missing = [t for t in _mart_inputs() if not table_exists(con, t)]
    optional = {t for source in snapshot.SOURCES.values() if not source.required
                for t in source.tables}
    required = [t for t in missing if t not in optional]
    if missing and not required:
        with connect(path, deadline=deadline) as con, transaction(con):
            for table in missing:
                ensure_table(con, table.replace(".", "/"))
    return required


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
    with _watching() as watch:
        try:
            _update(instance, source, mode, full, watch)
        except interrupts.Interrupted as stop:  # before the first stage
            raise _stopped(stop, "before the run wrote anything: the warehouse is as it was "
                                 "(no table changed)") from None
        try:
            if (stop := watch.received()) is not None:
                raise stop
            print_summary()
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
            watch: interrupts.Watch) -> None:
    """The stages of :func:`run_all`, and the rollback of a failed or interrupted one."""
    deadline = Deadline(settings.env_seconds(recovery.WAIT_SETTING), recovery.WAIT_SETTING)
    try:
        _start(instance, mode, deadline)
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
            _materialize(instance, REFERENCE, None, label, deadline, watch)
            stage, label = "load", "working out what is new or revised"
            releases = instance.get_dynamic_partitions(hts_release_partitions.name)
            months = [k for k in partitions
                      if mode.is_live or k[:7] in snapshot.census_months(root, "imports_hs")]
            if not full:
                releases, months = _new(releases, months, root, mode.is_live, deadline)
            for selection, keys, label in ((SCHEDULE, releases, "tariff schedule"),
                                           (TRADE, months, "Census trade")):
                if keys:
                    _materialize(instance, selection, keys, label, deadline, watch)
                else:
                    print(f"-> {label}: nothing new or revised (make run-full reloads "
                          "everything)")
            label = "Japan's trade statistics and exchange rates"
            _materialize(instance, JAPAN, None, label, deadline, watch)
            stage = "marts"
            try:
                _materialize(instance, MARTS + PUBLISH, None, "indicators and the published "
                             "copy", deadline, watch, completes=True)
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
                line = _after_failure(instance, failed, stage, path, backup, since, deadline,
                                      watch, live=mode.is_live)
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


def _new(releases: list[str], months: list[str], root, live: bool,
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


def pct(share: float | None, digits: int = 1) -> str:
    """A share as a percentage, ``n/a`` when it could not be measured (NULL)."""
    return "n/a" if share is None else f"{share:.{digits}%}"


def print_summary() -> None:
    """Tables with their row counts, the latest effective rate of imports from Japan and the
    scorecard of the latest quarter, read from the published copy (never locked by a run); its
    first line says when data is synthetic, its last lines which optional sources the warehouse
    has no row of and what is therefore not measured."""
    path = published_path()
    if not path.exists():
        raise SystemExit(f"no published copy at {path}: run `make run` first")
    with duckdb.connect(str(path), read_only=True) as con:
        notice, mode, published = con.execute(
            "SELECT notice, source_mode, published_at FROM meta.about").fetchone()
        print(f"\n{notice}" if notice else f"\nsource: {mode}")
        print(f"published copy: {path} ({published:%Y-%m-%d %H:%M} UTC; query it with make sql)")
        if table_exists(con, "staging.ledger_about"):
            (checked,) = con.execute("SELECT max(as_of) FROM staging.ledger_about").fetchone()
            print(f"ledger: legal facts checked against their sources as of {checked:%Y-%m-%d}")
        print(f"warehouse: {warehouse_path()}")
        for schema, table, rows in table_counts(con):
            print(f"  {schema + '.' + table:<36} {rows:>10,} rows")
        latest = con.execute(
            "SELECT period, cty_name, sector, con_val, cal_dut, effective_rate "
            "FROM marts.effective_rates_monthly WHERE cty_code = '5880' "
            "AND period = (SELECT max(period) FROM marts.effective_rates_monthly "
            "WHERE cty_code = '5880') ORDER BY sector = 'all' DESC, con_val DESC"
        ).fetchall()
        deal = con.execute(
            "SELECT period, at_promise_value_share, below_promise_value_share,"
            " above_promise_value_share, excess_duty_usd, statutory_gap_value_share,"
            " (SELECT sum(refundable_duty_usd) FROM marts.deal_conformance_monthly"
            "  WHERE category = 'all'),"
            " (SELECT sum(stacking_overpayment_usd) FROM marts.deal_conformance_monthly"
            "  WHERE category = 'all'), rated_value_share, unrated_value_usd, observed_rate,"
            " agreement_rate, statutory_rate FROM marts.deal_conformance_monthly "
            "WHERE category = 'all' ORDER BY period DESC LIMIT 1").fetchall()
        scorecard = summary_lines(con)
        unmeasured = snapshot.not_loaded(con)
    if latest:
        period, name = latest[0][0], latest[0][1]
        print(f"\nimports from {name.title()}, {period:%B %Y}: effective rate by sector")
        for _, _, sector, con_val, cal_dut, rate in latest:
            shown = "n/a" if rate is None else f"{rate:6.2%}"
            print(f"  {sector:<15} {shown:>7}  of ${con_val / 1e6:>10,.1f} m"
                  f"  (duty ${cal_dut / 1e6:,.1f} m)")
    if deal and deal[0][1] is not None:
        (period, at, below, above, excess, gap, refunds, overpaid, rated, unrated, observed,
         promised, statutory) = deal[0]
        print(f"\nthe agreement, {period:%B %Y}, on the {pct(rated)} of the value that has a"
              f" statutory rate (${(unrated or 0) / 1e6:,.1f} m without one, each line's reason in"
              " marts.japan_line_audit):"
              f"\n  collected {pct(observed, 2)}, promised {pct(promised, 2)}, law"
              f" {pct(statutory, 2)}"
              f"\n  value at the promise {pct(at)}, below it {pct(below)} (preferences, FTZ,"
              f" exemptions or under-collection), above it {pct(above)}"
              f" (${(excess or 0) / 1e6:,.1f} m collected above the promise)"
              f"\n  the law itself exceeds the promise on {gap or 0:.1%} of the value")
        print("refundable IEEPA duty collected (5 Apr 2025 - 23 Feb 2026, voided by Learning "
              f"Resources v. Trump): ${(refunds or 0) / 1e6:,.1f} m, of which "
              f"${(overpaid or 0) / 1e6:,.1f} m above the law of its day (stacking filings, "
              "Aug-Sep 2025)"
              "\nmore: make sql Q=\"SELECT * FROM marts.deal_conformance_monthly "
              "WHERE category = 'all' ORDER BY period\"")
    if scorecard:
        print("\n" + "\n".join(scorecard) + "\nmore: make sql Q=\"SELECT * FROM "
              "marts.implementation_scorecard ORDER BY quarter DESC, side, commitment_id\"")
    if unmeasured:  # the optional sources the snapshot lacks: what the figures above leave out
        print("\n" + "\n".join(f"warning: {source.warning()}" for source in unmeasured))


def _show_waits() -> None:
    """Print the waiting lines (pipelines.wait) plainly, under the stage they belong to."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("   %(message)s"))
    logger = logging.getLogger("pipelines.wait")
    logger.addHandler(handler)
    logger.propagate = False


def main(argv: list[str] | None = None) -> None:
    settings.load_env_file()
    script = Path(sys.argv[0]).name == "tariff-audit"  # the console script of pyproject.toml
    parser = argparse.ArgumentParser(prog="tariff-audit" if script else "python -m pipelines.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="load what is new or revised, update the marts, print the "
                                     "summary")
    run.add_argument("--full", action="store_true",
                     help="reload every release and month of the source, not only new ones")
    sub.add_parser("summary", help="print the summary of the existing warehouse")
    sub.add_parser("report", help="build the audit report from the existing warehouse")
    sql = sub.add_parser("sql", help="run one SQL query on the published copy (see pipelines.sql)")
    sql.add_argument("query")
    sub.add_parser("dictionary", help="print the data dictionary generated from sql/")
    sub.add_parser("contracts", help="rewrite the list of data contracts in "
                                      "docs/DATA_QUALITY.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    _show_waits()
    if args.command == "run":
        run_all(full=args.full)
    elif args.command == "sql":
        from pipelines import sql

        sys.exit(sql.main([args.query]))
    elif args.command == "report":
        build_report()
    elif args.command == "contracts":
        from pipelines.lib.quality.contracts_doc import DOC, splice

        DOC.write_text(splice(DOC.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated the data contracts in {DOC}")
    elif args.command == "dictionary":
        from pipelines.lib.dictionary import render

        sys.stdout.write(render())
    else:
        print_summary()


if __name__ == "__main__":
    main()
