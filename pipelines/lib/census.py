"""Read Census International Trade API answers from a snapshot into the warehouse.

An answer is a JSON array of arrays: row 0 the header (requested variables, then the echoed
predicates), every value a string. Files of one month may split the month any way and put the
variables in any order: DuckDB reads them all at once (``read_json`` with ``records='false'``)
and each value is picked by its header position, so there is no per-row Python.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.errors import SourceError
from pipelines.lib.warehouse import replace_partitions, run, statement

SOURCE = {"imports_hs": "Census imports/hs", "exports_hs": "Census exports/hs"}
# Variables a stored answer must carry for its rows to mean anything; the others (descriptions,
# quantities, rate provision) are NULL when an answer lacks them.
REQUIRED = {
    "imports_hs": ("I_COMMODITY", "CTY_CODE", "CON_VAL_MO", "CAL_DUT_MO", "time"),
    "exports_hs": ("E_COMMODITY", "CTY_CODE", "ALL_VAL_MO", "time"),
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
    except duckdb.Error as exc:
        bad = _first_unreadable(con, paths) or ", ".join(paths)
        raise SourceError(source, bad, "body",
                          f"not a JSON array of string arrays: {exc}") from None
    run(con, statement(sql, "headers"))
    missing_header = run(con, statement(sql, "files_without_header"))
    if missing_header:
        raise SourceError(source, missing_header[0][0], "header",
                          "no header row (with CTY_CODE and time) in the answer")
    several = run(con, "SELECT filename FROM _census_headers WHERE header_rows > 1 LIMIT 1")
    if several:
        raise SourceError(source, several[0][0], "header", "more than one header row")
    missing = run(con, statement(sql, "missing_variables"), {"variables": list(required)})
    if missing:
        raise SourceError(source, missing[0][0], missing[0][1],
                          "variable missing from the answer's header (schema change?)")
    ragged = run(con, statement(sql, "ragged_rows"))
    if ragged:
        f, n, h, row = ragged[0]
        raise SourceError(source, f, "row", f"a row has {n} values but the header {h}: {row}")
    if period is not None:
        wrong = run(con, statement(sql, "wrong_month"), {"period": period})
        if wrong:
            raise SourceError(source, wrong[0][0], "time",
                              f"row for month {wrong[0][1]!r} in the answer for {period}")
    base = root or Path("/")
    files_frame = pl.DataFrame({
        "filename": paths,
        "request": [_relative(f, base) for f in files],
        "fetched_at": [datetime.fromtimestamp(f.stat().st_mtime, UTC).replace(tzinfo=None)
                       for f in files],
    }, schema={"filename": pl.Utf8, "request": pl.Utf8, "fetched_at": pl.Datetime("us")})
    con.register("_census_files_frame", files_frame)
    run(con, "CREATE OR REPLACE TEMP TABLE _census_files AS SELECT * FROM _census_files_frame")
    con.unregister("_census_files_frame")
    return run(con, "SELECT count(*) FROM _census_rows a JOIN _census_headers h USING (filename) "
                    "WHERE a.r <> h.header")[0][0]


def load_raw_month(
    con: duckdb.DuckDBPyConnection, endpoint: str, period: str, files: list[Path], root: Path
) -> int:
    """Replace one month (``YYYY-MM``) of the raw table of ``endpoint`` by the answer ``files``.

    Runs inside the caller's transaction: a ``SourceError`` leaves the table as it was. No
    files (the API's 204 for every query) means the month has no rows.
    """
    raw_table = TABLES[endpoint][0]
    key = f"{period}-01"
    if not files:
        return replace_partitions(con, raw_table, "period", [key], fill=None)
    read_answers(con, endpoint, files, REQUIRED[endpoint], period=period, root=root)
    rows = replace_partitions(con, raw_table, "period", [key])
    for temp in ("_census_rows", "_census_headers", "_census_files"):
        run(con, f"DROP TABLE IF EXISTS {temp}")
    return rows


def build_staging_month(con: duckdb.DuckDBPyConnection, endpoint: str, period: str) -> int:
    """Replace one month of the staging table of ``endpoint`` from its raw table, typed.

    A value that is not a number or code, or two rows for one natural key, raises
    ``SourceError`` naming the answer file and the field (caller's transaction rolls back).
    """
    staging_table = TABLES[endpoint][1]
    key = f"{period}-01"
    bad = run(con, statement(staging_table, "bad_values"), {"period": key})
    if bad:
        field, request, value = bad[0]
        raise SourceError(SOURCE[endpoint], request, field, f"unusable value {value!r}")
    dup = run(con, statement(staging_table, "duplicates"), {"period": key})
    if dup:
        commodity, country, rp, n, requests = dup[0]
        raise SourceError(SOURCE[endpoint], requests, "commodity/CTY_CODE/RP",
                          f"{n} rows for {commodity} x {country} x RP {rp!r} in {period}: "
                          "overlapping answers")
    return replace_partitions(con, staging_table, "period", [key], params={"period": key})


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _first_unreadable(con: duckdb.DuckDBPyConnection, paths: list[str]) -> str | None:
    for path in paths:
        try:
            run(con, "SELECT count(*) FROM read_json($f, format = 'array', records = 'false', "
                     "columns = {r: 'VARCHAR[]'})", {"f": path})
        except duckdb.Error:
            return path
    return None
