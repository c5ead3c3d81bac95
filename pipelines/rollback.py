"""After a failed or interrupted stage of ``make run``: the marts rebuilt from what a failed
load committed, or the run rolled back to the copy of the warehouse taken before it."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import dagster as dg

from pipelines.defs import recovery
from pipelines.failures import StageFailed, changes_summary, list_changed, table_names
from pipelines.lib.sources import snapshot
from pipelines.lib.waiting import Deadline
from pipelines.lib.warehouse.backup import restore_backup
from pipelines.lib.warehouse.checksums import changed_tables, file_checksums
from pipelines.lib.warehouse.connection import connect
from pipelines.lib.warehouse.tables import ensure_table, table_exists
from pipelines.lib.warehouse.transactions import transaction
from pipelines.stages import mart_inputs


def _other_runs_since(instance, since: datetime) -> list[str]:
    """Runs of another process created since ``since`` (a UI run, a schedule): restoring the
    copy taken before this run would undo their writes."""
    me = str(os.getpid())
    return [r.dagster_run.run_id[:8] for r in instance.get_run_records(
        dg.RunsFilter(created_after=since))
        if r.dagster_run.tags.get(recovery.TAG_PID) != me]


def after_failure(instance, failed: StageFailed, stage: str, path: Path,
                  backup: Path | None, since: datetime, deadline: Deadline,
                  rebuild: Callable[[], object], live: bool = False) -> str:
    """Leave the warehouse consistent after a failed or interrupted stage and say in one
    sentence what failed, what became of the warehouse and what to do next; the full list of
    the tables that changed goes to the output above it. A failed load keeps what it committed
    and the marts are rebuilt from it, when every table they read exists; a failed reference
    stage (ledger, Federal Register, release list) runs nothing downstream. When the marts are
    not rebuilt, or cannot be, or a signal stopped the run, the run is rolled back to the copy
    taken before it. Signals are ignored meanwhile but during the rebuild (``rebuild``: the
    marts' stage, raising :class:`StageFailed`), which a signal stops (and the run is then
    rolled back): a rollback, once begun, finishes."""
    old = file_checksums(backup) if backup is not None else {}
    now = file_checksums(path)
    changed = changed_tables(old, now)
    if not changed:
        return failed.sentence("no table changed: the warehouse keeps its previous data", live)
    list_changed(changed)
    if stage == "load" and failed.interrupted is None:
        missing = missing_mart_inputs(path, deadline)
        required = [t for t in missing if t not in optional_tables()]
        if missing and not required:
            # a first run that failed before an optional source's stage: its tables empty, as
            # a snapshot without the source leaves them (its marts say what is not measured)
            create_empty_tables(path, missing, deadline)
        if required:
            print("-> the marts are not rebuilt: they read tables the warehouse does not have "
                  f"({table_names(required, listed=False)})", flush=True)
        else:
            inputs = [t for t in changed if not t.startswith("marts.")]
            try:
                print("-> the marts again, from what was loaded before the failure", flush=True)
                rebuild()
            except StageFailed:
                pass
            else:
                after = file_checksums(path)
                now_changed = changed_tables(old, after)
                list_changed(now_changed)
                summary = changes_summary(now_changed, old, after)
                what = ("what it loaded before the failure is kept and the marts were rebuilt "
                        "from it" if inputs else "the marts were rebuilt")
                return failed.sentence(f"{what} ({summary})", live)
    if stage == "publish" and failed.interrupted is None:
        return failed.sentence(f"the warehouse was updated "
                               f"({changes_summary(changed, old, now)}), the published copy "
                               "still holds the previous data", live)
    others = _other_runs_since(instance, since)
    if others:
        return failed.sentence(
            f"not rolled back, since other runs wrote meanwhile ({', '.join(others)}): "
            f"{changes_summary(changed, old, now)}; the marts may lag their inputs until a "
            "run succeeds", live)
    restore_backup(path, backup)
    if backup is None:
        return failed.sentence(f"the run was rolled back: no warehouse existed before it, the "
                               f"partial one ({len(changed)} tables, listed above) was "
                               "removed", live)
    return failed.sentence(f"the run was rolled back, the warehouse keeps its previous data "
                           f"(the {len(changed)} tables it had changed are as before it: "
                           f"{table_names(changed)}), so no mart disagrees with its inputs", live)


def missing_mart_inputs(path: Path, deadline: Deadline) -> list[str]:
    """The tables the marts read that the warehouse does not have (a load that failed on a
    warehouse it was building): rebuilding the marts then fails step after step, unless they
    are all an optional source's (:func:`optional_tables`)."""
    if not path.exists():
        return list(mart_inputs())
    with connect(path, read_only=True, deadline=deadline) as con:
        return [t for t in mart_inputs() if not table_exists(con, t)]


def optional_tables() -> frozenset[str]:
    """The tables of the optional sources: a snapshot without one leaves them empty."""
    return frozenset(t for source in snapshot.SOURCES.values() if not source.required
                     for t in source.tables)


def create_empty_tables(path: Path, tables: list[str], deadline: Deadline) -> None:
    """Create ``tables`` (``schema.table``) empty from their DDL, in one transaction."""
    with connect(path, deadline=deadline) as con, transaction(con):
        for table in tables:
            ensure_table(con, table.replace(".", "/"))
