"""The stages of ``make run`` and how one runs.

A stage is the asset selection of a job of ``pipelines/defs/automation.py`` resolved against the
code location's asset graph: a new asset joins its job's stage (a new mart: the marts' stage)
with no edit here, and the order of a stage's steps is the graph's. Each stage is a list of
asset keys as ``schema/table``, what :func:`run_assets` takes. Each stage runs as one Dagster
run over a partition range (the assets' single-run backfill policy), recorded in the project's
Dagster instance, so the UI shows these runs too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from pipelines.definitions import defs
from pipelines.defs import automation, recovery
from pipelines.defs.japan_stats.automation import japan_stats_job
from pipelines.defs.resources import SourceResource
from pipelines.failures import USER_ERRORS
from pipelines.lib import interrupts
from pipelines.lib.sources import snapshot
from pipelines.lib.waiting import Deadline

GRAPH = defs.resolve_asset_graph()


def selected(selection: dg.AssetSelection, graph=GRAPH) -> list[str]:
    """The assets ``selection`` resolves to in the code location, as ``schema/table``."""
    return sorted(key.to_user_string() for key in selection.resolve(graph))


_LEDGER = dg.AssetSelection.kind("yaml")  # the tables of pipelines/ledger/*.yaml
_REPORT = dg.AssetSelection.groups("report")
# every mart but those the reference stage builds already (the ledger's discrepancies)
MARTS_SELECTION = (automation.indicators_job.selection - automation.PUBLISHED - _REPORT
                   - automation.reference_job.selection)

# the ledger, the Federal Register documents and the HTS release list
REFERENCE = selected(automation.reference_job.selection)
LEDGER = selected(_LEDGER)
FEDERAL_REGISTER = selected(dg.AssetSelection.groups("legal") - _LEDGER)
SCHEDULE = selected(automation.schedule_job.selection)  # the HTS releases, one partition each
TRADE = selected(automation.census_job.selection)  # the Census months, one partition each
JAPAN = selected(japan_stats_job.selection)  # Japan's trade statistics and exchange rates
MARTS = selected(MARTS_SELECTION)
PUBLISH = selected(automation.PUBLISHED)  # the published copy: after every mart
PUBLISH_STEP = "__".join(dg.AssetKey.from_user_string(PUBLISH[0]).path)
REPORT = selected(_REPORT)  # the audit report, from the warehouse as it is


def mart_inputs() -> tuple[str, ...]:
    """The tables the marts and the published copy read: their upstream assets outside them
    (each asset key is ``schema/table``)."""
    marts = {dg.AssetKey.from_user_string(s) for s in MARTS + PUBLISH}
    return tuple(sorted({".".join(parent.path) for key in marts
                         for parent in GRAPH.get(key).parent_keys if parent not in marts}))


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
def watching() -> Iterator[interrupts.Watch]:
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


_JOB_SELECTIONS = {job.name: frozenset(job.selection.resolve(GRAPH)) for job in defs.jobs}


def _job_name(asset_keys: list) -> str:
    holding = [(len(keys), name) for name, keys in _JOB_SELECTIONS.items()
               if set(asset_keys) <= keys]
    return min(holding)[1] if holding else ADHOC_JOB


def _source_tag(resources: dict) -> str:
    source = resources.get("source")
    mode = source.mode() if isinstance(source, SourceResource) else snapshot.source_mode()
    return f"{mode.kind} {mode.root}" + (" (synthetic)" if mode.synthetic else "")

