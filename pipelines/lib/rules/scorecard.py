"""Japan's side of the deal and the quarterly scorecard of both sides, built in SQL.

- ``marts.commitment_progress``: the monthly figures of every source of purchase figures
  (``sql/marts/commitment_sources/<source>.sql``, statement ``actuals``) stacked into one temp
  table, then the generic progress arithmetic (``sql/marts/commitment_progress.sql``).
- ``marts.investment_tranches`` and ``marts.investment_progress`` from the evidence ledger.
- ``marts.implementation_scorecard``: the union of one statement per measure
  (``sql/marts/scorecard/<measure>.sql``, statement ``rows``) over a quarter grid.

A source or a measure is added by adding its SQL file (and a commitment that uses it); the
``-- reads:`` line of the file names the tables it reads, which become the asset's dependencies.
"""

from __future__ import annotations

import re
from datetime import date

import duckdb

from pipelines.lib.rules.commitments import (
    SCORECARD_DIR,
    SOURCES_DIR,
    bound,
    measure_files,
)
from pipelines.lib.warehouse import (
    cleaning_up,
    ensure_table,
    rebuild_table,
    run,
    scalar,
    sql_dir,
    statement,
)

_READS = re.compile(r"^--\s*reads:\s*(.+)$", re.MULTILINE)
_TABLE = re.compile(r"^(raw|staging|marts)\.[a-z_][a-z0-9_]*$")


def reads(kind: str, names: list[str] | None = None) -> list[str]:
    """The tables (``schema.table``) the measure (``kind="measures"``) or source
    (``kind="sources"``) files read, from their ``-- reads:`` lines, sorted; only the files of
    ``names`` when given."""
    tables: set[str] = set()
    for name, path in measure_files(kind).items():
        if names is not None and name not in names:
            continue
        found = _READS.findall(path.read_text(encoding="utf-8"))
        if not found:
            raise ValueError(f"{path}: no '-- reads: schema.table, ...' line")
        for table in (t.strip() for line in found for t in line.split(",")):
            if not _TABLE.match(table):
                raise ValueError(f"{path}: '-- reads:' names {table!r}, not a schema.table")
            tables.add(table)
    return sorted(tables)


def _ensure_inputs(con: duckdb.DuckDBPyConnection, tables: list[str]) -> None:
    """Create (empty) the input tables that have their own DDL file and were never loaded, so
    a source whose data is absent gives no figures instead of failing every other source."""
    for table in tables:
        name = table.replace(".", "/")
        if (sql_dir() / f"{name}.sql").exists():
            ensure_table(con, name)


def reporting_date(con: duckdb.DuckDBPyConnection, country: str) -> date:
    """The report date: the last day of the latest month of U.S. trade data with ``country``
    (so that every commitment is judged at the same date); today when there is none."""
    tables = {t for (t,) in run(con, "SELECT schema_name || '.' || table_name FROM "
                                     "duckdb_tables() WHERE schema_name = 'staging'")}
    latest = [scalar(con, f"SELECT max(period) FROM {t} WHERE cty_code = $c", {"c": country})
              for t in ("staging.exports_monthly", "staging.imports_monthly") if t in tables]
    latest = [d for d in latest if d is not None]
    if not latest:
        return date.today()
    return scalar(con, "SELECT last_day($d::DATE)", {"d": max(latest)})


def _used(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    query = (f"SELECT DISTINCT unnest({column}) FROM staging.ledger_commitments ORDER BY 1"
             if column == "sources" else
             f"SELECT DISTINCT {column} FROM staging.ledger_commitments ORDER BY 1")
    return [v for (v,) in run(con, query)]


def _statement(folder: str, kind: str, name: str, which: str) -> str:
    if name not in measure_files(kind):
        raise ValueError(f"staging.ledger_commitments uses {name!r}, which has no file "
                         f"sql/{folder}/{name}.sql")
    return statement(f"{folder}/{name}", which)


def build_commitment_progress(con: duckdb.DuckDBPyConnection, params: dict) -> int:
    """Rebuild ``marts.commitment_progress`` (caller's transaction); ``params`` holds what the
    source files use (``country``: Census's code of Japan; ``japan_us``: Japan's code of the
    United States)."""
    sources = _used(con, "sources")
    parts = [_statement(SOURCES_DIR, "sources", source, "actuals") for source in sources]
    _ensure_inputs(con, reads("sources", sources))
    union = "\nUNION ALL\n".join(f"SELECT * FROM ({sql})" for sql in parts) or (
        "SELECT NULL::VARCHAR AS commitment_id, NULL::VARCHAR AS source, NULL::DATE AS period, "
        "NULL::DOUBLE AS actual, 0 AS unit_errors, NULL::VARCHAR AS error_units WHERE false")
    sql = f"CREATE OR REPLACE TEMP TABLE _commitment_actuals AS {union}"
    run(con, sql, bound(sql, params))
    with cleaning_up(lambda: run(con, "DROP TABLE IF EXISTS _commitment_actuals")):
        return rebuild_table(con, "marts/commitment_progress")


def build_investment(con: duckdb.DuckDBPyConnection, as_of: date) -> dict[str, int]:
    """Rebuild ``marts.investment_tranches`` then ``marts.investment_progress`` as of
    ``as_of`` (caller's transaction)."""
    return {name: rebuild_table(con, f"marts/{name}", params={"as_of": as_of})
            for name in ("investment_tranches", "investment_progress")}


def build_scorecard(con: duckdb.DuckDBPyConnection, params: dict) -> dict[str, int]:
    """Rebuild ``marts.implementation_scorecard`` from every measure's statement; ``params``
    holds ``as_of`` and whatever the measures use (see the scorecard's SQL file). Returns the
    rows per measure."""
    name = "marts/implementation_scorecard"
    ensure_table(con, name)
    _ensure_inputs(con, reads("measures", _used(con, "measure")))
    quarters = statement(name, "quarters")
    run(con, quarters, bound(quarters, params))
    run(con, "DELETE FROM marts.implementation_scorecard")
    counts = {}
    with cleaning_up(lambda: run(con, "DROP TABLE IF EXISTS _scorecard_quarters")):
        for measure in _used(con, "measure"):
            sql = _statement(SCORECARD_DIR, "measures", measure, "rows")
            before = scalar(con, "SELECT count(*) FROM marts.implementation_scorecard")
            run(con, f"INSERT INTO marts.implementation_scorecard {sql}", bound(sql, params))
            counts[measure] = scalar(
                con, "SELECT count(*) FROM marts.implementation_scorecard") - before
    return counts


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "USD":
        return f"${value / 1e9:,.1f} bn" if abs(value) >= 1e9 else f"${value / 1e6:,.1f} m"
    if unit == "share":
        return f"{value:.1%}"
    if unit == "each":
        return f"{value:,.0f} units"
    return f"{value:,.0f} {unit}"


def summary_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The scorecard of the latest quarter, one line per commitment (and indicator); nothing
    before the scorecard is built."""
    if not scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' "
                       "AND table_name = 'implementation_scorecard'"):
        return []
    rows = run(con, """
        SELECT quarter, side, commitment_id, value, target, unit, status, as_of, verified,
               indicator
        FROM marts.implementation_scorecard
        WHERE quarter = (SELECT max(quarter) FROM marts.implementation_scorecard)
        ORDER BY side, commitment_id, indicator""")
    if not rows:
        return []
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[6]] = counts.get(row[6], 0) + 1
    tally = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items()))
    lines = [f"scorecard {rows[0][0]} (as of {rows[0][7]:%Y-%m-%d}): {tally}"]
    names = _row_names([(r[2], r[9]) for r in rows])
    width = max(len(n) for n in names)
    for (_, side, _, value, target, unit, status, _, verified, _), name in zip(
            rows, names, strict=True):
        figures = "" if unit == "none" else _amount(value, unit) + (
            f" (target {_amount(target, unit)})" if target is not None else "")
        flag = "" if verified else "  (unverified)"
        lines.append(f"  {side:<5} {name:<{width}} {status:<18} {figures}{flag}")
    return lines


_WORD = re.compile(r"[\w.%-]+")


def _row_names(rows: list[tuple[str, str]]) -> list[str]:
    """The commitment id of each (commitment, indicator) row, followed, for a commitment with
    several rows, by the words of its indicator that its other rows do not share (the source
    of a purchase figure, the mineral group)."""
    words: dict[str, list[list[str]]] = {}
    for commitment, indicator in rows:
        words.setdefault(commitment, []).append(_WORD.findall(indicator))
    names = []
    for commitment, indicator in rows:
        siblings = words[commitment]
        if len(siblings) == 1:
            names.append(commitment)
            continue
        common = set.intersection(*(set(w) for w in siblings))
        own = [w for w in _WORD.findall(indicator) if w not in common]
        names.append(f"{commitment} {' '.join(own)}".rstrip())
    return names
