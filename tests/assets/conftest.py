"""The overlay-snapshot harness of the input tests: the sample with some files replaced,
everything else linked, run against a copy of a warehouse built from the sample."""

import gzip
import json
import os
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.stages import JAPAN, LEDGER, MARTS, SCHEDULE, TRADE, run_assets
from tests.helpers import table_checksums

MONTH = "2025-10"
JAPAN_AUTOS = f"census/imports_hs/{MONTH}/CTY_CODE=5880_I_COMMODITY=87.json"
JAPAN_MONTH_FILES = f"census/imports_hs/{MONTH}"
EXPORTS = f"census/exports_hs/{MONTH}/CTY_CODE=5880.json"
RELEASE = "hts/2025HTSRev23.json.gz"


def _materialize(instance, resources, selection, keys=None):
    return run_assets(instance, selection, keys, resources, log_level="DEBUG")


def _build(sample: Path, path: Path, months: list[str], first_and_last_release: bool,
           japan: bool):
    """A warehouse built from the sample at ``path``: the ledger, the releases (all, or the
    first and the last), Census ``months`` (first and last), Japan's statistics and the marts.
    Returns (instance, resources, releases)."""
    resources = {"source": SourceResource(source=str(sample)),
                 "warehouse": WarehouseResource(database=str(path))}
    instance = dg.DagsterInstance.ephemeral()
    assert _materialize(instance, resources, LEDGER).success
    assert _materialize(instance, resources, ["raw/hts_releases"]).success
    releases = instance.get_dynamic_partitions("hts_release")
    keys = [releases[0], releases[-1]] if first_and_last_release else releases
    assert _materialize(instance, resources, SCHEDULE, keys).success
    assert _materialize(instance, resources, TRADE, months).success
    if japan:
        assert _materialize(instance, resources, JAPAN).success
    assert _materialize(instance, resources, MARTS).success
    return instance, resources, releases


@pytest.fixture(scope="module")
def base(sample_snapshot: Path, tmp_path_factory):
    """A warehouse built from the sample for the months and releases the cases touch."""
    path = tmp_path_factory.mktemp("base") / "warehouse.duckdb"
    _, _, releases = _build(sample_snapshot, path, ["2025-08-01", "2025-11-01"],
                            first_and_last_release=True, japan=False)
    return path, releases


@pytest.fixture(scope="session")
def built(sample_snapshot: Path, tmp_path_factory):
    """The warehouse built from the sample once per session: (instance, resources, warehouse
    path). Tests may run assets again on it but must leave its data as they found it."""
    path = tmp_path_factory.mktemp("warehouse") / "warehouse.duckdb"
    instance, resources, _ = _build(sample_snapshot, path, ["2024-01-01", "2026-09-01"],
                                    first_and_last_release=False, japan=True)
    return instance, resources, path


class Case:
    """One malformed input: an overlay snapshot, a warehouse copy and a Dagster instance."""

    def __init__(self, sample: Path, base_path: Path, releases: list[str], tmp: Path):
        self.sample, self.tmp = sample, tmp
        self.root = tmp / "snapshot"
        self.warehouse = tmp / "warehouse.duckdb"
        shutil.copy(base_path, self.warehouse)
        # the overlay is the sample with one file changed: the same source, in another directory
        with duckdb.connect(str(self.warehouse)) as con:
            con.execute("UPDATE raw.warehouse_source SET root = ?", [str(self.root.resolve())])
        self.releases = releases
        self.instance = dg.DagsterInstance.ephemeral()
        self.instance.add_dynamic_partitions("hts_release", releases)
        # link everything; replaced files are written over their link
        for path in sample.rglob("*"):
            target = self.root / path.relative_to(sample)
            if path.is_dir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(path, target)
        self.before = table_checksums(self.warehouse)

    def read(self, relative: str) -> bytes:
        data = (self.sample / relative).read_bytes()
        return gzip.decompress(data) if relative.endswith(".gz") else data

    def write(self, relative: str, body: bytes) -> Path:
        target = self.root / relative
        if target.is_symlink() or target.exists():
            target.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(gzip.compress(body) if relative.endswith(".gz") else body)
        return target

    def answer(self, relative: str = JAPAN_AUTOS) -> list[list]:
        return json.loads(self.read(relative))

    def write_answer(self, rows: list, relative: str = JAPAN_AUTOS) -> Path:
        return self.write(relative, json.dumps(rows).encode())

    def run(self, selection: list[str], keys: list[str] | None = None):
        resources = {"source": SourceResource(source=str(self.root)),
                     "warehouse": WarehouseResource(database=str(self.warehouse))}
        return _materialize(self.instance, resources, selection, keys)

    def run_month(self, month: str = MONTH):
        return self.run(TRADE, [f"{month}-01", f"{month}-01"])

    def run_release(self, release: str = "2025HTSRev23"):
        return self.run(["raw/hts_records", "staging/hts_lines", "staging/hts_chapter99"],
                        [release, release])

    def expect_refusal(self, result, *fragments: str) -> str:
        """The run failed, the message names every fragment, and nothing changed."""
        assert not result.success, "the malformed input was accepted"
        messages = " | ".join(e.step_failure_data.error.to_string()
                              for e in result.all_events if e.is_step_failure)
        for fragment in fragments:
            assert fragment in messages, f"{fragment!r} not in the error: {messages[:2000]}"
        assert table_checksums(self.warehouse) == self.before, "the warehouse changed"
        return messages


@pytest.fixture
def case(sample_snapshot, base, tmp_path) -> Case:
    return Case(sample_snapshot, base[0], base[1], tmp_path)
