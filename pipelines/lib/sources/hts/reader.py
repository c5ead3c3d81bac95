"""Load USITC HTS JSON exports into the warehouse and derive the line and Chapter 99 tables.

Everything runs in DuckDB (``read_json_objects``); Python only parses the few hundred distinct
rate texts (``rate_text.parse_rates``) and hands them to SQL as an Arrow-backed frame.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from pipelines.lib.errors import SourceError
from pipelines.lib.rules import rate_text
from pipelines.lib.warehouse.execute import run, scalar
from pipelines.lib.warehouse.partitions import replace_partitions
from pipelines.lib.warehouse.sql_files import statement
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import cleaning_up

SOURCE = "USITC HTS"
# Fields every record of a real export carries; a missing one is a schema change.
RECORD_FIELDS = (
    "htsno", "indent", "description", "superior", "units", "general", "special", "other",
    "footnotes",
)
_SHARED_NAME = re.compile(r"^hts_(\d{4})_(?:rev_(\d+)|basic)$")


def release_name(path: Path) -> str:
    """Release name of an export file: ``2025HTSRev23.json.gz`` or ``hts_2025_rev_23.json.gz``
    (USITC's archive naming) → ``2025HTSRev23``; ``hts_2025_basic`` → ``2025HTSBasic``."""
    stem = path.name.removesuffix(".gz").removesuffix(".json")
    match = _SHARED_NAME.match(stem)
    if match is None:
        return stem
    year, rev = match.groups()
    return f"{year}HTSRev{rev}" if rev else f"{year}HTSBasic"


def load_release_list(con: duckdb.DuckDBPyConnection, path: Path, source_file: str) -> int:
    """Replace ``raw.hts_releases`` by the releaseList answer at ``path``."""
    name = "raw/hts_releases"
    ensure_table(con, name, derived=True)  # the answer replaces every row
    try:
        missing = run(con, """
            SELECT field, min(ordinal) FROM (
                SELECT row_number() OVER () AS ordinal, json
                FROM read_json_objects($path, format = 'array')),
                (SELECT unnest($fields) AS field)
            WHERE NOT json_exists(json, '$.' || field) GROUP BY 1 ORDER BY 1""",
            {"path": str(path), "fields": ["name", "releaseStartDate"]})
    except (duckdb.Error, UnicodeError) as exc:
        raise SourceError(
            SOURCE, str(path), f"releaseList is not a JSON array of objects: {exc}", field="body"
        ) from None
    if missing:
        field, first = missing[0]
        raise SourceError(
            SOURCE, str(path), f"release object {first} has no {field!r}", field=field
        )
    listed = scalar(con, "SELECT count(*) FROM read_json_objects($path, format = 'array')",
                    {"path": str(path)})
    if not listed:
        held = scalar(con, "SELECT count(*) FROM raw.hts_releases")
        raise SourceError(
            SOURCE, str(path), f"the release list is empty: refusing to replace the {held} "
            "releases the warehouse holds with none (USITC always lists its releases)",
            field="body")
    run(con, "DELETE FROM raw.hts_releases")
    try:
        run(con, statement(name, "insert"), {"path": str(path), "source_file": source_file})
    except (duckdb.Error, UnicodeError) as exc:
        raise SourceError(
            SOURCE, str(path), f"not a MM/DD/YYYY date: {exc}", field="releaseStartDate"
        ) from None
    return scalar(con, "SELECT count(*) FROM raw.hts_releases")


def load_release_records(
    con: duckdb.DuckDBPyConnection, path: Path, release: str, source_file: str
) -> tuple[int, list[str]]:
    """Replace the ``raw.hts_records`` rows of ``release`` by the export at ``path``; returns
    the rows and the HTS numbers of records repeated identically (kept once).

    Raises ``SourceError`` naming the file and the field when the export is unreadable, a
    record lacks a field, or an HTS number appears twice with different content (e.g. two
    rates); the caller's transaction then leaves the table as it was.
    """
    name = "raw/hts_records"
    try:
        run(con, statement(name, "objects"), {"path": str(path)})
    except (duckdb.Error, UnicodeError) as exc:
        raise SourceError(
            SOURCE, str(path), f"not a readable JSON array: {exc}", field="body"
        ) from None
    count, non_objects = run(
        con,
        "SELECT count(*), count(*) FILTER (WHERE json_type(json) <> 'OBJECT') FROM _hts_objects",
    )[0]
    if count == 0 or non_objects:
        raise SourceError(
            SOURCE,
            str(path),
            f"expected a non-empty array of objects ({count} items, " f"{non_objects} not objects)",
            field="body",
        )
    missing = run(con, statement(name, "missing_fields"), {"fields": list(RECORD_FIELDS)})
    if missing:
        field, n, first = missing[0]
        raise SourceError(
            SOURCE,
            str(path),
            f"{n} of {count} records lack the field (first at record {first})",
            field=field,
        )
    collapsed = _duplicates(con, path, release)
    rows = replace_partitions(con, name, "release", [release],
                              params={"release": release, "source_file": source_file})
    run(con, "DROP TABLE _hts_objects")
    return rows, collapsed


def _duplicates(con: duckdb.DuckDBPyConnection, path: Path, release: str) -> list[str]:
    """Refuse an export that lists an HTS number twice with different content (which rate
    holds would be a guess); drop the later copies of records repeated identically, and
    return their HTS numbers so the caller can say so."""
    differing = run(con, statement("raw/hts_records", "differing_duplicates"))
    if differing:
        htsno, field, values = differing[0]
        raise SourceError(
            SOURCE, str(path),
            f"release {release} lists heading {htsno} more than once with different "
            f"{field} ({values}): which one holds is a guess", field=field)
    return [h for (h,) in run(con, statement("raw/hts_records", "collapse_identical"))]


def install_release_starts(con: duckdb.DuckDBPyConnection) -> None:
    """Define the table macro ``release_starts()`` (each release loaded with the first day it is
    in force) on ``con``, for the marts that place a day or a month in its release."""
    run(con, statement("staging/hts_lines", "release_starts"))


def build_lines(con: duckdb.DuckDBPyConnection, releases: list[str]) -> int:
    """Replace ``staging.hts_lines`` for ``releases`` from ``raw.hts_records``."""
    name = "staging/hts_lines"
    texts = con.sql(statement(name, "distinct_texts"), params={"releases": releases}).pl()
    con.register("_rate_parses", rate_text.parse_rates(texts["rate_text"]))
    with cleaning_up(lambda: con.unregister("_rate_parses")):
        return replace_partitions(con, name, "release", releases, params={"releases": releases})


def build_chapter99(con: duckdb.DuckDBPyConnection, releases: list[str]) -> int:
    """Replace ``staging.hts_chapter99`` for ``releases`` from ``raw.hts_records``."""
    name = "staging/hts_chapter99"
    texts = con.sql(statement(name, "distinct_texts"), params={"releases": releases}).pl()
    con.register("_ch99_parses", rate_text.parse_chapter99_texts(texts["rate_text"]))
    with cleaning_up(lambda: con.unregister("_ch99_parses")):
        return replace_partitions(con, name, "release", releases, params={"releases": releases})
