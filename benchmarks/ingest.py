"""Ingest speed against plain DuckDB on the same work (figures only; nothing is asserted).

    python -m benchmarks.ingest [--rows 900000] [--shared ../shared/data]

1. Census at national scale: a synthetic month of ~230 countries x HS10 answers (array of
   arrays, every value a string, split by chapter as the client fetches it) loaded by the
   pipeline (raw vintage + row-level checks + typed staging) vs a plain DuckDB read and cast of
   the same files.
2. The real HTS exports (all 44 releases in ../shared/data/hts, when present): the pipeline's
   raw load + line and Chapter 99 derivation vs a plain DuckDB read of the same files.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.lib.paths import project_root
from pipelines.lib.sources.census import reader as census
from pipelines.lib.sources.census.client import IMPORTS_VARIABLES
from pipelines.lib.sources.hts import reader as hts
from pipelines.lib.warehouse.tables import ensure_schemas
from pipelines.lib.warehouse.transactions import transaction

PERIOD = "2025-10"


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<58} {seconds:7.2f} s")
    return seconds


def national_month(root: Path, rows: int) -> list[Path]:
    """Answers for one month split by chapter, ~rows rows over 230 countries."""
    rng = random.Random(7)
    month = root / "census" / "imports_hs" / PERIOD
    month.mkdir(parents=True)
    header = list(IMPORTS_VARIABLES) + ["time", "COMM_LVL"]
    countries = [f"{c:04d}" for c in range(1000, 1000 + 230)]
    per_chapter = rows // 97
    files = []
    for chapter in range(1, 98):
        body = [header]
        for i in range(per_chapter):
            value = rng.randint(1_000, 5_000_000)
            body.append([f"{chapter:02d}{i:08d}"[:10], "DESCRIPTION", "DESC",
                         countries[i % len(countries)], "COUNTRY", "DET", str(value + 10),
                         str(value), str(value // 2), str(value // 20), str(value // 7), "KG",
                         "61", "2025-12-05", PERIOD, "HS10"])
        path = month / f"I_COMMODITY={chapter:02d}.json"
        path.write_text(json.dumps(body))
        files.append(path)
    return files


def census_benchmark(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = national_month(root, rows)
        size = sum(f.stat().st_size for f in files) / 1e6
        print(f"Census imports, one month at national scale: {rows:,} rows, {len(files)} files, "
              f"{size:,.0f} MB")
        con = duckdb.connect(str(root / "w.duckdb"))
        ensure_schemas(con)

        def pipeline():
            with transaction(con):
                census.load_raw_month(con, "imports_hs", PERIOD, files, root)
                census.build_staging_month(con, "imports_hs", PERIOD, 0.005)

        def plain():
            duckdb.connect().execute("""
                CREATE TABLE t AS
                WITH a AS (SELECT r FROM read_json($f, format = 'array', records = 'false',
                                                   columns = {r: 'VARCHAR[]'}))
                SELECT r[1] AS hs10, r[4] AS cty, r[8]::BIGINT AS con_val,
                       r[10]::BIGINT AS cal_dut, r[11]::DOUBLE AS qty
                FROM a WHERE r[1] <> 'I_COMMODITY'""", {"f": [str(f) for f in files]}).fetchall()

        ours = timed("pipeline: raw vintage + row checks + staging", pipeline)
        base = timed("plain DuckDB: read_json + cast (no checks, no raw copy)", plain)
        print(f"  -> {rows / ours:,.0f} rows/s; {ours / base:.1f}x plain DuckDB")


def hts_benchmark(shared: Path) -> None:
    files = sorted((shared / "hts").glob("*.json.gz"))
    if not files:
        print(f"HTS: no real exports in {shared / 'hts'}; skipped")
        return
    print(f"HTS exports: {len(files)} real releases, "
          f"{sum(f.stat().st_size for f in files) / 1e6:.0f} MB gzipped")
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "w.duckdb"))
        ensure_schemas(con)
        releases = [hts.release_name(f) for f in files]

        def pipeline():
            with transaction(con):
                for path, release in zip(files, releases, strict=True):
                    hts.load_release_records(con, path, release, path.name)
                hts.build_lines(con, releases)
                hts.build_chapter99(con, releases)

        def plain():
            duckdb.connect().execute(
                "CREATE TABLE t AS SELECT * FROM read_json($f, format = 'array', "
                "union_by_name = true)", {"f": [str(f) for f in files]}).fetchall()

        ours = timed("pipeline: raw records + field checks + lines + Chapter 99", pipeline)
        base = timed("plain DuckDB: read_json of the same files", plain)
        print(f"  -> {ours / len(files):.2f} s per release; {ours / base:.1f}x plain DuckDB")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest")
    parser.add_argument("--rows", type=int, default=900_000)
    parser.add_argument("--shared", type=Path,
                        default=project_root().parent / "shared" / "data")
    args = parser.parse_args()
    census_benchmark(args.rows)
    hts_benchmark(args.shared)


if __name__ == "__main__":
    main()
