"""Write the deterministic offline sample snapshot (SYNTHETIC data in the real sources' shape).

``generate(root)`` writes the snapshot layout of :mod:`pipelines.lib.sources.snapshot`:

```
root/hts/releaseList.json                         USITC releaseList answer
root/hts/<release>.json.gz                        one USITC JSON export per release
root/census/imports_hs/<YYYY-MM>/<request>.json   Census imports/hs answers (HS10)
root/census/exports_hs/<YYYY-MM>/<request>.json   Census exports/hs answers (Schedule B)
root/federal_register/search/<query>_page=<n>.json  Federal Register documents.json pages
root/federal_register/documents/<number>.json     Federal Register single documents
root/fx/DEXJPUS.csv                                FRED daily yen per dollar
root/japan_customs/<YYYY>/<release>.csv           Japan's trade statistics (MOF/Customs)
```

Everything data-like (catalogue, regimes per partner and date, noise) lives in
``scenario.yaml`` beside this module: it is the one place where the sample's story is told.
The mechanics are one module per source, each with a ``write(writer, scenario, ...)`` that
writes that source's answers and returns its part of the summary; this module calls them in
turn (adding a source is one line in :func:`_write_snapshot`):

- :mod:`pipelines.sample.catalogue`  the product lines shared by the HTS and Census answers
- :mod:`pipelines.sample.hts`        USITC releaseList and JSON exports
- :mod:`pipelines.sample.census`     Census imports/hs and exports/hs answers
- :mod:`pipelines.sample.federal_register`  Federal Register documents and a search
- :mod:`pipelines.sample.fx`         FRED's DEXJPUS CSV (yen per dollar)
- :mod:`pipelines.sample.minerals`   Census all-partner answers of the critical-mineral lines
- :mod:`pipelines.sample.japan_customs`  Japan's MOF/Customs CSVs (mirror flows, minerals)

A file ``SAMPLE_FINGERPRINT`` in the root records a digest of this package and the scenario; the
``source`` resource regenerates a sample whose fingerprint differs (the code moved on).

The output is a pure function of that file: a fixed seed (each source draws from its own
generator), no clock, no environment, so two runs write the same bytes. The snapshot is built
in a temporary directory beside ``root`` and renamed into place, so an interrupted run never
leaves half a snapshot.

Command line: ``python -m pipelines.sample.generate [ROOT]`` (default
``data_dir() / "sample_snapshot"``) prints the summary as JSON.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from pipelines.lib.sources.snapshot import SYNTHETIC_MARKER
from pipelines.sample import census, federal_register, fx, hts, japan_customs, minerals
from pipelines.sample.catalogue import Catalogue

SCENARIO_PATH = Path(__file__).with_name("scenario.yaml")
FINGERPRINT_FILE = "SAMPLE_FINGERPRINT"  # in the snapshot root: what generated it


def fingerprint(scenario_path: Path = SCENARIO_PATH) -> str:
    """A digest of the generator (this package's modules) and its scenario: a snapshot written
    by another version of either is stale."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")) + [Path(scenario_path)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_current(root: Path, scenario_path: Path = SCENARIO_PATH) -> bool:
    """Whether ``root`` holds a complete snapshot written by this generator and scenario."""
    marker = Path(root) / FINGERPRINT_FILE
    return marker.is_file() and marker.read_text().strip() == fingerprint(scenario_path)


def load_scenario(path: Path = SCENARIO_PATH) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when available
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


class SnapshotWriter:
    """Writes files under the (temporary) snapshot root and counts them."""

    def __init__(self, root: Path):
        self.root = root
        self.files = 0
        self.bytes = 0

    def write(self, relative: str, data: bytes) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.files += 1
        self.bytes += len(data)


def _write_snapshot(root: Path, scenario: dict) -> dict:
    writer = SnapshotWriter(root)
    catalogue = Catalogue(scenario, [r["name"] for r in scenario["releases"]])
    summary: dict[str, Any] = {"root": str(root)}
    summary.update(hts.write(writer, scenario, catalogue))
    summary.update(census.write(writer, scenario, catalogue))
    summary.update(federal_register.write(writer, scenario))
    summary.update(fx.write(writer, scenario))
    summary.update(minerals.write(writer, scenario))       # reads the Census answers back
    summary.update(japan_customs.write(writer, scenario))  # reads Census and fx back
    summary.update({"files": writer.files, "bytes": writer.bytes})
    return summary


def generate(root: Path, scenario_path: Path = SCENARIO_PATH) -> dict:
    """Write the synthetic snapshot at ``root`` (replacing it) and return a summary.

    The snapshot is built in a temporary directory beside ``root`` and renamed into place.
    """
    root = Path(root).resolve()
    root.parent.mkdir(parents=True, exist_ok=True)
    scenario = load_scenario(scenario_path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".partial", dir=root.parent))
    try:
        summary = _write_snapshot(tmp, scenario)
        (tmp / FINGERPRINT_FILE).write_text(fingerprint(scenario_path) + "\n")
        (tmp / SYNTHETIC_MARKER).write_text(
            "# Synthetic sample: not real data\n\nWritten by pipelines/sample/generate.py from "
            "pipelines/sample/scenario.yaml. Every value is invented; never cite it.\n",
            encoding="utf-8")
        tmp.chmod(0o755)
        if root.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".old", dir=root.parent))
            old.rmdir()
            root.rename(old)
            tmp.rename(root)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    summary["root"] = str(root)
    return summary


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) > 1 or (args and args[0] in ("-h", "--help")):
        print("usage: python -m pipelines.sample.generate [ROOT]", file=sys.stderr)
        return 2
    if args:
        root = Path(args[0])
    else:
        from pipelines.lib.paths import data_dir

        root = data_dir() / "sample_snapshot"
    summary = generate(root)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())