"""Opening the warehouse file: waiting in plain sight while another process holds its lock,
one clear error when the file is damaged."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.lib.settings import env_seconds
from pipelines.lib.waiting import Deadline, Wait, WaitBudgetExceeded
from pipelines.lib.warehouse.backup import BACKUP_SUFFIX

LOCK_WAIT_SETTING = "TARIFF_AUDIT_WAREHOUSE_WAIT"
LOCK_POLL_SECONDS = 2.0
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)"
                          r"(?: by user (?P<user>[^.]+))?")


def connect(database: str | Path, config: dict | None = None, read_only: bool = False,
            deadline: Deadline | None = None) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; while another process holds DuckDB's lock on the file (a run, or a
    reader such as an open Python session), wait with a line naming that process and how long
    the wait may last, a progress line at least every 30 s, and one clear error at
    ``deadline`` (the run's, shared by all its steps; without one, ``TARIFF_AUDIT_WAREHOUSE_WAIT``
    seconds from the first failed attempt)."""
    wait = None
    while True:
        try:
            return duckdb.connect(str(database), read_only=read_only, config=config or {})
        except duckdb.IOException as exc:
            if any(sign in str(exc) for sign in DAMAGED):
                raise WarehouseDamaged(damaged_message(database, exc)) from None
            if "Could not set lock" not in str(exc):
                raise
            holder = lock_holder(str(exc))
            if wait is None:
                wait = Wait(f"the warehouse {database}", deadline or Deadline(
                    env_seconds(LOCK_WAIT_SETTING), LOCK_WAIT_SETTING))
            try:
                wait.sleep(LOCK_POLL_SECONDS, f", locked by {holder}", poll=True)
            except WaitBudgetExceeded as timeout:
                raise WarehouseLocked(f"{timeout}; it is locked by {holder}: close that process "
                                      "(analysts read the published copy, never the live file) "
                                      "or wait for it to finish, then run again") from None


class WarehouseLocked(RuntimeError):
    """Another process kept the warehouse locked for longer than the wait budget."""


# What DuckDB says of a file cut short, emptied or overwritten (a full disk, a copy that
# stopped, another program writing to it)
DAMAGED = ("not a valid DuckDB database file", "Could not read enough bytes", "Corrupt",
           "checksum")


class WarehouseDamaged(RuntimeError):
    """The warehouse file is not a DuckDB database DuckDB can read."""


def damaged_message(database: str | Path, error: Exception) -> str:
    """One line: the file is damaged, DuckDB's reason, and the two ways out."""
    path = Path(database)
    reason = str(error).splitlines()[0].removeprefix("IO Error: ")
    before = path.with_name(path.name + BACKUP_SUFFIX)
    restore = (f", or restore the copy taken before the last run (mv {before} {path})"
               if before.exists() else "")
    return (f"the warehouse {path} is damaged, DuckDB cannot read it ({reason}): move it aside "
            f"(mv {path} {path}.damaged) and run `make run` to build it again from the "
            f"source{restore}; the published copy still answers `make sql` meanwhile")


def lock_holder(message: str) -> str:
    """``PID 123 (/usr/bin/python3, user ana)`` from DuckDB's lock error."""
    found = _LOCK_HOLDER.search(message)
    if not found:
        return "another process"
    user = f", user {found['user'].strip()}" if found["user"] else ""
    return f"PID {found['pid']} ({found['program']}{user})"
