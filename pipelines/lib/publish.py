"""The published copy: the read-only warehouse analysts open (``data/published/warehouse.duckdb``).

The live warehouse has one writer and is locked while a run writes; analysts never open it.
After every successful run the ``published/warehouse`` asset writes a *new* version holding every
``staging.*``, ``marts.*`` and ``quarantine.*`` table, the few raw tables analysts need (``RAW``),
the documented views of ``sql/views/analyst.sql`` (plain column names) and ``meta.about`` (what
the data is), with every table and column comment, and a Parquet file of every mart.

**One switch.** A version is a directory of its own, ``.versions/<stamp>/`` (``warehouse.duckdb``
and ``parquet/``), written completely before anyone can see it; then the symbolic link
``current`` is pointed at it by one rename. ``warehouse.duckdb`` and ``parquet`` in the published
directory are links through ``current``, so every path analysts use switches at once: a reader
opening the copy, the Parquet directory or a file in it gets the old version or the new one,
never a mix, never a lock error (nobody ever opens a published file for writing), and a publish
that fails anywhere (a file not writable, a full disk) leaves ``current`` on the old version.
A reader that has the old file open keeps reading it; the previous version stays on disk until
the next publish, so a reader that resolved ``current`` before a switch finishes on it.

The new version starts from the previous one when there is one (same storage version): the
DuckDB file is a copy of it in which only what differs is written again, the months whose rows
differ for a table with a ``period`` column, the whole table otherwise (or when its columns or
comments changed); whether rows differ is decided by a count and an order-independent hash of
every row, on both sides. A mart's Parquet file is written again only when the mart changed;
otherwise the previous version's file is linked (a hard link: no copy, same bytes and time).

The copy is written in DuckDB storage version ``STORAGE_VERSION`` so that DuckDB's own CLI as
packaged on PyPI (``duckdb-cli`` 1.5.x, the ``duckdb`` command of ``make sql``) opens it as well
as DuckDB 2.x.

No Dagster here: ``pipelines.sql`` (``make sql``) imports this module and must start fast.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib import settings
from pipelines.lib.paths import warehouse_path
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.sql_files import statement
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import cleaning_up

# The oldest storage format DuckDB 2.x writes that the duckdb-cli 1.5.x on PyPI reads.
STORAGE_VERSION = "v1.5.0"
# Every staging (typed, documented), marts and quarantine table is published without being
# listed, so a new source's tables and new marts need no edit here; raw answers stay in the
# warehouse but for the tables listed in RAW.
GENERIC_SCHEMAS = ("staging", "marts", "quarantine")
RAW = ("raw.hts_releases",)
# The tables sql/views/analyst.sql reads: created empty (from their DDL) when a partial
# warehouse lacks them, so the views and the copy exist from the first publish on.
VIEW_SOURCES = ("staging.imports_monthly", "staging.exports_monthly",
                "marts.effective_rates_monthly", "marts.japan_line_audit",
                "marts.deal_conformance_monthly")
# The published directory: the entries analysts use are links through CURRENT, the link that
# one rename switches to a new version under VERSIONS.
CURRENT = "current"
VERSIONS = ".versions"
PARQUET = "parquet"
LOCK = ".publish.lock"
SYNTHETIC_NOTICE = ("SYNTHETIC SAMPLE DATA: every figure is invented by pipelines/sample "
                    "for demonstration; never cite it.")


def published_dir(warehouse: Path | None = None) -> Path:
    """``TARIFF_AUDIT_PUBLISHED``, or ``published/`` beside the warehouse file."""
    published = settings.value("published")
    if published is not None:
        return published.resolve()
    return Path(warehouse or warehouse_path()).resolve().parent / "published"


def published_path(warehouse: Path | None = None) -> Path:
    """The published DuckDB file analysts open."""
    return published_dir(warehouse) / "warehouse.duckdb"


@dataclass(frozen=True)
class Source:
    """What the published data comes from (``meta.about``)."""

    mode: str            # sample, live or snapshot
    root: str            # the snapshot directory (the landing directory in live mode)
    synthetic: bool      # the sample or a snapshot made from it


@dataclass(frozen=True)
class Published:
    path: Path
    tables: tuple[str, ...]
    views: tuple[str, ...]
    parquet: tuple[Path, ...]
    missing: tuple[str, ...]     # listed tables the warehouse does not have (yet): the views'
                                 # sources among them are published empty
    bytes: int
    seconds: float


def _literal(text: str) -> str:
    """A SQL string literal (for the statements that take no parameters: ATTACH, COMMENT)."""
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables_to_publish(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[str]]:
    """(tables present, listed tables absent) in the connection's default catalog."""
    present = {f"{s}.{t}" for s, t in run(
        con, "SELECT schema_name, table_name FROM duckdb_tables() "
             "WHERE database_name = current_database() AND NOT temporary")}
    generic = sorted(t for t in present if t.split(".")[0] in GENERIC_SCHEMAS)
    listed = [t for t in RAW if t in present]
    return listed + generic, [t for t in RAW if t not in present]


def publish(con: duckdb.DuckDBPyConnection, target: Path, source: Source) -> Published:
    """Write a new version of the published copy of the warehouse open on ``con`` and switch
    ``target`` (``<published dir>/warehouse.duckdb``) and the Parquet directory beside it to it
    at once.

    ``con`` is a read-write connection to the live warehouse (the caller holds the one-writer
    slot); the new file is attached to it, filled and detached, the Parquet files written, and
    only then is the version switched in (one rename). Any failure before that removes the
    unfinished version and leaves the previous one in place, every file of it.
    """
    started = time.monotonic()
    home = Path(target).parent.resolve()  # not target.resolve(): it is a link to a version
    target = home / Path(target).name
    versions = home / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    live = run(con, "SELECT current_database()")[0][0]
    tables, missing = tables_to_publish(con)
    with _locked(home):
        previous = (home / CURRENT).resolve() if (home / CURRENT).is_symlink() else None
        new = versions / f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}"
        new.mkdir()
        copy = new / target.name
        try:
            reuse = _reusable(target)
            if reuse:
                shutil.copyfile(target, copy)  # the previous version's file, through the link
                run(con, f"ATTACH {_literal(str(copy))} AS _published")
            else:
                run(con, f"ATTACH {_literal(str(copy))} AS _published "
                         f"(STORAGE_VERSION {_literal(STORAGE_VERSION)})")
            with cleaning_up(lambda: run(con, "DETACH _published")):
                changed = _sync_tables(con, live, tables) if reuse else _copy_tables(
                    con, live, tables)
                run(con, "USE _published")
                with cleaning_up(lambda: run(con, f"USE {_ident(live)}")):
                    views = _create_views_and_about(con, live, source)
            names = _write_parquet(con, new / PARQUET, home / PARQUET,
                                   [t for t in tables if t.startswith("marts.")], changed)
            _link(home, CURRENT, os.path.relpath(new, home))  # the switch
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        _entries_through_current(home, target.name)
        _prune(versions, keep={new, previous})
    return Published(target, tuple(tables), tuple(views),
                     tuple(home / PARQUET / n for n in names), tuple(missing),
                     target.stat().st_size, time.monotonic() - started)


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One publisher at a time in a published directory (two warehouses configured with the
    same ``TARIFF_AUDIT_PUBLISHED`` would otherwise prune each other's unfinished version)."""
    with open(home / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _entries_through_current(home: Path, name: str) -> None:
    """Make ``name`` (the DuckDB file) and ``parquet`` links through ``current``: done by the
    first publish into a directory, or into one written before versions existed."""
    for entry in (name, PARQUET):
        path, through = home / entry, f"{CURRENT}/{entry}"
        if path.is_symlink() and os.readlink(path) == through:
            continue
        if path.is_dir() and not path.is_symlink():
            # A Parquet directory of the layout before versions: a directory cannot be renamed
            # over, so it moves aside first (a reader may miss it for that instant, once).
            os.rename(path, home / VERSIONS / f"{entry}-before-versions-{os.getpid()}")
        _link(home, entry, through)


def _link(home: Path, entry: str, destination: str) -> None:
    """Make ``home/entry`` a symbolic link to ``destination`` atomically (rename over)."""
    tmp = home / f".{entry}.{os.getpid()}.link"
    tmp.unlink(missing_ok=True)
    os.symlink(destination, tmp)
    os.replace(tmp, home / entry)


def _prune(versions: Path, keep: set[Path | None]) -> None:
    """Remove the versions but ``keep`` (the new one and the one it replaced) and any left
    behind by a publish that died."""
    for path in versions.iterdir():
        if path not in keep:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _reusable(target: Path) -> bool:
    """Whether the previous published copy can be the start of the new one: it exists, opens,
    and was written in ``STORAGE_VERSION`` (``meta.about``)."""
    if not target.exists():
        return False
    try:
        with duckdb.connect(str(target), read_only=True) as old:
            return run(old, "SELECT storage_version FROM meta.about")[0][0] == STORAGE_VERSION
    except (duckdb.Error, IndexError):
        return False


def _copy_tables(con, live: str, tables: list[str]) -> list[str]:
    for table in tables:
        _copy_table(con, live, table)
    return list(tables)


def _copy_table(con, live: str, table: str) -> None:
    schema, name = table.split(".")
    run(con, f"CREATE SCHEMA IF NOT EXISTS _published.{_ident(schema)}")
    source, copy = f"{_ident(schema)}.{_ident(name)}", f"_published.{_ident(schema)}." \
                                                         f"{_ident(name)}"
    run(con, f"CREATE TABLE {copy} AS SELECT * FROM {_ident(live)}.{source}")
    comment = run(con, "SELECT comment FROM duckdb_tables() WHERE database_name = $d "
                       "AND schema_name = $s AND table_name = $t",
                  {"d": live, "s": schema, "t": name})[0][0]
    if comment:
        run(con, f"COMMENT ON TABLE {copy} IS {_literal(comment)}")
    for column, note in run(con, "SELECT column_name, comment FROM duckdb_columns() "
                                 "WHERE database_name = $d AND schema_name = $s "
                                 "AND table_name = $t AND comment IS NOT NULL",
                            {"d": live, "s": schema, "t": name}):
        run(con, f"COMMENT ON COLUMN {copy}.{_ident(column)} IS {_literal(note)}")


def _shape(con, database: str, table: str) -> tuple:
    """A table's columns (name, type, comment) and comment in ``database``."""
    schema, name = table.split(".")
    where = {"d": database, "s": schema, "t": name}
    columns = tuple(run(con, "SELECT column_name, data_type, comment FROM duckdb_columns() "
                             "WHERE database_name = $d AND schema_name = $s AND table_name = $t "
                             "ORDER BY column_index", where))
    comment = run(con, "SELECT comment FROM duckdb_tables() WHERE database_name = $d AND "
                       "schema_name = $s AND table_name = $t", where)
    return columns, comment[0][0] if comment else None


def _digests(con, qualified: str, by_period: bool) -> dict:
    """(period or None) -> (rows, order-independent hash of every row)."""
    key = "period" if by_period else "NULL"
    return {k: (n, h) for k, n, h in run(
        con, f"SELECT {key}, count(*), coalesce(sum(hash(x)), 0) FROM {qualified} x GROUP BY 1")}


def _sync_tables(con, live: str, tables: list[str]) -> list[str]:
    """Make the published catalog (a copy of the previous publish) hold ``tables`` as the live
    warehouse has them, writing only what differs; returns the tables that changed."""
    old = {f"{s}.{t}" for s, t in run(
        con, "SELECT schema_name, table_name FROM duckdb_tables() "
             "WHERE database_name = '_published'")}
    for table in sorted(old - set(tables)):  # gone from the warehouse (meta.about is redone)
        run(con, f"DROP TABLE _published.{'.'.join(map(_ident, table.split('.')))}")
    run(con, "DROP SCHEMA IF EXISTS _published.analyst CASCADE")
    changed = []
    for table in tables:
        names = ".".join(map(_ident, table.split(".")))
        source, copy = f"{_ident(live)}.{names}", f"_published.{names}"
        shape = _shape(con, live, table)
        if table not in old or _shape(con, "_published", table) != shape:
            run(con, f"DROP TABLE IF EXISTS {copy}")
            _copy_table(con, live, table)
            changed.append(table)
            continue
        by_period = ("period", "DATE") in {c[:2] for c in shape[0]}
        now, before = _digests(con, source, by_period), _digests(con, copy, by_period)
        stale = [k for k in set(now) | set(before) if now.get(k) != before.get(k)]
        if not stale:
            continue
        if by_period:
            where = ("period IN (SELECT unnest($p::DATE[]))"
                     + (" OR period IS NULL" if None in stale else ""))
            params = {"p": [k for k in stale if k is not None]}
        else:
            where, params = "true", {}
        run(con, f"DELETE FROM {copy} WHERE {where}", params)
        run(con, f"INSERT INTO {copy} SELECT * FROM {source} WHERE {where}", params)
        changed.append(table)
    return changed


def _create_views_and_about(con, live: str, source: Source) -> list[str]:
    """Views and ``meta.about`` in the published catalog (the current default catalog), bound
    to the published tables by their schema-qualified names."""
    present = {f"{s}.{t}" for s, t in run(
        con, "SELECT schema_name, table_name FROM duckdb_tables() "
             "WHERE database_name = current_database()")}
    for table in VIEW_SOURCES:
        if table not in present:
            ensure_table(con, table.replace(".", "/"))
    run(con, statement("views/analyst", "ddl"))
    run(con, statement("meta/about", "ddl"))
    vintages = about_facts(con)
    run(con, statement("meta/about", "insert"), {
        "mode": source.mode, "synthetic": source.synthetic,
        "notice": SYNTHETIC_NOTICE if source.synthetic else "",
        "root": source.root, "storage": STORAGE_VERSION,
        "built": datetime.now(UTC).replace(tzinfo=None), **vintages})
    return [f"{s}.{v}" for s, v in run(
        con, "SELECT schema_name, view_name FROM duckdb_views() "
             "WHERE database_name = current_database() AND NOT internal ORDER BY 1, 2")]


def about_facts(con) -> dict:
    """The data vintages for ``meta.about``, from the published tables (current catalog)."""
    have = {f"{s}.{t}" for s, t in run(
        con, "SELECT schema_name, table_name FROM duckdb_tables() "
             "WHERE database_name = current_database()")}
    facts = {"first_month": None, "last_month": None, "census_vintage": None,
             "census_updated": None, "releases": None, "latest_release": None}
    if "staging.imports_monthly" in have:
        (facts["first_month"], facts["last_month"], facts["census_vintage"],
         facts["census_updated"]) = run(
            con, "SELECT strftime(min(period), '%Y-%m'), strftime(max(period), '%Y-%m'), "
                 "max(vintage), max(last_update) FROM staging.imports_monthly")[0]
    if {"staging.hts_lines", "raw.hts_releases"} <= have:
        facts["releases"], facts["latest_release"] = run(
            con, "SELECT string_agg(release, ', ' ORDER BY release_start_date), "
                 "arg_max(release, release_start_date) FROM raw.hts_releases "
                 "WHERE release IN (SELECT DISTINCT release FROM staging.hts_lines)")[0]
    return facts


def _write_parquet(con, directory: Path, previous: Path, tables: list[str],
                   changed: list[str]) -> list[str]:
    """One Parquet file per mart in the new version's ``directory``: written when the mart
    ``changed`` or the ``previous`` version lacks its file, else linked from it. Returns the
    file names."""
    directory.mkdir()
    names = []
    for table in tables:
        name = f"{table}.parquet"
        names.append(name)
        if table not in changed and (previous / name).is_file():
            try:
                os.link(previous / name, directory / name)
                continue
            except OSError:  # a file system without hard links: the copy keeps the time
                shutil.copy2(previous / name, directory / name)
                continue
        schema, name_in_schema = table.split(".")
        con.table(f"{_ident(schema)}.{_ident(name_in_schema)}").write_parquet(
            str(directory / name))
    return names
