"""What the GX runner costs: per suite and number of partitions, and on one large frame.

    python -m benchmarks.gx_runner path/to/warehouse.duckdb [--build] [--rows 1000000]

Opens the warehouse read-only (with --build, first builds it from the offline sample when the
file does not exist: TARIFF_AUDIT_DATA=<its folder>, a throwaway DAGSTER_HOME). Prints wall
times; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.lib.paths import project_root
from pipelines.lib.quality import gx_runner


def build(path: Path) -> None:
    if path.name != "warehouse.duckdb":
        sys.exit(f"--build writes <folder>/warehouse.duckdb, not {path.name}")
    with tempfile.TemporaryDirectory() as home:
        shutil.copy(project_root() / "dagster_home" / "dagster.yaml", home)
        env = {**os.environ, "TARIFF_AUDIT_DATA": str(path.parent), "DAGSTER_HOME": home}
        subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], env=env, check=True,
                       cwd=project_root())


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def table(rows: list[tuple], header: tuple) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(v).rjust(w) if i else str(v).ljust(w)
                        for i, (v, w) in enumerate(zip(row, widths, strict=True))))


def bench_suites(con: duckdb.DuckDBPyConnection, suites: dict[str, gx_runner.Suite]) -> None:
    existing = {r[0] for r in con.sql("SELECT schema_name || '.' || table_name "
                                      "FROM duckdb_tables()").fetchall()}
    rows = []
    for name, suite in suites.items():
        if name not in existing:
            rows.append((name, "-", "-", len(suite.expectations), "table missing", "", ""))
            continue
        if suite.partition_column is None:
            runs = [("all", None)]
        else:
            keys = [k for (k,) in con.sql(
                f'SELECT DISTINCT "{suite.partition_column}"::VARCHAR FROM {name} '
                "ORDER BY 1").fetchall()]
            runs = [(str(n), keys[-n:]) for n in sorted({1, min(12, len(keys)), len(keys)})]
            runs.append((f"{len(keys)} x 1", "loop"))
        for label, keys in runs:
            if keys == "loop":  # one call per partition, as an asset checking each key does
                outcomes, seconds = timed(lambda suite=suite, keys=runs[-2][1]: [
                    o for k in keys for o in gx_runner.validate_table(con, suite, [k])])
                validated = sum(o.element_count for o in outcomes
                                if o.check_name == outcomes[0].check_name)
            else:
                outcomes, seconds = timed(
                    lambda suite=suite, keys=keys: gx_runner.validate_table(con, suite, keys))
                validated = max((o.element_count for o in outcomes), default=0)
            failing = sum(not o.success for o in outcomes)
            rows.append((name, label, f"{validated:,}", len(suite.expectations),
                         f"{seconds:.3f}", f"{validated / seconds:,.0f}", failing or ""))
    table(rows, ("suite", "partitions", "rows", "checks", "seconds", "rows/s", "failing"))


SYNTHETIC = """
CREATE OR REPLACE TABLE bench.orders AS
SELECT DATE '2025-01-01' + INTERVAL (i % 24) MONTH AS period,
       lpad((i // 24)::VARCHAR, 10, '0') AS hs10,
       (i * 7919 % 100000)::BIGINT AS con_val,
       (i * 7919 % 100000 // 2)::BIGINT AS dut_val,
       ['00', '61', '64', '69'][i % 4 + 1] AS rate_provision,
       {fillers}
FROM range({rows}) t(i)
"""
FILLERS = 20
EXPECTATIONS = [
    ("expect_column_values_to_match_regex", "hs10_format", {"column": "hs10",
                                                            "regex": r"^\d{10}$"}),
    ("expect_column_values_to_be_between", "value_non_negative", {"column": "con_val",
                                                                  "min_value": 0}),
    ("expect_column_pair_values_a_to_be_greater_than_b", "dutiable_within_value",
     {"column_A": "con_val", "column_B": "dut_val", "or_equal": True}),
    ("expect_column_values_to_be_in_set", "rate_provision_known",
     {"column": "rate_provision", "value_set": ["00", "61", "64", "69"]}),
    ("expect_compound_columns_to_be_unique", "key_unique",
     {"column_list": ["period", "hs10", "rate_provision"]}),
]


def bench_synthetic(rows: int) -> None:
    fillers = ", ".join(f"md5((i + {n})::VARCHAR) AS filler_{n}" if n % 2 else
                        f"(i * {n + 1})::DOUBLE AS filler_{n}" for n in range(FILLERS))
    con = duckdb.connect()
    con.sql("CREATE SCHEMA bench")
    con.sql(SYNTHETIC.format(fillers=fillers, rows=rows))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.orders.json"
        path.write_text(json.dumps({
            "name": "bench.orders",
            "meta": {"tariff_audit": {"table": "bench.orders", "partition_column": "period",
                                      "derived_columns": {}}},
            "expectations": [{"type": t, "kwargs": k,
                              "meta": {"check_name": c, "severity": "error",
                                       "description": f"{c}."}} for t, c, k in EXPECTATIONS],
        }))
        suite = gx_runner.load_suite(path)
    out = []
    gx_runner.validate_table(con, suite)  # warm-up: DuckDB's first scan, pandas' first hashes
    outcomes, seconds = timed(lambda: gx_runner.validate_table(con, suite))
    assert all(o.success for o in outcomes), [o for o in outcomes if not o.success]
    columns = len(gx_runner.needed_columns(suite))
    frame, fetch = timed(lambda: con.sql(
        f"SELECT {', '.join(gx_runner.needed_columns(suite))} FROM bench.orders").df())
    _, gx = timed(lambda: gx_runner.validate_frame(suite, frame))
    out.append(("needed columns (validate_table)", columns, f"{seconds:.2f}", f"{fetch:.2f}",
                f"{gx:.2f}", f"{frame.memory_usage(deep=True).sum() / 2**20:,.0f}"))
    frame, fetch = timed(lambda: con.sql("SELECT * FROM bench.orders").df())
    _, gx = timed(lambda: gx_runner.validate_frame(suite, frame))
    out.append(("all columns (SELECT *)", frame.shape[1], f"{fetch + gx:.2f}", f"{fetch:.2f}",
                f"{gx:.2f}", f"{frame.memory_usage(deep=True).sum() / 2**20:,.0f}"))
    for _, check, _ in EXPECTATIONS:
        one = gx_runner.Suite(suite.name, suite.table, suite.partition_column, {},
                              [e for e in suite.expectations
                               if e["meta"]["check_name"] == check], suite.path)
        small = frame[gx_runner.needed_columns(one)]
        _, gx = timed(lambda one=one, small=small: gx_runner.validate_frame(one, small))
        out.append((f"  only {check}", small.shape[1], "", "", f"{gx:.2f}", ""))
    print(f"\nSynthetic table: {rows:,} rows, {len(EXPECTATIONS)} expectations, "
          f"{5 + FILLERS} columns")
    table(out, ("read", "columns", "total s", "fetch s", "GX s", "frame MiB"))
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--build", action="store_true",
                        help="build the warehouse from the offline sample if it is missing")
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="rows of the synthetic table (default 1,000,000)")
    args = parser.parse_args()
    if not args.warehouse.exists():
        if not args.build:
            sys.exit(f"{args.warehouse} does not exist (add --build to build it)")
        build(args.warehouse)

    suites, seconds = timed(gx_runner.load_suites)
    print(f"load_suites: {len(suites)} suites, "
          f"{sum(len(s.expectations) for s in suites.values())} expectations, {seconds:.2f} s "
          "(includes importing GX)")
    _, seconds = timed(gx_runner._batch_definition)
    print(f"ephemeral GX context: {seconds:.2f} s (once per process)\n")
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        bench_suites(con, suites)
    bench_synthetic(args.rows)


if __name__ == "__main__":
    main()
