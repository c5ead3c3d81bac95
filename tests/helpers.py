"""Helpers shared by the tests."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import duckdb

from pipelines.lib.warehouse.checksums import file_checksums

ROOT = Path(__file__).resolve().parents[1]
# Columns holding the wall-clock time of a build: two builds of the same data differ there only.
CLOCK_COLUMNS = {"meta.mart_inputs": ["built_at"]}


def table_checksums(path, ignore_clock: bool = False) -> dict[str, tuple[int, int]]:
    """(row count, order-independent hash of all rows) for every table of the warehouse;
    ``ignore_clock`` leaves out the columns that record when a build ran, to compare two
    builds of the same data."""
    return file_checksums(path, CLOCK_COLUMNS if ignore_clock else None)


@contextmanager
def raw_census_imports(path):
    """A DuckDB file at ``path`` holding an empty ``raw.census_imports`` (its DDL, without the
    comments), for the contracts on Census answers."""
    ddl = ((ROOT / "sql/raw/census_imports.sql").read_text().split("-- name:")[1]
           .split("\n", 1)[1].split(";")[0])
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA raw")
        con.execute(ddl)
        yield con
