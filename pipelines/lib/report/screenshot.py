"""``make screenshot``: a picture of the report's first screen for the README, taken by headless
Chromium (Debian ``chromium``) with the network switched off.

    python -m pipelines.lib.report.screenshot [--report data/reports/latest.html]
                                              [--out docs/images/report-first-screen.png]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipelines.lib.paths import project_root
from pipelines.lib.report.render import reports_dir

WIDTH, HEIGHT = 1280, 1000
OFFLINE = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           "--hide-scrollbars", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--proxy-server=http://127.0.0.1:9"]


def first_screen(report: Path, out: Path) -> Path:
    """Photograph the first ``WIDTH`` × ``HEIGHT`` pixels of ``report`` into ``out`` (PNG)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("Chromium is needed for the screenshot: apt-get install chromium")
    if not report.exists():
        raise SystemExit(f"no report at {report}: build it with `make report`")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium, *OFFLINE, f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
             f"--screenshot={out.resolve()}", report.resolve().as_uri()],
            capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not out.exists():
        raise SystemExit(f"chromium failed ({done.returncode}): {done.stderr[-500:]}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m pipelines.lib.report.screenshot")
    parser.add_argument("--report", type=Path, default=reports_dir() / "latest.html")
    parser.add_argument("--out", type=Path,
                        default=project_root() / "docs" / "images" / "report-first-screen.png")
    args = parser.parse_args(argv)
    print(f"first screen of {args.report}: {first_screen(args.report, args.out)}")


if __name__ == "__main__":
    main()
