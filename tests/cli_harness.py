"""The real CLI in a subprocess: ``python -m pipelines.cli run`` with its own Dagster instance
(the project's dagster.yaml) and data directory, its output in a file the test can poll."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.lib.paths import project_root

# A guard against a hang of the harness itself, not a measured bound: the runs take ~1-2 min.
HANG_GUARD_SECONDS = 900


class Cli:
    """One ``python -m pipelines.cli run`` with its output in a file."""

    def __init__(self, env: dict, log: Path, *args: str):
        self.log = log
        self.handle = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "run", *args], cwd=project_root(), env=env,
            stdout=self.handle, stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, *fragments: str) -> str:
        """Block until the output holds every fragment (in any order)."""
        guard = time.monotonic() + HANG_GUARD_SECONDS
        while True:
            text = self.output()
            if all(f in text for f in fragments):
                return text
            if self.process.poll() is not None:
                pytest.fail(f"the CLI ended before printing {fragments}:\n{text[-4000:]}")
            if time.monotonic() > guard:
                pytest.fail(f"hang: no {fragments} in the CLI's output:\n{text[-4000:]}")
            time.sleep(0.2)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()  # reaped: the PID is gone, not a zombie

    def finish(self, code: int = 0) -> str:
        """Wait for the end; the exit status must be ``code`` (0, or 1 for a failed run)."""
        try:
            status = self.process.wait(timeout=HANG_GUARD_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            pytest.fail(f"hang: the CLI did not finish:\n{self.output()[-4000:]}")
        self.handle.close()
        text = self.output()
        assert status == code, text[-4000:]
        return text


def environment(tmp: Path, snapshot: Path) -> dict:
    home = tmp / "dagster_home"
    home.mkdir(parents=True)
    shutil.copy(project_root() / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TARIFF_AUDIT_", "DAGSTER"))}
    env.update(DAGSTER_HOME=str(home), TARIFF_AUDIT_DATA=str(tmp / "data"),
               TARIFF_AUDIT_SOURCE=str(snapshot), PYTHONUNBUFFERED="1")
    return env


