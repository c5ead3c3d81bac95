"""The national benchmark (issue 13): the pipeline at national size against plain DuckDB.

    python -m benchmarks.national [--scale 1 ...] [--months 12] [--label after] [--no-profile]

For each scale factor, on a snapshot from ``benchmarks.scale`` (every partner, every HS10 line,
imports and exports, ``months`` months from 2024-01 plus one more), it measures as separate
processes, each with wall time, CPU time (user + system) and peak RSS of the whole process
(``os.wait4``, the figures ``/usr/bin/time -v`` prints), and the load average beside it:

1. full refresh: ``python -m pipelines.cli run`` (the README's main command) from an empty
   warehouse and a fresh Dagster instance, on ``months`` months;
2. one new month: the next month added to the snapshot, then the README's incremental command
   (``python -m pipelines.cli run``) on that warehouse;
3. the baseline: ``benchmarks/baseline.sql`` (plain DuckDB: read the same answers, compute
   ``effective_rates_monthly`` for every partner and the Japan line audit) on the same files;
4. where the full refresh spends its time: a second full refresh under py-spy (sampling the
   main thread, idle included, so shares are of wall time), each sample put in one category
   (GX, SQL contracts, Census read and raw vintage, staging, marts, Dagster bookkeeping, ...).

Results go to ``benchmarks/results/<date>.json`` (runs of the day keyed by ``--label``) and
``benchmarks/results/<date>.md`` (the tables); the ratios are printed. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from benchmarks import scale as generator
from benchmarks.baseline import write_ledger
from pipelines.lib.paths import project_root

RESULTS = Path(__file__).with_name("results")
PIPELINE = ["-m", "pipelines.cli", "run"]
# sample categories: the first (in this order) whose marker is in one of the stack's frames
# (file or function name) wins; a stack without a marker is "other"
CATEGORIES = [
    ("GX", ("great_expectations", "quality/gx_runner.py")),
    ("SQL contracts", ("defs/quality/checks.py",)),
    ("Census read + raw vintage", ("read_answers", "load_raw_month")),
    ("Census staging", ("build_staging_month",)),
    ("HTS schedule", ("sources/hts/",)),
    ("marts", ("defs/marts/", "defs/audit/", "rules/audit.py", "data_revisions")),
    ("asset metadata", ("defs/metadata.py",)),
    ("warehouse open/close/commit", ("dagster_duckdb", "defs/resources.py",
                                     "lib/warehouse/")),
    ("ledger", ("rules/ledger/", "defs/legal/")),
    ("Dagster bookkeeping", ("/dagster/", "/dagster_", "sqlalchemy", "sqlite")),
    ("imports + start-up", ("<frozen importlib", "importlib")),
]
WAREHOUSE = {"SQL contracts", "Census read + raw vintage", "Census staging", "HTS schedule",
             "marts", "asset metadata", "warehouse open/close/commit", "ledger"}


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def measure(cmd: list[str], env: dict, log: Path) -> dict:
    """Run ``cmd``; wall, CPU and peak RSS of the process (and its waited-for children)."""
    before = load()
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=project_root())
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024), "load_before": before,
            "load_after": load(), "log": str(log)}


def categorize(stack: list[str]) -> str:
    for name, markers in CATEGORIES:
        if any(m in frame for frame in stack for m in markers):
            return name
    return "other"


def shares(raw: Path) -> dict:
    """Share of the main thread's samples per category (py-spy raw output)."""
    counts: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = stack.split(";")
        if not frames or not frames[0].endswith("MainThread"):
            continue
        counts[categorize(frames[1:])] += int(n)
    total = sum(counts.values()) or 1
    detail = {k: round(v / total, 4) for k, v in counts.most_common()}
    return {
        "samples": total,
        "categories": detail,
        "gx": detail.get("GX", 0.0),
        "dagster": detail.get("Dagster bookkeeping", 0.0),
        "warehouse": round(sum(v for k, v in detail.items() if k in WAREHOUSE), 4),
    }


def profile(cmd: list[str], env: dict, folder: Path, rate: int) -> dict:
    raw = folder / "profile.txt"
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        return {"error": "py-spy is not installed (pip install py-spy)"}
    result = measure([str(spy), "record", "--idle", "--threads", "--nonblocking", "-r",
                      str(rate), "-f", "raw", "-o", str(raw), "--", *cmd], env,
                     folder / "profile.log")
    return {**shares(raw), "wall_s": result["wall_s"], "raw": str(raw)}


def fresh(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "dagster_home").mkdir(parents=True)
    shutil.copy(project_root() / "dagster_home" / "dagster.yaml", folder / "dagster_home")
    return folder


def pipeline_env(snapshot: Path, folder: Path) -> dict:
    return {**os.environ, "TARIFF_AUDIT_SOURCE": str(snapshot),
            "TARIFF_AUDIT_DATA": str(folder / "data"),
            "DAGSTER_HOME": str(folder / "dagster_home")}


def view(snapshot: Path, folder: Path, months: list[str]) -> Path:
    """A snapshot of the first ``months`` (links to the full one's files)."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "census").mkdir(parents=True)
    for child in snapshot.iterdir():  # HTS and the sources the benchmark does not scale
        if child.name not in ("census", "bench.json"):
            (folder / child.name).symlink_to(child.resolve())
    for endpoint in ("imports_hs", "exports_hs"):
        (folder / "census" / endpoint).mkdir()
        for month in months:
            link(snapshot, folder, endpoint, month)
    return folder


def link(snapshot: Path, folder: Path, endpoint: str, month: str) -> None:
    (folder / "census" / endpoint / month).symlink_to(
        (snapshot / "census" / endpoint / month).resolve())


def snapshot_for(root: Path, scale: float, months: int) -> tuple[Path, dict]:
    """The generated snapshot of ``months`` + 1 months (reused when already there)."""
    folder = root / f"snapshot-{scale:g}x-{months + 1}m"
    marker = folder / "bench.json"
    if marker.exists():
        return folder, json.loads(marker.read_text())
    print(f"generating {folder} ...", flush=True)
    figures = generator.generate(folder, scale, months + 1)
    per_month = {}
    for month in generator.months_from("2024-01", months + 1):
        base = folder / "census"
        per_month[month] = sum(
            _rows(p) for e in ("imports_hs", "exports_hs") for p in (base / e / month).glob("*"))
    figures["rows_per_month"] = per_month
    marker.write_text(json.dumps(figures, indent=2))
    return folder, figures


def _rows(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f) - 1  # one row a line, less the header


def bench_scale(root: Path, scale: float, months: int, do_profile: bool, rate: int) -> dict:
    snapshot, figures = snapshot_for(root, scale, months)
    all_months = generator.months_from("2024-01", months + 1)
    first, new = all_months[:-1], all_months[-1]
    rows_full = sum(figures["rows_per_month"][m] for m in first)
    rows_new = figures["rows_per_month"][new]
    work = root / f"run-{scale:g}x"
    python = sys.executable
    result = {"scale": scale, "months": months, "rows_full": rows_full, "rows_new_month": rows_new,
              "snapshot": {k: figures[k] for k in ("structure", "hts", "pairs", "partners")}}

    print(f"\n== scale {scale:g}x, {months} months: {rows_full:,} answer rows "
          f"({rows_new:,} in the new month {new})", flush=True)
    twelve = view(snapshot, work / "snapshot", first)
    folder = fresh(work / "pipeline")
    env = pipeline_env(twelve, folder)
    full = measure([python, *PIPELINE], env, work / "full.log")
    full["rows_per_s"] = round(rows_full / full["wall_s"])
    print(f"  full refresh        {_fmt(full)}", flush=True)
    for endpoint in ("imports_hs", "exports_hs"):
        link(snapshot, twelve, endpoint, new)
    incremental = measure([python, *PIPELINE], env, work / "incremental.log")
    incremental["rows_per_s"] = round(rows_new / incremental["wall_s"])
    print(f"  one new month       {_fmt(incremental)}", flush=True)

    base_view = view(snapshot, work / "snapshot-baseline", first)
    ledger_dir = work / "ledger"
    write_ledger(ledger_dir)
    baseline = measure([python, "-m", "benchmarks.baseline", str(base_view), str(ledger_dir),
                        str(work / "baseline.duckdb")], os.environ.copy(), work / "baseline.log")
    baseline["rows_per_s"] = round(rows_full / baseline["wall_s"])
    baseline["outputs"] = json.loads((work / "baseline.log").read_text().strip().splitlines()[-1])
    print(f"  baseline (DuckDB)   {_fmt(baseline)}", flush=True)
    result.update(full_refresh=full, one_new_month=incremental, baseline=baseline)
    # CPU ratios beside the wall ones: on a machine shared with other work, wall time grows
    # with the load while CPU time mostly does not
    result["ratios"] = {
        "full_vs_baseline": round(full["wall_s"] / baseline["wall_s"], 2),
        "full_vs_baseline_cpu": round(full["cpu_s"] / baseline["cpu_s"], 2),
        "new_month_vs_full": round(incremental["wall_s"] / full["wall_s"], 3),
        "new_month_vs_full_cpu": round(incremental["cpu_s"] / full["cpu_s"], 3),
        "peak_rss_gb": round(max(full["peak_rss_mb"], incremental["peak_rss_mb"]) / 1024, 2),
    }
    if do_profile:
        folder = fresh(work / "profiled")
        result["profile"] = profile([python, *PIPELINE], pipeline_env(base_view, folder),
                                    folder, rate)
        if "categories" in result["profile"]:
            result["ratios"]["gx_share"] = result["profile"]["gx"]
            result["ratios"]["dagster_share"] = result["profile"]["dagster"]
            result["ratios"]["warehouse_share"] = result["profile"]["warehouse"]
    print("  ratios: " + ", ".join(f"{k} {v}" for k, v in result["ratios"].items()), flush=True)
    return result


def _fmt(m: dict) -> str:
    return (f"{m['wall_s']:8.1f} s wall {m['cpu_s']:8.1f} s CPU {m['peak_rss_mb'] / 1024:6.2f} GB"
            f"  {m.get('rows_per_s', 0):>9,} rows/s  load {m['load_before'][0]:.2f}")


def markdown(label: str, runs: list[dict]) -> str:
    lines = [f"### {label}", "",
             "| scale | step | wall s | CPU s | peak RSS GB | rows/s | load (1 min) | ratio |",
             "|---|---|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        ratios = r["ratios"]
        for step, key, ratio in (
                ("full refresh", "full_refresh",
                 f"{ratios['full_vs_baseline']}x baseline "
                 f"({ratios.get('full_vs_baseline_cpu', '?')}x in CPU)"),
                ("one new month", "one_new_month",
                 f"{ratios['new_month_vs_full']:.1%} of full "
                 f"({ratios.get('new_month_vs_full_cpu', 0):.1%} in CPU)"),
                ("baseline (plain DuckDB)", "baseline", "")):
            m = r[key]
            lines.append(f"| {r['scale']:g}x | {step} | {m['wall_s']:.1f} | {m['cpu_s']:.1f} | "
                         f"{m['peak_rss_mb'] / 1024:.2f} | {m['rows_per_s']:,} | "
                         f"{m['load_before'][0]:.2f} | {ratio} |")
    for r in runs:
        p = r.get("profile") or {}
        if "categories" in p:
            lines += ["", f"Where a {r['scale']:g}x full refresh spends its wall time "
                          f"({p['samples']} samples of the main thread): GX {p['gx']:.0%}, "
                          f"Dagster bookkeeping {p['dagster']:.0%}, warehouse (DuckDB work) "
                          f"{p['warehouse']:.0%}", "",
                      "| category | share |", "|---|---:|"]
            lines += [f"| {k} | {v:.1%} |" for k, v in p["categories"].items()]
    return "\n".join(lines) + "\n"


def save(label: str, runs: list[dict], note: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    day = dt.date.today().isoformat()
    path = RESULTS / f"{day}.json"
    doc = json.loads(path.read_text()) if path.exists() else {}
    doc[label] = {"when": dt.datetime.now().isoformat(timespec="seconds"), "note": note,
                  "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                  "runs": runs}
    path.write_text(json.dumps(doc, indent=2) + "\n")
    md = RESULTS / f"{day}.md"
    md.write_text(f"# National benchmark, {day}\n\n" + "\n".join(
        markdown(f"{k} ({v['when']}){': ' + v['note'] if v['note'] else ''}", v["runs"])
        for k, v in doc.items()))
    return md


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.national",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0],
                        help="scale factors (0.25, 1, 2, 4); default 1")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--label", default="run", help="key of this run in the results file")
    parser.add_argument("--note", default="", help="one line saved beside the figures")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy run")
    parser.add_argument("--rate", type=int, default=25, help="py-spy samples per second")
    parser.add_argument("--work", type=Path, default=project_root() / "data" / "bench",
                        help="where snapshots and warehouses go (default data/bench)")
    args = parser.parse_args()
    runs = [bench_scale(args.work.resolve(), s, args.months, not args.no_profile, args.rate)
            for s in args.scale]
    md = save(args.label, runs, args.note)
    print()
    print(markdown(args.label, runs))
    print(f"saved {md} and {md.with_suffix('.json')}")


if __name__ == "__main__":
    main()
