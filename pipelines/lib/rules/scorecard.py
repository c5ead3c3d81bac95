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
import textwrap
from datetime import date

import duckdb

from pipelines.lib.marts import file_reads
from pipelines.lib.paths import sql_dir
from pipelines.lib.rules.commitments import (
    SCORECARD_DIR,
    SOURCES_DIR,
    bound,
    measure_files,
)
from pipelines.lib.sources.snapshot import missing_figures
from pipelines.lib.warehouse.execute import run, scalar
from pipelines.lib.warehouse.partitions import rebuild_table
from pipelines.lib.warehouse.sql_files import statement
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import cleaning_up


def reads(kind: str, names: list[str] | None = None) -> list[str]:
    """The tables (``schema.table``) the measure (``kind="measures"``) or source
    (``kind="sources"``) files read, from their ``-- reads:`` lines, sorted; only the files of
    ``names`` when given."""
    tables: set[str] = set()
    for name, path in measure_files(kind).items():
        if names is not None and name not in names:
            continue
        found = file_reads(path)
        if not found:
            raise ValueError(f"{path}: no '-- reads: schema.table, ...' line")
        tables.update(table for table, _ in found)
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
    holds ``as_of`` and whatever the measures use (see the scorecard's SQL file); the sources
    of figures whose optional source the warehouse holds no row of are added, with why.
    Returns the rows per measure."""
    name = "marts/implementation_scorecard"
    ensure_table(con, name)
    _ensure_inputs(con, reads("measures", _used(con, "measure")))
    missing = missing_figures(con)
    params = {**params, "missing_figures": list(missing),
              "missing_reasons": list(missing.values())}
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
    if unit == "days":
        return f"{value:,.0f} days"
    return f"{value:,.0f} {unit}"


SIDE_NAMES = {"us": "United States", "japan": "Japan"}
# the order statuses are told in, worst first; monitored rows are told apart
TOLD = ("broken", "late", "behind", "pending", "kept", "on_track", "not_measurable")
WORDS = {"kept": "kept", "broken": "broken", "late": "late", "on_track": "on track",
         "behind": "behind", "pending": "pending", "not_measurable": "not measurable",
         "monitored": "monitored"}


def latest_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """The scorecard rows of the latest quarter with each commitment's title (empty before the
    scorecard is built)."""
    if not scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' "
                       "AND table_name = 'implementation_scorecard'"):
        return []
    cursor = con.execute("""
        SELECT s.quarter, s.side, s.commitment_id, coalesce(c.title, s.commitment_id) AS title,
               s.indicator, s.value, s.target, s.unit, s.status, s.judged_on, s.legal_basis,
               s.as_of, s.verified
        FROM marts.implementation_scorecard s
        LEFT JOIN staging.ledger_commitments c USING (commitment_id)
        WHERE s.quarter = (SELECT max(quarter) FROM marts.implementation_scorecard)
        ORDER BY s.side DESC, s.commitment_id, s.indicator""")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# the legal basis of a voided promise, as sql/marts/scorecard/us_line_audit.sql writes it
_VOIDED = re.compile(r"^voided: (?P<instrument>.+?) \((?P<authority>[A-Z0-9_]+)\) was voided by "
                     r"(?P<ruling>.+?) from (?P<day>\d{4}-\d{2}-\d{2}); .*?"
                     r"(?:the law stayed at or below the promise on (?P<share>[\d.]+%) of the "
                     r"value)?$")


def verdict_paragraphs(rows: list[dict]) -> dict[str, str]:
    """One paragraph per side, generated from the scorecard rows of one quarter: which
    commitments are kept, broken, late, behind, pending or not measurable, which promises rest
    on a voided instrument, and what is only monitored. A reader who stops here has the
    answer."""
    out = {}
    for side in ("us", "japan"):
        mine = [r for r in rows if r["side"] == side]
        if not mine:
            continue
        quarter, as_of = mine[0]["quarter"], mine[0]["as_of"]
        scored = [r for r in mine if r["status"] != "monitored"]
        by_status: dict[str, dict[str, list[str]]] = {}
        for title, own, status in _named(scored):
            by_status.setdefault(status, {}).setdefault(title, []).extend([own] if own else [])
        commitments = len({r["commitment_id"] for r in scored})
        parts = [f"{WORDS[s]}: " + "; ".join(
            f"{title} ({', '.join(owns)})" if owns else title
            for title, owns in by_status[s].items()) for s in TOLD if s in by_status]
        text = (f"{SIDE_NAMES[side]}, {quarter} (as of {as_of:%Y-%m-%d}): of "
                f"{commitments} commitment{'s' if commitments != 1 else ''} with a target, "
                + ("; ".join(parts) if parts else "none is judged yet") + ".")
        text += "".join(f" {sentence}" for sentence in _legal_bases(scored))
        monitored = sorted({r["title"] for r in mine if r["status"] == "monitored"})
        if monitored:
            text += (" Monitored only, with no agreed numeric target: "
                     + "; ".join(monitored) + ".")
        out[side] = text
    return out


def _legal_bases(rows: list[dict]) -> list[str]:
    """The promises whose instrument a ruling voided, one sentence per ruling, and the promises
    the law carries under another instrument, one sentence each."""
    voided: dict[tuple[str, str, str], list[tuple[str, str, str | None]]] = {}
    sentences = []
    for row in rows:
        basis = row["legal_basis"] or ""
        match = _VOIDED.match(basis)
        if match:
            key = (match["ruling"], match["day"], match["authority"])
            voided.setdefault(key, []).append((row["title"], match["instrument"],
                                               match["share"]))
        elif basis.startswith("replaced"):
            sentences.append(f"{row['title']}: {basis}.")
    for (ruling, day, authority), promises in voided.items():
        names = " and ".join(f"{title} ({instrument})" for title, instrument, _ in promises)
        shares = [share for _, _, share in promises if share]
        text = (f"The instruments of {names} rest on {authority}, which {ruling} voided from "
                f"{day}")
        if shares:
            text += (f"; the law stayed at or below the promise on {' and '.join(shares)} of "
                     "the value")
        sentences.insert(0, text + ".")
    return sentences


def _named(rows: list[dict]) -> list[tuple[str, str, str]]:
    """(title, what sets the row apart, status) of each commitment: its title once when all its
    rows share a status, else each row with what sets it apart (a source, a tranche)."""
    by_commitment: dict[str, list[dict]] = {}
    for row in rows:
        by_commitment.setdefault(row["commitment_id"], []).append(row)
    out = []
    for group in by_commitment.values():
        statuses = {r["status"] for r in group}
        if len(statuses) == 1:
            out.append((group[0]["title"], "", group[0]["status"]))
            continue
        names = _row_names([(r["commitment_id"], r["indicator"]) for r in group])
        for row, name in zip(group, names, strict=True):
            out.append((row["title"], name.removeprefix(row["commitment_id"]).strip(),
                        row["status"]))
    return out


def row_titles(rows: list[dict]) -> list[str]:
    """Each row's commitment title, with what sets it apart when the commitment has several
    rows (the source, the tranche, the mineral group)."""
    names = _row_names([(r["commitment_id"], r["indicator"]) for r in rows])
    return [r["title"] + (f" — {name.removeprefix(r['commitment_id']).strip()}"
                          if name != r["commitment_id"] else "")
            for r, name in zip(rows, names, strict=True)]


def summary_lines(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The verdict in words, then the scorecard of the latest quarter, one line per commitment
    (and indicator) with the numbers its status was decided from; nothing before the
    scorecard is built."""
    rows = latest_rows(con)
    if not rows:
        return []
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    scored = ", ".join(f"{counts[s]} {WORDS[s]}" for s in TOLD if s in counts)
    lines = [f"verdict, {rows[0]['quarter']} (as of {rows[0]['as_of']:%Y-%m-%d}):"]
    for paragraph in verdict_paragraphs(rows).values():
        lines += textwrap.wrap(paragraph, 96, initial_indent="  ", subsequent_indent="  ")
    lines.append(f"scorecard {rows[0]['quarter']}: {scored or 'nothing scored'}"
                 + (f"; {counts['monitored']} monitored" if "monitored" in counts else ""))
    names = _row_names([(r["commitment_id"], r["indicator"]) for r in rows])
    width = max(len(n) for n in names)
    for row, name in zip(rows, names, strict=True):
        flag = "" if row["verified"] else "  (unverified)"
        lines.append(f"  {row['side']:<5} {name:<{width}} {row['status']:<14} "
                     f"{row['judged_on']}{flag}")
    return lines


def _row_names(rows: list[tuple[str, str]]) -> list[str]:
    """The commitment id of each (commitment, indicator) row, followed, for a commitment with
    several rows, by what sets the row apart: the words of its indicator before the first
    colon (the source of a purchase figure, the tranche, the mineral group)."""
    seen: dict[str, int] = {}
    for commitment, _ in rows:
        seen[commitment] = seen.get(commitment, 0) + 1
    return [commitment if seen[commitment] == 1 or ":" not in indicator
            else f"{commitment} {indicator.split(':', 1)[0].strip()}"
            for commitment, indicator in rows]
