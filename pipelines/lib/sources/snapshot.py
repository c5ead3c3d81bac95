"""The snapshot directory: one layout shared by the offline sample, live landings and replays.

```
<snapshot>/hts/releaseList.json                 the releaseList answer
<snapshot>/hts/<release name>.json[.gz]          one full JSON export per release
<snapshot>/census/imports_hs/<YYYY-MM>/*.json    Census API answers for that month, any split
                                                 (.json.gz too)
<snapshot>/census/exports_hs/<YYYY-MM>/*.json
<snapshot>/census/<endpoint>/<YYYY-MM>/landing.jsonl   the live client's record of each answer:
                                                 HTTP status (204 = no data) and fetch time
<snapshot>/japan_customs/<YYYY>/*.csv            MOF/Customs CSVs by HS9 x country (one release
                                                 per file name, see japan_customs.reader)
<snapshot>/japan_customs/estat/<statsDataId>/*.json   e-Stat getStatsData answers
<snapshot>/fx/<SERIES>.csv                       FRED CSV download of a daily series (DEXJPUS)
<snapshot>/federal_register/search|documents/*.json   Federal Register API answers
```

Which of these a run needs is declared once, in ``SOURCES``: the HTS releases and the Census
imports are required; every other source is optional, and a snapshot without it runs with a
warning saying what is then not measured.

Every file is exactly what the source served, so a live run's landing directory can be
replayed offline by pointing ``TARIFF_AUDIT_SOURCE`` at it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.lib import settings
from pipelines.lib.errors import SourceError
from pipelines.lib.paths import data_dir

CENSUS_ENDPOINTS = ("imports_hs", "exports_hs")
CENSUS_SOURCES = {"imports_hs": "Census imports/hs", "exports_hs": "Census exports/hs"}
# The live client's record of each month's answers: status (204 = no data) and fetch time.
LANDING_RECORD = "landing.jsonl"
# Written by the sample generator at the snapshot's root: a copy or replay of the sample stays
# labelled synthetic wherever its data goes.
SYNTHETIC_MARKER = "SYNTHETIC.md"


class SnapshotError(RuntimeError):
    """A snapshot is missing a file or directory that a step needs."""


@dataclass(frozen=True)
class SourceMode:
    """Where source answers come from.

    ``kind`` is ``sample`` (the bundled synthetic snapshot), ``live`` (the real APIs, every
    answer saved under ``root``) or ``snapshot`` (replay of a directory).
    """

    kind: str
    root: Path

    @property
    def is_live(self) -> bool:
        return self.kind == "live"

    @property
    def synthetic(self) -> bool:
        """The bundled sample, or a snapshot made from it: every figure is invented."""
        return self.kind == "sample" or is_synthetic(self.root)


def is_synthetic(root: Path) -> bool:
    return (Path(root) / SYNTHETIC_MARKER).is_file()


def source_mode(value: str | None = None) -> SourceMode:
    """Resolve ``TARIFF_AUDIT_SOURCE``: ``sample`` (default), ``live`` or a snapshot path."""
    raw = value if value is not None else settings.value("source")
    raw = raw.strip() or "sample"
    if raw == "sample":
        return SourceMode("sample", data_dir() / "sample_snapshot")
    if raw == "live":
        landing = settings.value("landing") or data_dir() / "landing"
        return SourceMode("live", Path(landing).resolve())
    root = Path(raw).expanduser().resolve()
    if not root.is_dir():
        raise SnapshotError(
            f"TARIFF_AUDIT_SOURCE={raw!r} is neither 'sample', 'live' nor an existing snapshot "
            "directory"
        )
    return SourceMode("snapshot", root)


def release_list_path(root: Path) -> Path:
    return root / "hts" / "releaseList.json"


def release_path(root: Path, release: str) -> Path:
    """The export file of one release (``.json.gz`` preferred over ``.json``)."""
    for suffix in (".json.gz", ".json"):
        candidate = root / "hts" / f"{release}{suffix}"
        if candidate.exists():
            return candidate
    raise SnapshotError(
        f"HTS snapshot {root / 'hts'} has no export for release {release!r} "
        f"(expected {release}.json.gz or {release}.json)"
    )


def census_month_dir(root: Path, endpoint: str, period: str) -> Path:
    """``<root>/census/<endpoint>/<YYYY-MM>``; ``endpoint`` is ``imports_hs`` or ``exports_hs``."""
    if endpoint not in CENSUS_ENDPOINTS:
        raise ValueError(f"unknown Census endpoint {endpoint!r}; expected {CENSUS_ENDPOINTS}")
    return root / "census" / endpoint / period


def census_month_files(root: Path, endpoint: str, period: str) -> list[Path]:
    """The answer files of one month (``*.json`` and ``*.json.gz``: a landing may compress
    them), sorted. Raises ``SnapshotError`` when the month has no directory, and
    ``SourceError`` naming the directory when it holds no readable answer and no recorded
    no-data (204) answer either: an empty month directory is damage, not a month without
    trade."""
    month_dir = census_month_dir(root, endpoint, period)
    if not month_dir.is_dir():
        raise SnapshotError(
            f"Census snapshot has no directory {month_dir} for {endpoint} {period}: the month is "
            "not in this snapshot (use TARIFF_AUDIT_SOURCE=live to fetch it)"
        )
    files = answer_files(month_dir)
    if not files and not landing_records(month_dir):
        others = sorted(p.name for p in month_dir.iterdir() if p.name != LANDING_RECORD)
        raise SourceError(
            CENSUS_SOURCES[endpoint], str(month_dir),
            "no readable answer in the month directory (expected <request>.json or "
            "<request>.json.gz answers, or a no-data (HTTP 204) answer recorded in "
            f"{LANDING_RECORD})" + (f"; found only {', '.join(others[:5])}" if others else ""),
            field="body")
    names = [f.name.removesuffix(".gz") for f in files]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SourceError(
            CENSUS_SOURCES[endpoint], str(month_dir / twice[0]),
            f"the same answer twice, as {twice[0]} and {twice[0]}.gz: keep one", field="body")
    return files


def answer_files(month_dir: Path) -> list[Path]:
    """``*.json`` and ``*.json.gz`` answers of a month directory, sorted (none when absent)."""
    if not month_dir.is_dir():
        return []
    found = [*month_dir.glob("*.json"), *month_dir.glob("*.json.gz")]
    return sorted(p for p in found if p.is_file())


def landing_records(month_dir: Path) -> dict[str, dict]:
    """The live client's record of the month's answers (``landing.jsonl``): answer file name
    -> its latest record ``{"file", "status", "fetched_at", "rows", "request"}``. A 204
    (no data) is recorded here with its status and no file; the file's modification time
    never stands for the fetch time when a record exists."""
    path = month_dir / LANDING_RECORD
    if not path.is_file():
        return {}
    out: dict[str, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            out[record["file"]] = record
    return out


def record_landing(month_dir: Path, record: dict) -> None:
    """Append one answer's record to the month's ``landing.jsonl`` (live client)."""
    month_dir.mkdir(parents=True, exist_ok=True)
    with (month_dir / LANDING_RECORD).open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, sort_keys=True) + "\n")


def compact_landing(month_dir: Path) -> None:
    """Keep only the latest record of each answer in ``landing.jsonl`` (after a month's fetch;
    nightly refetches would otherwise grow it without end). Written whole, then renamed."""
    records = landing_records(month_dir)
    if not records:
        return
    target = month_dir / LANDING_RECORD
    tmp = month_dir / f".{LANDING_RECORD}.tmp"
    tmp.write_text("".join(json.dumps(r, sort_keys=True) + "\n"
                           for _, r in sorted(records.items())), encoding="utf-8")
    os.replace(tmp, target)


def census_months(root: Path, endpoint: str) -> list[str]:
    """The months (``YYYY-MM``) a snapshot holds for one endpoint, sorted."""
    base = root / "census" / endpoint
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir())


def fx_path(root: Path, series: str) -> Path:
    """``<root>/fx/<SERIES>.csv``: FRED's CSV download of one daily series."""
    return root / "fx" / f"{series}.csv"


def japan_customs_dir(root: Path) -> Path:
    """``<root>/japan_customs``: one directory per year of MOF/Customs CSV files."""
    return root / "japan_customs"


def japan_customs_files(root: Path) -> list[Path]:
    """Every ``<root>/japan_customs/<YYYY>/*.csv`` and every saved e-Stat page
    ``<root>/japan_customs/estat/<statsDataId>/*.json``, sorted (none when the directory is
    absent)."""
    base = japan_customs_dir(root)
    if not base.is_dir():
        return []
    found = [*base.glob("[0-9][0-9][0-9][0-9]/*.csv"), *base.glob("estat/*/*.json")]
    return sorted(p for p in found if p.is_file())


@dataclass(frozen=True)
class Source:
    """One source of the snapshot: where its files are, whether a run needs it, the tables it
    fills and, for an optional one, what the audit cannot measure without it."""

    key: str
    name: str                   # what messages call it: "no <name> in this snapshot"
    layout: str                 # where its files belong, as the README's layout writes it
    files: tuple[str, ...]      # globs under the snapshot root; any match means present
    required: bool
    table: str                  # the staging table that holds it once loaded
    tables: tuple[str, ...]     # every raw and staging table it fills
    marts: tuple[str, ...] = ()  # the marts that read it (directly or through another mart)
    unmeasured: str = ""        # what is not measured without it
    figures: tuple[str, ...] = ()  # the commitments' sources of figures it feeds (ledger)

    def absence(self) -> str:
        """``no <name> in this snapshot``: the short reason, for a scorecard row."""
        return f"no {self.name} in this snapshot"

    def warning(self) -> str:
        """One line naming the source, where its files belong and what is not measured."""
        return f"{self.absence()} ({self.layout}): {self.unmeasured} not measured"


# Purchases of Japan's commitments, measured from either side's books.
_COMMITMENTS = ("marts.commitment_progress", "marts.implementation_scorecard")
_MIRROR = ("marts.mirror_trade", "marts.mirror_trade_distribution")
SOURCES: dict[str, Source] = {s.key: s for s in (
    Source("hts", "HTS releases", "hts/", ("hts/releaseList.json",), True, "staging.hts_lines",
           ("raw.hts_releases", "raw.hts_records", "staging.hts_lines",
            "staging.hts_chapter99")),
    Source("census_imports", "Census imports", "census/imports_hs/<YYYY-MM>/",
           ("census/imports_hs/*/*.json*",), True,
           "staging.imports_monthly", ("raw.census_imports", "staging.imports_monthly")),
    Source("census_exports", "Census exports", "census/exports_hs/<YYYY-MM>/",
           ("census/exports_hs/*/*.json*",), False,
           "staging.exports_monthly", ("raw.census_exports", "staging.exports_monthly"),
           _COMMITMENTS + _MIRROR,
           "U.S. exports to Japan (the purchase commitments' us_exports figures, the mirror of "
           "Japan's imports from the U.S.) are", ("us_exports",)),
    Source("federal_register", "Federal Register documents", "federal_register/",
           ("federal_register/search/*.json", "federal_register/documents/*.json"), False,
           "staging.federal_register_documents",
           ("raw.federal_register_documents", "staging.federal_register_documents"),
           ("marts.ledger_discrepancies",),
           "the ledger discrepancies (the ledger's instruments against their Federal Register "
           "records: dates, citation, number, kind) are"),
    Source("fx", "exchange rates", "fx/<SERIES>.csv", ("fx/*.csv",), False, "staging.fx_monthly",
           ("raw.fx_daily", "staging.fx_monthly"), _COMMITMENTS + _MIRROR,
           "Japan's statistics in dollars (the purchase commitments' japan_imports figures, the "
           "mirror trade's Japanese side) are", ("japan_imports",)),
    Source("japan_customs", "trade statistics of Japan (MOF/Customs, e-Stat)", "japan_customs/",
           ("japan_customs/[0-9][0-9][0-9][0-9]/*.csv", "japan_customs/estat/*/*.json"), False,
           "staging.japan_trade_monthly", ("raw.japan_trade", "staging.japan_trade_monthly"),
           _COMMITMENTS + _MIRROR + ("marts.critical_minerals_dependence",),
           "Japan's side of the books (the purchase commitments' japan_imports figures, the "
           "mirror trade, Japan's dependence on China for critical minerals) is",
           ("japan_imports",)),
)}


def present(root: Path, key: str) -> bool:
    """Whether the snapshot at ``root`` holds any file of source ``key``."""
    return any(next(Path(root).glob(pattern), None) is not None
               for pattern in SOURCES[key].files)


def absent(root: Path, key: str) -> Source | None:
    """The optional source ``key`` when the snapshot has none of its files, else ``None``.
    A required source is never reported absent here: its loader refuses, naming the file."""
    source = SOURCES[key]
    return None if source.required or present(root, key) else source


def require(root: Path, key: str) -> None:
    """Refuse a snapshot without a file of the required source ``key``, naming it and where
    its files belong."""
    source = SOURCES[key]
    if not present(root, key):
        raise SnapshotError(
            f"the snapshot {root} has no {source.name} ({', '.join(source.files)}): a run "
            f"needs them (required: {', '.join(s.layout for s in SOURCES.values() if s.required)};"
            " every other source is optional)")


def not_loaded(con: duckdb.DuckDBPyConnection) -> list[Source]:
    """The optional sources of which the warehouse (or its published copy) holds no row: what
    its marts, summary and report cannot measure."""
    out = []
    for source in SOURCES.values():
        if source.required:
            continue
        schema, name = source.table.split(".")
        # fetchall: duckdb 2 refuses further work on a connection with an unfinished result
        found = con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND "
                            "table_name = ?", [schema, name]).fetchall()[0][0]
        if not found or not con.execute(
                f'SELECT 1 FROM "{schema}"."{name}" LIMIT 1').fetchall():
            out.append(source)
    return out


def missing_figures(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The commitments' sources of figures (``us_exports``, ``japan_imports``) an optional
    source the warehouse holds no row of feeds, each with the reason (``no ... in this
    snapshot``, joined when several are missing)."""
    out: dict[str, list[str]] = {}
    for source in not_loaded(con):
        for figure in source.figures:
            out.setdefault(figure, []).append(source.absence())
    return {figure: "; ".join(reasons) for figure, reasons in sorted(out.items())}


def not_measured(con: duckdb.DuckDBPyConnection, table: str) -> list[Source]:
    """The optional sources ``table`` (a mart) reads that the warehouse holds no row of."""
    return [s for s in not_loaded(con) if table in s.marts]
