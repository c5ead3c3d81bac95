"""``make bench``: every benchmark, figures printed (never asserted).

    python -m benchmarks.run [national benchmark options, e.g. --scale 0.25 1 2 4]

1. the national benchmark (``benchmarks.national``: every partner, every HS10 line, 12 months,
   full refresh, one new month and plain DuckDB; results in ``benchmarks/results/``);
2. ingest speed of one Census month and the real HTS exports against plain DuckDB
   (``benchmarks.ingest``);
3. the GX runner's cost per suite on the project's warehouse, when ``make run`` built one
   (``benchmarks.gx_runner``).
"""

import subprocess
import sys

from pipelines.lib.paths import warehouse_path


def main() -> None:
    subprocess.run([sys.executable, "-m", "benchmarks.national", *sys.argv[1:]], check=True)
    subprocess.run([sys.executable, "-m", "benchmarks.ingest"], check=True)
    warehouse = warehouse_path()
    if warehouse.exists():
        subprocess.run([sys.executable, "-m", "benchmarks.gx_runner", str(warehouse)],
                       check=True)
    else:
        print(f"GX runner: no warehouse at {warehouse} (run `make run` first); skipped")


if __name__ == "__main__":
    main()
