"""What a failed stage of ``make run`` says: its cause in one line, what to do next, and the
tables it changed."""

from __future__ import annotations

import sys

from pipelines.lib import interrupts


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


def root_cause(error):
    """The user's exception, not Dagster's wrapper; and never DuckDB's "Current transaction is
    aborted" of a cleanup when the error it happened during is at hand."""
    while True:
        if error.cause is not None:
            error = error.cause
        elif error.context is not None and "transaction is aborted" in error.message:
            error = error.context
        else:
            return error


SHOWN_TABLES = 3  # tables the last line names; the full list is printed above it
_LAYERS = ("raw", "staging", "marts")


def table_names(tables: list[str], listed: bool = True) -> str:
    """A few table names, inputs first (raw, staging, then marts), and how many more (which
    the line above lists, when ``listed``)."""
    names = sorted((t.split(" ")[0] for t in tables),
                   key=lambda n: (_LAYERS.index(n.split(".")[0])
                                  if n.split(".")[0] in _LAYERS else len(_LAYERS), n))
    more = len(names) - SHOWN_TABLES
    rest = f" and {more} more" + (", listed above" if listed else "") if more > 0 else ""
    return ", ".join(names[:SHOWN_TABLES]) + rest


def changes_summary(changed: list[str], before: dict, after: dict) -> str:
    """``43 tables unchanged; 2 changed: raw.x, staging.y``."""
    unchanged = len(set(before) | set(after)) - len(changed)
    return f"{unchanged} tables unchanged; {len(changed)} changed: {table_names(changed)}"


def list_changed(changed: list[str]) -> None:
    """Every table that changed, with its row counts, on one line above the last."""
    print(f"   tables changed: {', '.join(changed)}", file=sys.stderr, flush=True)

