"""Incremental runs: load only what is new or revised, recompute only the months it changed.

Two questions, both answered from facts already in the snapshot and the warehouse:

- **Which Census months and HTS releases to load.** Each load records, in its transaction, a
  digest of the content of the files it read (``meta.loaded_files``: for a month its answer
  files and ``landing.jsonl``, for a release its export); a month or release is loaded when
  the snapshot's files have another digest (a new one, a revision wherever it shows, a file
  edited under its name). Hashing reads every byte but parses nothing: about 0.1 s for the
  sample, 1 s for a year of national answers. The load itself dates a month by every row.
- **Which months of a monthly mart to recompute** (the per-month replace pattern). A mart
  records, per month, a fingerprint of what it was computed from in ``meta.mart_inputs``
  (e.g. the staging month's vintage and row count, plus a hash of the ledger tables it uses).
  ``stale_periods`` returns the months whose fingerprint changed, appeared or disappeared;
  the mart deletes those months and inserts them again (``warehouse.replace_partitions`` with a
  fill restricted to ``$periods``) and ``record`` stores the new fingerprints, all in the
  mart's transaction. A change in an input that every month depends on (the ledger, an HTS
  release) is part of every month's fingerprint, so the whole mart is rebuilt.

A mart adopts the pattern with a fingerprint query returning ``(period, fingerprint)`` and a
fill statement that reads only ``$periods``; see ``marts.effective_rates_monthly``.

A mart that is not monthly (or whose months depend on each other) is rebuilt whole, but only
when its inputs changed (``rebuild_if_changed``): its fingerprint is a digest of the rows of
each input table it declares (``table_digest``: a hash of every row, a few hundredths of a
second for millions of rows), recorded under the period ``WHOLE``. Every fingerprint also
carries ``parameters_digest``: the mart's own code version (a digest of its SQL files and its
builder's code, ``pipelines.lib.marts.Mart.code_version``) and every file of the ledger the run
reads (``ledger_digest``, wherever ``TARIFF_AUDIT_LEDGER_DIR`` points), so a new version of the
mart's SQL or builder recomputes that mart once, and an edited tolerance, sector or unit every
mart. No other
setting reaches a mart: the country, the weights year and the tolerances are the ledger's
(``audit.yaml``); the settings of the environment choose what is loaded, which the input
tables' digests see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.paths import ledger_dir
from pipelines.lib.rules.ledger.loader import load_ledger
from pipelines.lib.sources import snapshot
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.partitions import replace_partitions
from pipelines.lib.warehouse.sql_files import statement
from pipelines.lib.warehouse.tables import ensure_table, table_exists

WHOLE = date(1, 1, 1)  # meta.mart_inputs period of a mart rebuilt whole


CENSUS = {endpoint: f"census {endpoint}" for endpoint in snapshot.CENSUS_ENDPOINTS}
HTS = "hts"


def files_digest(files: list[Path], base: Path) -> str:
    """SHA-256 of the names (relative to ``base``) and bytes of ``files``, in name order."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda f: str(f.relative_to(base))):
        with open(path, "rb") as handle:
            content = hashlib.file_digest(handle, "sha256").hexdigest()
        digest.update(f"{path.relative_to(base)}\0{content}\n".encode())
    return digest.hexdigest()


def month_files(root: Path, endpoint: str, month: str) -> list[Path]:
    """What a Census month is loaded from: its answers and the landing record dating them."""
    month_dir = snapshot.census_month_dir(root, endpoint, month)
    record = month_dir / snapshot.LANDING_RECORD
    return snapshot.answer_files(month_dir) + ([record] if record.is_file() else [])


def month_digest(root: Path, endpoint: str, month: str) -> str:
    return files_digest(month_files(root, endpoint, month),
                        snapshot.census_month_dir(root, endpoint, month))


def record_load(con: duckdb.DuckDBPyConnection, source: str, partition: str,
                digest: str) -> None:
    """Note that ``partition`` of ``source`` was loaded from files of ``digest`` (in the load's
    transaction, so the note and the rows commit or roll back together)."""
    ensure_table(con, "meta/loaded_files")
    run(con, statement("meta/loaded_files", "record"),
        {"source": source, "partition": partition, "digest": digest})


def recorded_loads(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, str]:
    """partition -> digest of the files it was last loaded from (none before the first load,
    or in a warehouse loaded before digests were recorded)."""
    if not table_exists(con, "meta.loaded_files"):
        return {}
    return dict(run(con, "SELECT partition, digest FROM meta.loaded_files WHERE source = $s",
                    {"s": source}))


def months_to_load(con: duckdb.DuckDBPyConnection, root: Path, endpoint: str) -> list[str]:
    """The months of the snapshot whose files differ from those they were last loaded from
    (new months included), sorted; a month directory with nothing in it is left to the full
    load, which says what is wrong."""
    recorded = recorded_loads(con, CENSUS[endpoint])
    return [month for month in snapshot.census_months(root, endpoint)
            if month_files(root, endpoint, month)
            and month_digest(root, endpoint, month) != recorded.get(month)]


def releases_to_load(con: duckdb.DuckDBPyConnection, root: Path,
                     releases: list[str]) -> list[str]:
    """The ``releases`` whose export differs from the one they were last loaded from; in live
    mode a release not landed yet is loaded when it never was."""
    recorded = recorded_loads(con, HTS)
    wanted = []
    for release in releases:
        try:
            path = snapshot.release_path(root, release)
        except snapshot.SnapshotError:  # live: downloaded by its load
            if release not in recorded:
                wanted.append(release)
            continue
        if files_digest([path], path.parent) != recorded.get(release):
            wanted.append(release)
    return wanted


# --- monthly marts ----------------------------------------------------------------------------


def frame_hash(*frames: pl.DataFrame) -> str:
    """A short, order-independent digest of small frames (the ledger tables a mart uses)."""
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(",".join(frame.columns).encode())
        for row in sorted(map(repr, frame.iter_rows())):
            digest.update(row.encode())
    return digest.hexdigest()[:16]


def stale_periods(con: duckdb.DuckDBPyConnection, mart: str,
                  current: dict[date, str]) -> list[date]:
    """Months of ``mart`` to recompute: those whose input fingerprint in ``current`` differs
    from the recorded one, is new, or has disappeared (their rows must go)."""
    ensure_table(con, "meta/mart_inputs")
    recorded = dict(run(con, "SELECT period, inputs FROM meta.mart_inputs WHERE mart = $m",
                        {"m": mart}))
    periods = set(recorded) | set(current)
    return sorted(p for p in periods if recorded.get(p) != current.get(p))


def record(con: duckdb.DuckDBPyConnection, mart: str, current: dict[date, str],
           periods: list[date]) -> None:
    """Store the fingerprints of the recomputed ``periods`` (caller's transaction)."""
    ensure_table(con, "meta/mart_inputs")
    run(con, "DELETE FROM meta.mart_inputs WHERE mart = $m AND period IN (SELECT unnest($p))",
        {"m": mart, "p": periods})
    rows = [(mart, p, current[p]) for p in periods if p in current]
    if rows:
        con.executemany("INSERT INTO meta.mart_inputs VALUES (?, ?, ?, now())", rows)


def refresh_months(con: duckdb.DuckDBPyConnection, name: str, salt: str = "",
                   params: dict | None = None, *, code_version: str) -> list[date]:
    """Recompute the stale months of the monthly mart ``name`` (``schema/table``) in the
    caller's transaction and return them. ``sql/<name>.sql`` has an ``inputs`` statement
    giving ``(period, fingerprint)`` and an ``insert`` reading only ``$periods``; ``salt`` is
    the fingerprint of what every month depends on (e.g. a hash of the ledger tables), and
    ``code_version`` the mart's own (a new one recomputes every month)."""
    table = name.replace("/", ".")
    ensure_table(con, name)
    salt = f"{salt}/{parameters_digest(code_version)}"
    current = {period: f"{inputs}/{salt}" for period, inputs in run(con, statement(name,
                                                                                  "inputs"),
                                                                    params)}
    periods = stale_periods(con, table, current)
    if periods:
        replace_partitions(con, name, "period", [p.isoformat() for p in periods],
                           params={**(params or {}), "periods": periods})
        record(con, table, current, periods)
    return periods


def _files_digest(root: Path, files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ledger_digest() -> str:
    """A digest of every file of the ledger the marts read (``ledger_dir()``: the bundled one or
    the reviewed copy ``TARIFF_AUDIT_LEDGER_DIR`` names). Read afresh on every call (a few
    hundred kB): a copy edited between two runs of one process is seen too. A ledger that does
    not validate is refused here (``LedgerError``), naming its file and entry."""
    root = ledger_dir()
    digest = _files_digest(root, [p for p in root.rglob("*") if p.is_file()])
    _validated(str(root), digest)
    return digest


@cache
def _validated(root: str, digest: str) -> None:
    """Refuse a ledger that does not validate before any fingerprint carries it, so a mart that
    reads none of its tables is not rebuilt (and re-fingerprinted) from a refused ledger; once
    per copy of the ledger (``digest``) and process."""
    load_ledger(Path(root))


def parameters_digest(code_version: str) -> str:
    """What a mart's fingerprint carries besides its input tables: its code version and the
    ledger's files (tolerances, country, weights year, sectors, units, lists)."""
    return f"{code_version}+{ledger_digest()}"


def table_digest(con: duckdb.DuckDBPyConnection, table: str, where: str | None = None,
                 params: dict | None = None) -> str:
    """Row count and an order-independent hash of every row of ``table`` (``schema.name``, its
    rows matching ``where``); ``-`` when the table does not exist."""
    if not table_exists(con, table):
        return "-"
    sql = f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM {table} t"
    if where:
        sql += f" WHERE {where}"
    used = {k: v for k, v in (params or {}).items() if f"${k}" in sql}
    count, digest = run(con, sql, used)[0]
    return f"{count}:{digest}"


def rebuild_if_changed(con: duckdb.DuckDBPyConnection, name: str,
                       inputs: dict[str, str | None], build: Callable[[], object],
                       params: dict | None = None, *, code_version: str) -> bool:
    """Run ``build`` (which rebuilds the whole mart ``name``, ``schema/table``) in the caller's
    transaction unless the mart exists and its ``inputs`` (table -> row filter or ``None``;
    ``schema.prefix*`` stands for every table whose name starts with ``prefix``; filters may
    use ``params``), ``params``, its ``code_version`` and the ledger are as they were when it was
    last built. Returns whether it was rebuilt."""
    table = name.replace("/", ".")
    ensure_table(con, "meta/mart_inputs")
    tables = {}
    for pattern, where in inputs.items():
        if pattern.endswith("*"):
            schema, prefix = pattern[:-1].split(".")
            tables.update({f"{schema}.{t}": where for (t,) in run(
                con, "SELECT table_name FROM duckdb_tables() WHERE schema_name = $s AND "
                     "starts_with(table_name, $p) AND NOT temporary", {"s": schema, "p": prefix})})
        else:
            tables[pattern] = where
    current = "/".join([parameters_digest(code_version), repr(sorted((params or {}).items()))] + [
        f"{t}={table_digest(con, t, where, params)}" for t, where in sorted(tables.items())])
    recorded = run(con, "SELECT inputs FROM meta.mart_inputs WHERE mart = $m AND period = $p",
                   {"m": table, "p": WHOLE})
    if table_exists(con, table) and recorded and recorded[0][0] == current:
        return False
    build()
    record(con, table, {WHOLE: current}, [WHOLE])
    return True
