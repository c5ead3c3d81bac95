"""The published copy: the read-only warehouse analysts open (``data/published/warehouse.duckdb``).

The live warehouse has one writer and is locked while a run writes; analysts never open it.
After every successful run the ``published/warehouse`` asset copies into a *new* file every
``staging.*``, ``marts.*`` and ``quarantine.*`` table, the few raw tables analysts need (``RAW``),
the documented views of ``sql/views/analyst.sql`` (plain column names) and ``meta.about`` (what
the data is), with every table and column comment, then renames it over the old copy. A reader
that has the old file open keeps reading the old file (the rename does not touch it); a new
reader opens the new one: never a mix, never a lock error (nobody ever opens this path for
writing).

The copy is written in DuckDB storage version ``STORAGE_VERSION`` so that DuckDB's own CLI as
packaged on PyPI (``duckdb-cli`` 1.5.x, the ``duckdb`` command of ``make sql``) opens it as well
as DuckDB 2.x. Every mart is also written as Parquet in ``parquet/`` beside it.

No Dagster here: ``pipelines.sql`` (``make sql``) imports this module and must start fast.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.lib.warehouse import ensure_table, run, statement, warehouse_path

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
SYNTHETIC_NOTICE = ("SYNTHETIC SAMPLE DATA: every figure is invented by pipelines/sample "
                    "for demonstration; never cite it.")


def published_dir(warehouse: Path | None = None) -> Path:
    """``TARIFF_AUDIT_PUBLISHED``, or ``published/`` beside the warehouse file."""
    if os.environ.get("TARIFF_AUDIT_PUBLISHED"):
        return Path(os.environ["TARIFF_AUDIT_PUBLISHED"]).resolve()
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
    """Write the published copy of the warehouse open on ``con`` to ``target`` atomically.

    ``con`` is a read-write connection to the live warehouse (the caller holds the one-writer
    slot); the new file is attached to it, filled, detached, then renamed over ``target``.
    """
    started = time.monotonic()
    target = Path(target).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    tmp.unlink(missing_ok=True)
    live = run(con, "SELECT current_database()")[0][0]
    tables, missing = tables_to_publish(con)
    run(con, f"ATTACH {_literal(str(tmp))} AS _published "
             f"(STORAGE_VERSION {_literal(STORAGE_VERSION)})")
    try:
        _copy_tables(con, live, tables)
        run(con, "USE _published")
        try:
            views = _create_views_and_about(con, live, source)
        finally:
            run(con, f"USE {_ident(live)}")
    finally:
        run(con, "DETACH _published")
    try:
        parquet = _write_parquet(con, target.parent / "parquet",
                                 [t for t in tables if t.startswith("marts.")])
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return Published(target, tuple(tables), tuple(views), tuple(parquet), tuple(missing),
                     target.stat().st_size, time.monotonic() - started)


def _copy_tables(con, live: str, tables: list[str]) -> None:
    schemas = sorted({t.split(".")[0] for t in tables})
    for schema in schemas:
        run(con, f"CREATE SCHEMA IF NOT EXISTS _published.{_ident(schema)}")
    for table in tables:
        schema, name = table.split(".")
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


def _write_parquet(con, directory: Path, tables: list[str]) -> list[Path]:
    """One Parquet file per mart, each written beside and renamed into place; files of marts
    that no longer exist are removed."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        target = directory / f"{table}.parquet"
        tmp = directory / f".{table}.{os.getpid()}.partial"
        schema, name = table.split(".")
        con.table(f"{_ident(schema)}.{_ident(name)}").write_parquet(str(tmp))
        os.replace(tmp, target)
        written.append(target)
    for stale in set(directory.glob("*.parquet")) - set(written):
        stale.unlink()
    return written
