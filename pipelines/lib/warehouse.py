"""The DuckDB warehouse: connections, SQL files and atomic partition replacement.

SQL lives in ``sql/<schema>/<table>.sql``. A file holds named statements, each introduced by a
``-- name: <statement>`` line; ``ddl`` creates the table and its comments (the data
dictionary), the others fill it. Values are bound as parameters, never formatted into SQL.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import duckdb

from pipelines.lib.paths import sql_dir, warehouse_path
from pipelines.lib.settings import env_seconds
from pipelines.lib.sources.snapshot import census_months
from pipelines.lib.waiting import Deadline, Wait, WaitBudgetExceeded

LOCK_WAIT_SETTING = "TARIFF_AUDIT_WAREHOUSE_WAIT"
LOCK_POLL_SECONDS = 2.0
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)"
                          r"(?: by user (?P<user>[^.]+))?")

SCHEMAS = ("raw", "staging", "marts", "quarantine", "meta")
_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


@cache
def statements(name: str) -> dict[str, str]:
    """The named statements of ``sql/<name>.sql`` (``name`` like ``staging/hts_lines``)."""
    text = (sql_dir() / f"{name}.sql").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    found = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}
    if not found:
        raise ValueError(f"sql/{name}.sql has no '-- name: <statement>' sections")
    return found


def statement(name: str, which: str) -> str:
    found = statements(name)
    if which not in found:
        raise KeyError(f"sql/{name}.sql has no statement named {which!r} (has {sorted(found)})")
    return found[which]


class OutOfMemory(MemoryError):
    """DuckDB reached its memory limit. Not a ``duckdb.Error``: a reader that refuses a file
    DuckDB cannot parse (``except duckdb.Error``) must not blame the file for it."""


def run(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None) -> list:
    """Execute ``sql`` and fetch its result to the end (duckdb 2 refuses further work on a
    connection with an unfinished result). DuckDB's out-of-memory error becomes
    :class:`OutOfMemory`, naming the limit and the setting that raises it."""
    try:
        return con.execute(sql, params).fetchall() if params else con.execute(sql).fetchall()
    except duckdb.OutOfMemoryException as exc:
        raise OutOfMemory(_out_of_memory(con, exc)) from None


def _out_of_memory(con: duckdb.DuckDBPyConnection, exc: Exception) -> str:
    try:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    except duckdb.Error:
        limit = "unknown"
    return (f"DuckDB ran out of memory (its limit is {limit}): raise TARIFF_AUDIT_DUCKDB_MEMORY "
            "(default 2GB; e.g. 4GB, below the machine's free memory) or free memory, then run "
            f"again; the data read is not at fault ({str(exc).splitlines()[0]})")


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: dict | list | None = None):
    """The first value of the first row of ``sql``'s result."""
    return run(con, sql, params)[0][0]


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        run(con, f"CREATE SCHEMA IF NOT EXISTS {schema}")


# Tables whose every row is recomputed from other tables: a table of these schemas whose
# columns no longer match its DDL (the code moved on) is dropped and created again.
DERIVED_SCHEMAS = ("marts", "meta")


class SchemaChanged(RuntimeError):
    """A warehouse table was built by another version of the code and holds rows that cannot
    be recomputed in place."""


def ensure_table(con: duckdb.DuckDBPyConnection, name: str, derived: bool = False) -> None:
    """Create the table(s) of ``name`` (``schema/table``) from its ``ddl`` statement if they do
    not exist.

    A table built by an older version (its columns differ from the DDL) is created again when
    its rows are derived (``derived``: the caller replaces every row, or its schema is one of
    ``DERIVED_SCHEMAS``; an incremental mart's bookkeeping is cleared so every month is
    recomputed); otherwise :class:`SchemaChanged` says which columns differ and what to do."""
    ensure_schemas(con)
    for (schema, table), wanted in ddl_columns(name).items():
        found = tuple(run(con, "SELECT column_name, data_type FROM duckdb_columns() WHERE "
                               "schema_name = $s AND table_name = $t ORDER BY column_index",
                          {"s": schema, "t": table}))
        if not found or found == wanted:
            continue
        if not (derived or schema in DERIVED_SCHEMAS):
            raise SchemaChanged(_schema_message(name, f"{schema}.{table}", dict(wanted),
                                                dict(found)))
        run(con, f'DROP TABLE "{schema}"."{table}"')
        if (schema, table) != ("meta", "mart_inputs") and table_exists(con, "meta.mart_inputs"):
            run(con, "DELETE FROM meta.mart_inputs WHERE mart = $m", {"m": f"{schema}.{table}"})
    run(con, statement(name, "ddl"))


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``table`` (``schema.name``) exists in the connection's catalogs."""
    schema, name = table.split(".")
    return run(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = $s AND "
                    "table_name = $t", {"s": schema, "t": name})[0][0] > 0


@cache
def ddl_columns(name: str) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """(schema, table) -> its (column, type)s, for every table the ``ddl`` statement of
    ``name`` creates (run in a scratch in-memory database)."""
    with duckdb.connect() as scratch:
        ensure_schemas(scratch)
        run(scratch, statement(name, "ddl"))
        columns: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for schema, table, column, kind in run(
                scratch, "SELECT schema_name, table_name, column_name, data_type FROM "
                         "duckdb_columns() WHERE NOT internal AND schema_name IN "
                         "(SELECT unnest($s)) ORDER BY schema_name, table_name, column_index",
                {"s": list(SCHEMAS)}):
            columns.setdefault((schema, table), []).append((column, kind))
        return {key: tuple(cols) for key, cols in columns.items()}


def _schema_message(name: str, table: str, wanted: dict, have: dict) -> str:
    parts = [f"{label}: {', '.join(cols)}" for label, cols in (
        ("missing", [c for c in wanted if c not in have]),
        ("no longer used", [c for c in have if c not in wanted]),
        ("type changed", [f"{c} {have[c]} -> {wanted[c]}" for c in wanted
                          if c in have and have[c] != wanted[c]]),
        ("order changed", ["yes"] if wanted == have and list(wanted) != list(have) else []))
        if cols]
    return (f"warehouse {warehouse_path()}: {table} was built by another version of Tariff "
            f"Audit and its columns differ from sql/{name}.sql ({'; '.join(parts)}); its rows "
            "cannot be recomputed in place. Move the warehouse file aside and run `make run` "
            "to build it again from the source (or set TARIFF_AUDIT_DATA to start a new one).")


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


# --- the copy taken before a run, to roll a failed run back to ---------------------------------

BACKUP_SUFFIX = ".before-run"


class BackupRefused(RuntimeError):
    """The copy of the warehouse taken before a run cannot be written; nothing was."""


def take_backup(path: Path) -> Path | None:
    """A copy of the warehouse file ``path`` as it is before a run (``None`` when there is none
    yet), to roll the run back to. Refused with one line (:class:`BackupRefused`) when its
    directory lacks the free space for it or cannot be written; a copy that fails halfway (or
    is interrupted) is removed, never left behind."""
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    where = path.parent
    try:
        backup.unlink(missing_ok=True)
        if not path.exists():
            return None
        needed = sum(p.stat().st_size for p in (path, Path(f"{path}.wal")) if p.exists())
        free = shutil.disk_usage(where).free
        if free < needed:
            raise BackupRefused(
                f"not enough free space in {where} for the copy of the warehouse a run takes "
                f"before it writes (to roll back to): it needs {_mb(needed)}, {_mb(free)} are "
                "free; free some space (or set TARIFF_AUDIT_DATA to a directory on a larger "
                "disk), then run again; nothing was written")
        try:
            shutil.copyfile(path, backup)
        except BaseException:  # a full disk, a signal: never leave a partial copy behind
            backup.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise BackupRefused(
            f"cannot write in {where} the copy of the warehouse a run takes before it writes "
            f"({backup.name}): {exc.strerror or exc}; make {where} writable, with room for "
            f"{path.name} once more, then run again; nothing was written") from None
    return backup


def restore_backup(path: Path, backup: Path | None) -> None:
    """Put the copy taken before the run back in place (no copy: there was no warehouse)."""
    Path(f"{path}.wal").unlink(missing_ok=True)
    if backup is None:
        path.unlink(missing_ok=True)
    else:
        os.replace(backup, path)


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


def lock_holder(message: str) -> str:
    """``PID 123 (/usr/bin/python3, user ana)`` from DuckDB's lock error."""
    found = _LOCK_HOLDER.search(message)
    if not found:
        return "another process"
    user = f", user {found['user'].strip()}" if found["user"] else ""
    return f"PID {found['pid']} ({found['program']}{user})"


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: any exception rolls back, so a failed step leaves tables as they were."""
    run(con, "BEGIN TRANSACTION")
    try:
        yield con
    except BaseException as exc:
        try:
            run(con, "ROLLBACK")
        except duckdb.Error as rollback:  # keep the real error; the rollback's is secondary
            exc.add_note(f"(the rollback failed too: {rollback})")
        raise
    run(con, "COMMIT")


@contextmanager
def cleaning_up(cleanup) -> Iterator[None]:
    """Run ``cleanup`` (unregister frames, drop temp tables) after the block. When the block
    failed inside a transaction, DuckDB refuses every statement until the rollback ("Current
    transaction is aborted"), the cleanup included: its error is then noted on the block's
    error instead of replacing it, so the message keeps the real cause."""
    try:
        yield
    except BaseException as exc:
        try:
            cleanup()
        except duckdb.Error as failed:
            exc.add_note(f"(cleaning up failed too: {failed})")
        raise
    cleanup()


def replace_partitions(
    con: duckdb.DuckDBPyConnection,
    name: str,
    key_column: str,
    keys: Sequence[str],
    fill: str | None = "insert",
    params: dict | None = None,
) -> int:
    """Replace the rows of ``keys`` in table ``name`` by what statement ``fill`` inserts
    (``None``: just delete them).

    Runs inside the caller's transaction; returns the table's row count for those keys.
    """
    table = name.replace("/", ".")
    ensure_table(con, name)
    run(con, f"DELETE FROM {table} WHERE {key_column}::VARCHAR IN (SELECT unnest($keys))",
        {"keys": list(keys)})
    if fill is not None:
        run(con, statement(name, fill), params)
    return scalar(
        con,
        f"SELECT count(*) FROM {table} WHERE {key_column}::VARCHAR IN (SELECT unnest($keys))",
        {"keys": list(keys)},
    )


def rebuild_table(
    con: duckdb.DuckDBPyConnection, name: str, fill: str = "insert", params: dict | None = None
) -> int:
    """Replace every row of ``name`` by what statement ``fill`` inserts (caller's transaction)."""
    table = name.replace("/", ".")
    ensure_table(con, name, derived=True)
    run(con, f"DELETE FROM {table}")
    run(con, statement(name, fill), params)
    return scalar(con, f"SELECT count(*) FROM {table}")


class OtherSourceError(RuntimeError):
    """A load from another source than the one the warehouse was built from."""


def recorded_source(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(kind, root) of ``raw.warehouse_source``; ``None`` before the first load."""
    found = table_exists(con, "raw.warehouse_source")
    rows = run(con, "SELECT kind, root FROM raw.warehouse_source") if found else []
    return rows[0] if rows else None


def claim_source(con: duckdb.DuckDBPyConnection, kind: str, root: str | Path) -> None:
    """Record ``kind`` and ``root`` as the warehouse's source on its first load; refuse a load
    from another source (another directory), or from a snapshot that lost Census months the
    warehouse holds (:func:`refuse_lost_months`), with the way out. One warehouse, one source:
    two sources' releases and months must never meet in the same tables."""
    root = str(Path(root).resolve())
    recorded = recorded_source(con)
    if recorded is None:
        ensure_table(con, "raw/warehouse_source")
        run(con, statement("raw/warehouse_source", "insert"), {"kind": kind, "root": root})
        return
    refuse_other_source(recorded, kind, root, database_path(con))
    if kind != "live":  # live mode fetches its months: none can be gone from a snapshot
        refuse_lost_months(con, Path(root))


def refuse_other_source(recorded: tuple[str, str], kind: str, root: str, where: str) -> None:
    old_kind, old_root = recorded
    if Path(old_root) == Path(root):
        return
    back = old_kind if old_kind in ("sample", "live") else old_root
    raise OtherSourceError(
        f"the warehouse {where} was built from {old_kind} {old_root}, not from the configured "
        f"source ({kind} {root}); one warehouse holds one source: build this one in another "
        f"directory (TARIFF_AUDIT_DATA=<new directory> make run), or set TARIFF_AUDIT_SOURCE "
        f"back to {back}")


def refuse_lost_months(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Refuse to load from a snapshot that no longer has Census months the warehouse holds.

    Such a month would stay in staging, the marts, the published copy and the report, read
    as the source's while the source has it no more. Dropping it is not a run's decision: the
    warehouse keeps every vintage it loaded, which nothing could bring back, and a month
    directory can vanish by accident (a partial copy, a failed sync) as well as on purpose.
    A month without exports answers is allowed (its exports stay as they were)."""
    if not table_exists(con, "staging.imports_monthly"):
        return
    held = [m for (m,) in run(con, "SELECT DISTINCT strftime(period, '%Y-%m') FROM "
                                   "staging.imports_monthly ORDER BY 1")]
    lost = sorted(set(held) - set(census_months(root, "imports_hs")))
    if lost:
        where = database_path(con)
        raise OtherSourceError(
            f"the warehouse {where} holds Census imports_hs months that are not in this "
            f"snapshot ({root}): {', '.join(lost)} (no census/imports_hs/<YYYY-MM> "
            "directory); a run never drops a month it loaded, with its vintages, on its own: "
            "put the month's answers back in the snapshot, or build a warehouse from this "
            f"snapshot as it is (TARIFF_AUDIT_DATA=<new directory> make run, or move {where} "
            "aside and make run)")


def database_path(con: duckdb.DuckDBPyConnection) -> str:
    return scalar(con, "SELECT coalesce(path, database_name) FROM duckdb_databases() "
                       "WHERE database_name = current_database()")


def table_counts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table of the warehouse schemas, sorted."""
    rows = run(
        con,
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE schema_name IN (SELECT unnest($s)) ORDER BY 1, 2",
        {"s": list(SCHEMAS)},
    )
    return [(s, t, scalar(con, f'SELECT count(*) FROM "{s}"."{t}"')) for s, t in rows]


def table_checksums(con: duckdb.DuckDBPyConnection, without: dict[str, list[str]] | None = None
                    ) -> dict[str, tuple[int, int]]:
    """(row count, order-independent hash of every row) of every table of the warehouse;
    ``without`` leaves columns out of a table's hash (e.g. a clock time)."""
    tables = run(con, "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
                      "WHERE NOT temporary ORDER BY 1")
    without = without or {}
    out = {}
    for (t,) in tables:
        rows = (f"(SELECT * EXCLUDE ({', '.join(without[t])}) FROM {t})" if t in without
                else t)
        out[t] = tuple(run(con, f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM {rows} x")[0])
    return out


def file_checksums(path: str | Path | None, without: dict[str, list[str]] | None = None
                   ) -> dict[str, tuple[int, int]]:
    """:func:`table_checksums` of the warehouse file ``path`` (nothing when it does not exist)."""
    if path is None or not Path(path).exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        return table_checksums(con, without)


def changed_tables(before: dict[str, tuple[int, int]],
                   after: dict[str, tuple[int, int]]) -> list[str]:
    """Each table whose rows differ, with its row counts: ``staging.x (120 -> 130 rows)``."""
    out = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table), after.get(table)
        if old == new:
            continue
        if old is None:
            out.append(f"{table} (new, {new[0]:,} rows)")
        elif new is None:
            out.append(f"{table} (dropped, had {old[0]:,} rows)")
        else:
            out.append(f"{table} ({old[0]:,} -> {new[0]:,} rows)" if old[0] != new[0]
                       else f"{table} ({new[0]:,} rows, values changed)")
    return out
