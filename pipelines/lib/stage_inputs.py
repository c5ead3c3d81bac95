"""What each stage of ``make run`` was last run from, so a run with nothing new skips it.

The loads already compare file digests partition by partition (``meta.loaded_files``) and each
mart its own inputs (``meta.mart_inputs``); this extends the same fingerprints to whole stages,
so a nightly run that finds nothing new does not pay for re-deciding it step by step:

- the reference stage (ledger, Federal Register documents, release list) is skipped when the
  ledger's files, the snapshot's ``federal_register/`` and ``hts/releaseList.json``, the code and
  the settings are as they were when it last succeeded, and the Dagster instance still has the
  release partitions it registered;
- Japan's statistics and exchange rates likewise, from ``japan_customs/`` and ``fx/``;
- the marts, the published copy and the report when, besides the code, the ledger and the
  settings, the two stages above and every load (``meta.loaded_files``) are as they were when
  the marts last succeeded, and the published copy and the report exist.

Only a snapshot or the sample can be fingerprinted this way: a live run fetches, so it runs
every stage, and ``make run-full`` runs every stage too. A stage's digest is recorded in
``meta.mart_inputs`` (``mart`` = ``stage/<name>``) after it succeeds; a rolled-back run restores
the warehouse and with it the previous record, so what failed runs again.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from pipelines.lib import incremental, settings
from pipelines.lib.paths import project_root
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import table_exists

CODE_FOLDERS = ("pipelines", "sql", "expectations")
CODE_SUFFIXES = {".py", ".sql", ".json", ".yaml", ".j2", ".css"}


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_digest() -> str:
    """The code every stage runs: the Python package, the SQL and the suites (any edit runs
    every stage again; each mart then decides by its own code version)."""
    root = project_root()
    files = [p for folder in CODE_FOLDERS for p in (root / folder).rglob("*")
             if p.suffix in CODE_SUFFIXES and p.is_file() and "__pycache__" not in p.parts]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# The settings that shape what a stage computes. Not the paths (the warehouse is the data
# directory's; the files a stage reads are digested by content), the limits, the waits, the
# live URLs or the keys: a warehouse moved or a budget raised runs nothing again.
RESULT_SETTINGS = {"countries", "hts_since"}


def settings_digest() -> str:
    """The digest of :data:`RESULT_SETTINGS`."""
    return _digest(settings.get().model_dump(mode="json", include=RESULT_SETTINGS))


def files_digest(root: Path, *patterns: str) -> str:
    """The snapshot's files matching ``patterns`` (globs under ``root``), names and contents."""
    digest = hashlib.sha256()
    for pattern in patterns:
        for path in sorted(p for p in root.glob(pattern) if p.is_file()):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def recorded(con: duckdb.DuckDBPyConnection, stage: str) -> str | None:
    if not table_exists(con, "meta.mart_inputs"):
        return None
    rows = run(con, "SELECT inputs FROM meta.mart_inputs WHERE mart = $m AND period = $p",
               {"m": f"stage/{stage}", "p": incremental.WHOLE})
    return rows[0][0] if rows else None


def record(con: duckdb.DuckDBPyConnection, stage: str, digest: str) -> None:
    """Note ``digest`` for ``stage``; the row is left as it is when it holds it already (a
    stage that ran on the same inputs changes no table)."""
    if recorded(con, stage) != digest:
        incremental.record(con, f"stage/{stage}", {incremental.WHOLE: digest},
                           [incremental.WHOLE])


def loads_digest(con: duckdb.DuckDBPyConnection) -> str:
    """Every partition loaded and the digest of the files it was loaded from."""
    if not table_exists(con, "meta.loaded_files"):
        return "-"
    return _digest(run(con, "SELECT source, partition, digest FROM meta.loaded_files "
                            "ORDER BY ALL"))


def stage_digests(root: Path, releases: list[str], common: str) -> dict[str, str]:
    """The digests of the reference and Japan stages (``common``: code, ledger, settings)."""
    return {
        "reference": _digest(common, files_digest(root, "federal_register/**/*",
                                                  "hts/releaseList.json"), sorted(releases)),
        "japan": _digest(common, files_digest(root, "japan_customs/**/*", "fx/**/*")),
    }


def common_digest() -> str:
    return _digest(code_digest(), incremental.ledger_digest(), settings_digest())


def marts_digest(con: duckdb.DuckDBPyConnection, common: str, stages: dict[str, str]) -> str:
    return _digest(common, stages, loads_digest(con))
