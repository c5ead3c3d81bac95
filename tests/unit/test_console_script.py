"""The console script ``tariff-audit`` (pyproject's [project.scripts]) is the CLI of
``python -m pipelines.cli``, installed beside the interpreter by ``make setup``."""

import subprocess
import sys
from pathlib import Path

from pipelines.lib.paths import project_root


def test_the_console_script_is_the_cli():
    script = Path(sys.executable).parent / "tariff-audit"
    assert script.exists(), f"{script} is not installed: run `make setup` (pip install -e .)"
    done = subprocess.run([str(script), "--help"], cwd=project_root(), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: tariff-audit ")
    for command in ("run", "summary", "report", "sql", "dictionary"):
        assert command in done.stdout
    module = subprocess.run([sys.executable, "-m", "pipelines.cli", "--help"],
                            cwd=project_root(), capture_output=True, text=True, timeout=120)
    assert module.stdout.startswith("usage: python -m pipelines.cli ")
    body = "positional arguments:"
    assert module.stdout[module.stdout.index(body):] == done.stdout[done.stdout.index(body):]
