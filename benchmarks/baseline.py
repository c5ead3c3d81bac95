"""The national benchmark's baseline: ``baseline.sql`` run by plain DuckDB on a snapshot.

    python -m benchmarks.baseline SNAPSHOT LEDGER_DIR OUT.duckdb

``LEDGER_DIR`` holds ``rules.parquet``, ``categories.parquet`` and ``sectors.parquet`` (the
ledger as the pipeline's staging tables hold it; ``write_ledger`` writes them, outside the
timed process). Prints the row counts of what it computed.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import duckdb

SQL = Path(__file__).with_name("baseline.sql")
_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


def write_ledger(folder: Path) -> None:
    from pipelines.lib.rules.ledger.frames import category_prefixes, rules_frame, sector_prefixes
    from pipelines.lib.rules.ledger.loader import load_ledger

    book = load_ledger()
    folder.mkdir(parents=True, exist_ok=True)
    rules_frame(book).write_parquet(folder / "rules.parquet")
    category_prefixes(book).write_parquet(folder / "categories.parquet")
    sector_prefixes().write_parquet(folder / "sectors.parquet")
    (folder / "audit.json").write_text(book.audit.model_dump_json())


def statements() -> dict[str, str]:
    parts = _NAME.split(SQL.read_text(encoding="utf-8"))
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}


def run(snapshot: Path, ledger_dir: Path, out: Path) -> dict[str, int]:
    sql = statements()
    releases = json.loads((snapshot / "hts" / "releaseList.json").read_text())
    names = [r["name"] for r in releases]
    paths = [str(snapshot / "hts" / f"{n}.json.gz") for n in names]
    imports = sorted(str(p) for p in (snapshot / "census" / "imports_hs").glob("*/*.json")
                     if "COMM_LVL=HS2" not in p.name)
    audit = json.loads((ledger_dir / "audit.json").read_text())
    out.unlink(missing_ok=True)
    con = duckdb.connect(str(out))
    for table in ("rules", "categories", "sectors"):
        con.execute(f"CREATE TEMP TABLE _{table} AS SELECT * FROM read_parquet($p)",
                    {"p": str(ledger_dir / f"{table}.parquet")})
    con.execute(sql["imports"], {"imports": imports})
    con.execute(sql["effective_rates"])
    con.execute(sql["lines"], {"releases": paths, "release_names": names,
                               "release_starts": [r["releaseStartDate"] for r in releases]})
    con.execute(sql["line_audit"], {"country": audit["country_code"],
                                    "tolerance_usd": audit["tolerance_usd"],
                                    "tolerance_rate": audit["tolerance_rate"]})
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("imports", "effective_rates_monthly", "hts_lines", "japan_line_audit")}
    con.close()
    return counts


def main() -> None:
    snapshot, ledger_dir, out = (Path(a) for a in sys.argv[1:4])
    print(json.dumps(run(snapshot, ledger_dir, out)))


if __name__ == "__main__":
    main()
