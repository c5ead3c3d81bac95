"""``make bench``: every benchmark, figures printed (never asserted).

    python -m benchmarks.run [path/to/warehouse.duckdb]
"""

import subprocess
import sys
from pathlib import Path

from pipelines.lib.warehouse import warehouse_path


def main() -> None:
    warehouse = Path(sys.argv[1]) if len(sys.argv) > 1 else warehouse_path()
    subprocess.run([sys.executable, "-m", "benchmarks.ingest"], check=True)
    if warehouse.exists():
        subprocess.run([sys.executable, "-m", "benchmarks.gx_runner", str(warehouse)],
                       check=True)
    else:
        print(f"GX runner: no warehouse at {warehouse} (run `make run` first); skipped")


if __name__ == "__main__":
    main()
