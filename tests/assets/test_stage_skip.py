"""A `make run` with nothing new skips every stage whose inputs, code and settings are as when it
last succeeded, says so, and leaves the warehouse as it was; a changed input runs its stage and
what follows it again, and `--full` runs everything."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.cli_harness import Cli, environment
from tests.helpers import table_checksums

pytestmark = pytest.mark.slow  # three real `make run`s

SKIPPED = "skipped, its inputs, code and settings are as when it last succeeded"
REFERENCE = "-> ledger, Federal Register and HTS releases"
JAPAN = "-> Japan's trade statistics and exchange rates"
MARTS = "-> indicators and the published copy"


def _run(env: dict, log: Path, *args: str) -> str:
    cli = Cli(env, log, *args)
    return cli.finish(0)


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def test_nothing_new_skips_every_stage_and_a_changed_file_reruns_its_own(
        sample_snapshot: Path, tmp_path: Path):
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample_snapshot, snapshot)
    env = environment(tmp_path, snapshot)
    warehouse = tmp_path / "data" / "warehouse.duckdb"

    first = _run(env, tmp_path / "first.log")
    assert SKIPPED not in first and "reference_refresh" in first
    built = table_checksums(warehouse, ignore_clock=True)

    again = _run(env, tmp_path / "again.log")
    for stage in (REFERENCE, JAPAN, MARTS, "-> report"):
        assert SKIPPED in _line(again, stage), again
    assert table_checksums(warehouse, ignore_clock=True) == built
    assert "scorecard" in again  # the summary is still printed, from the published copy

    # one exchange-rate file revised: Japan's stage and the marts run, the reference does not
    fx = snapshot / "fx" / "DEXJPUS.csv"
    *rows, last = fx.read_text().rstrip("\n").split("\n")
    day, rate = last.split(",")
    fx.write_text("\n".join([*rows, f"{day},{float(rate) + 0.01:.4f}"]) + "\n")
    revised = _run(env, tmp_path / "revised.log")
    assert SKIPPED in _line(revised, REFERENCE)
    assert SKIPPED not in _line(revised, JAPAN) and SKIPPED not in _line(revised, MARTS)
    assert "japan_stats_refresh" in revised and "reference_refresh" not in revised

    full = _run(env, tmp_path / "full.log", "--full")
    assert SKIPPED not in full
