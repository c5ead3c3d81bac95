"""Read Census International Trade API answers from a snapshot into the warehouse.

An answer is a JSON array of arrays: row 0 the header (requested variables, then the echoed
predicates), every value a string. Files of one month may split the month any way and put the
variables in any order: DuckDB reads them all at once (``read_json`` with ``records='false'``)
and each value is picked by its header position, so there is no per-row Python.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.census.client import EXPORTS_VARIABLES, IMPORTS_VARIABLES
from pipelines.lib.sources.snapshot import census_month_dir
from pipelines.lib.warehouse import ensure_table, replace_partitions, run, scalar, statement

SOURCE = {"imports_hs": "Census imports/hs", "exports_hs": "Census exports/hs"}
# Variables a stored answer must carry for its rows to mean anything; the others (descriptions,
# quantities, rate provision) are NULL when an answer lacks them.
REQUIRED = {
    "imports_hs": ("I_COMMODITY", "CTY_CODE", "CON_VAL_MO", "CAL_DUT_MO", "time"),
    "exports_hs": ("E_COMMODITY", "CTY_CODE", "ALL_VAL_MO", "time"),
}
# What a stored answer may carry: the variables we request plus the predicates the API echoes.
# Anything else is a schema change and stops the month.
ALLOWED = {
    "imports_hs": frozenset(IMPORTS_VARIABLES) | {"time", "COMM_LVL", "YEAR", "MONTH"},
    "exports_hs": frozenset(EXPORTS_VARIABLES) | {"time", "COMM_LVL", "YEAR", "MONTH",
                                                   "E_COMMODITY_SDESC"},
}
TABLES = {"imports_hs": ("raw/census_imports", "staging/imports_monthly"),
          "exports_hs": ("raw/census_exports", "staging/exports_monthly")}


def read_answers(
    con: duckdb.DuckDBPyConnection,
    endpoint: str,
    files: list[Path],
    required: tuple[str, ...],
    period: str | None = None,
    root: Path | None = None,
    allowed: frozenset[str] | None = None,
) -> int:
    """Read answer ``files`` into temp tables ``_census_rows``/``_census_headers``/``_census_files``
    and check their shape; returns the number of data rows.

    Raises ``SourceError`` naming the file and the field for: unreadable JSON, a file without
    a header, a missing ``required`` variable, a row longer or shorter than its header, a row
    whose ``time`` is not ``period`` (when given).
    """
    source = SOURCE[endpoint]
    paths = [str(f) for f in files]
    sql = "raw/census_answers"
    try:
        run(con, statement(sql, "rows"), {"files": paths})
    except (duckdb.Error, UnicodeError) as exc:  # a body in another encoding: UnicodeError
        bad = _first_unreadable(paths) or ", ".join(paths)
        raise SourceError(
            source, bad, f"not a JSON array of string arrays: {exc}", field="body"
        ) from None
    run(con, statement(sql, "headers"))
    missing_header = run(con, statement(sql, "files_without_header"))
    if missing_header:
        raise SourceError(
            source,
            missing_header[0][0],
            "no header row (with CTY_CODE and time) in the answer",
            field="header",
        )
    several = run(con, "SELECT filename FROM _census_headers WHERE header_rows > 1 LIMIT 1")
    if several:
        raise SourceError(source, several[0][0], "more than one header row", field="header")
    missing = run(con, statement(sql, "missing_variables"), {"variables": list(required)})
    if missing:
        raise SourceError(
            source,
            missing[0][0],
            "variable missing from the answer's header (schema change?)",
            field=missing[0][1],
        )
    if allowed is not None:
        unknown = run(con, "SELECT filename, v FROM (SELECT filename, unnest(header) AS v "
                           "FROM _census_headers) WHERE NOT list_contains($a, v) "
                           "ORDER BY 1, 2 LIMIT 1", {"a": sorted(allowed)})
        if unknown:
            raise SourceError(
                source,
                unknown[0][0],
                "unexpected variable in the answer's header (schema change?)",
                field=unknown[0][1],
            )
    ragged = run(con, statement(sql, "ragged_rows"))
    if ragged:
        f, n, h, row = ragged[0]
        raise SourceError(source, f, f"a row has {n} values but the header {h}: {row}", field="row")
    if period is not None:
        wrong = run(con, statement(sql, "wrong_month"), {"period": period})
        if wrong:
            raise SourceError(
                source,
                wrong[0][0],
                f"row for month {wrong[0][1]!r} in the answer for {period}",
                field="time",
            )
    base = root or Path("/")
    files_frame = pl.DataFrame({
        "filename": paths,
        "request": [_relative(f, base) for f in files],
        "fetched_at": [_fetched_at(f) for f in files],
    }, schema={"filename": pl.Utf8, "request": pl.Utf8, "fetched_at": pl.Datetime("us")})
    con.register("_census_files_frame", files_frame)
    run(con, "CREATE OR REPLACE TEMP TABLE _census_files AS SELECT * FROM _census_files_frame")
    con.unregister("_census_files_frame")
    return run(con, "SELECT count(*) FROM _census_rows a JOIN _census_headers h USING (filename) "
                    "WHERE a.r <> h.header")[0][0]


def load_raw_month(
    con: duckdb.DuckDBPyConnection,
    endpoint: str,
    period: str,
    files: list[Path],
    root: Path,
    today: date | None = None,
) -> int:
    """Add the answer ``files`` of one month (``YYYY-MM``) to the raw table of ``endpoint`` as a
    vintage: the latest modification time of the files. Reloading the same files replaces
    that vintage (idempotent); a new fetch adds a vintage and keeps the older ones.

    Runs inside the caller's transaction: a ``SourceError`` leaves the table as it was. No
    files (the API's 204 for every query) add nothing. Returns the rows of the vintage.
    """
    source = SOURCE[endpoint]
    month = date.fromisoformat(f"{period}-01")
    current = (today or datetime.now(UTC).date()).replace(day=1)
    if month > current:
        raise SourceError(
            source,
            str(census_month_dir(root, endpoint, period)),
            f"{period} is a future month (today is {current:%Y-%m})",
            field="time",
        )
    raw_table = TABLES[endpoint][0]
    ensure_table(con, raw_table)
    if not files:
        return 0
    read_answers(con, endpoint, files, REQUIRED[endpoint], period=period, root=root,
                 allowed=ALLOWED[endpoint])
    vintage = max(_fetched_at(f) for f in files)
    table = raw_table.replace("/", ".")
    run(con, f"DELETE FROM {table} WHERE period = $p AND vintage = $v",
        {"p": month, "v": vintage})
    run(con, statement(raw_table, "insert"), {"vintage": vintage})
    for temp in ("_census_rows", "_census_headers", "_census_files"):
        run(con, f"DROP TABLE IF EXISTS {temp}")
    return scalar(con, f"SELECT count(*) FROM {table} WHERE period = $p AND vintage = $v",
                  {"p": month, "v": vintage})


def build_staging_month(
    con: duckdb.DuckDBPyConnection, endpoint: str, period: str, max_quarantine_share: float
) -> tuple[int, int]:
    """Replace one month of the staging table of ``endpoint`` by the latest raw vintage, typed.

    Rows failing a row-level check (malformed code, country other than requested, value not a
    number or negative, duplicate key) go to ``quarantine.<table>`` with the reason, request
    and fetch time; when their share of the month exceeds ``max_quarantine_share`` the whole
    month stops with a ``SourceError`` naming the first offending request and field (the
    caller's transaction then rolls back). Returns (staging rows, quarantined rows).
    """
    staging_table = TABLES[endpoint][1]
    key = f"{period}-01"
    quarantine_table = "quarantine." + staging_table.split("/")[1]
    ensure_table(con, "quarantine/census")
    run(con, f"DELETE FROM {quarantine_table} WHERE period = $p::DATE", {"p": key})
    run(con, statement(staging_table, "latest"), {"period": key})
    run(con, statement(staging_table, "flags"))
    total = scalar(con, "SELECT count(*) FROM _latest")
    flagged = scalar(con, "SELECT count(DISTINCT row_id) FROM _flags")
    if flagged and flagged > max_quarantine_share * total:
        request, field, value, reason, n_rules = run(con, """
            SELECT l.request, f.field, f.value, f.reason, count(*) OVER ()
            FROM _flags f JOIN _latest l USING (row_id) ORDER BY l.request, f.row_id LIMIT 1""")[0]
        raise SourceError(
            SOURCE[endpoint],
            request,
            f"{reason} ({value!r}); {flagged} of {total} rows of {period} fail row-level checks "
            f"({flagged / total:.2%} > the {max_quarantine_share:.2%} the contract allows)",
            field=field,
        )
    run(con, statement(staging_table, "quarantine"))
    rows = replace_partitions(con, staging_table, "period", [key], params={})
    for temp in ("_latest", "_flags"):
        run(con, f"DROP TABLE IF EXISTS {temp}")
    return rows, flagged


def _fetched_at(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def _relative(path: Path, root: Path) -> str:
    # not resolve(): a snapshot may link its files from elsewhere
    try:
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        return str(path)


def _first_unreadable(paths: list[str]) -> str | None:
    """The first file DuckDB cannot read (a fresh connection: the caller's transaction is
    aborted by the failure being diagnosed)."""
    con = duckdb.connect()
    for path in paths:
        try:
            run(con, "SELECT count(*) FROM read_json($f, format = 'array', records = 'false', "
                     "columns = {r: 'VARCHAR[]'})", {"f": path})
        except (duckdb.Error, UnicodeError):
            return path
    return None
