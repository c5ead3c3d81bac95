"""Dagster's run bookkeeping on SQLite without an fsync per event.

The instance (``dagster_home/``) keeps runs and event logs in SQLite files in WAL mode, and
SQLite's default ``synchronous = FULL`` syncs the WAL to disk on every commit. A Census load
records hundreds of events (asset check evaluations, materializations per partition, logs),
each committed on its own: on this project's 2-core machines a commit costs ~20 ms, so the
bookkeeping took a quarter of a national run's wall time (benchmarks/national.py).

With WAL, ``synchronous = NORMAL`` is what SQLite recommends: a commit is durable once the WAL
is checkpointed, the database can never be corrupted, and a power loss (not a crash of the
process) may forget the last events. The warehouse is not concerned (DuckDB has its own log);
a forgotten event is a run shown as unfinished in the UI, which the run monitoring marks.
Importing this module installs the setting for every SQLite connection in WAL mode that
SQLAlchemy opens in this process.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine


@event.listens_for(Engine, "connect")
def _no_fsync_per_commit(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        # a database in rollback-journal mode keeps FULL: NORMAL could corrupt it on power loss
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
            cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()
