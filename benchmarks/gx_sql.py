"""The validation step alone: the pipeline's evaluator against GX's SQL execution engine.

    python -m benchmarks.gx_sql path/to/warehouse.duckdb

Runs every suite on its whole table of a built warehouse (opened read-only) twice: with the
pipeline's evaluator (``gx_runner``: plain row invariants in DuckDB, the rest with GX on
pandas) and with GX's own SQL execution engine (``gx_sql``, SQLAlchemy + duckdb-engine), on
the same expectations (GX's SQL engine has no regular expressions for DuckDB, so those are
left out of both). Prints wall times per suite and in total; nothing here is asserted. The
figures of the decision are in docs/DATA_QUALITY.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import duckdb

from pipelines.lib.quality import gx_runner, gx_sql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    args = parser.parse_args()
    suites = [gx_runner.Suite(s.name, s.table, s.partition_column, s.derived_columns,
                              [e for e in s.expectations if e["type"] not in gx_sql.UNSUPPORTED],
                              s.path, s.meta)
              for s in gx_runner.load_suites().values()]
    suites = [s for s in suites if s.expectations]
    gx_runner._batch_definition()  # GX's import and context, once per process, not timed
    gx_sql._context()
    ours, rows = {}, {}
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        for suite in suites:
            rows[suite.name] = con.execute(f"SELECT count(*) FROM {suite.table}").fetchall()[0][0]
            start = time.perf_counter()
            gx_runner.validate_table(con, suite)
            ours[suite.name] = time.perf_counter() - start
    theirs = {}
    for suite in suites:
        start = time.perf_counter()
        gx_sql.validate_tables(args.warehouse, [suite])
        theirs[suite.name] = time.perf_counter() - start
    print(f"{platform.machine()}, {os.cpu_count()} cores, "
          f"{len(suites)} suites, {sum(len(s.expectations) for s in suites)} expectations")
    print(f"{'suite':40} {'rows':>12} {'in-house s':>11} {'GX SQL s':>9}")
    for suite in sorted(suites, key=lambda s: -rows[s.name]):
        print(f"{suite.name:40} {rows[suite.name]:>12,} {ours[suite.name]:>11.2f} "
              f"{theirs[suite.name]:>9.2f}")
    total_ours, total_theirs = sum(ours.values()), sum(theirs.values())
    print(f"{'total':40} {sum(rows.values()):>12,} {total_ours:>11.2f} {total_theirs:>9.2f}"
          f"   GX SQL / in-house = {total_theirs / total_ours:.1f}x")


if __name__ == "__main__":
    main()
