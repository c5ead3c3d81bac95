"""Build the report from the warehouse, render it with Jinja2 and write the files.

The page is self-contained: styles inline, charts as inline SVG, no script, no font or image
fetched from anywhere. Everything on it is a function of the warehouse (and of the check
results passed in), except one line saying when it was generated, so rebuilding from the same
warehouse gives the same bytes apart from that line.

Text from the data (Census descriptions, the ledger, the evidence) is outside input and the page
is meant to be forwarded: the template escapes every value, and only the project's own markup
(the stylesheet, the charts' SVG) is marked safe where it is made. The page's
Content-Security-Policy forbids script as a second line of defence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipelines.lib.paths import data_dir
from pipelines.lib.report import formats as f
from pipelines.lib.report import sections as s
from pipelines.lib.report.queries import Warehouse

BANNER = "Synthetic sample data — not real figures"
TEMPLATES = Path(__file__).parent / "templates"
GENERATED_PREFIX = "generated-at:"
# The page needs its inline <style> and style attributes (report.css, the charts' SVG) and nothing
# else: no script, no image, font or frame, nothing fetched, no form, no <base>.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


@dataclass(frozen=True)
class Provenance:
    """Where the warehouse's data came from (the source mode of the build)."""

    kind: str  # sample | live | snapshot
    snapshot: str

    @property
    def synthetic(self) -> bool:
        return self.kind == "sample"


@dataclass
class Report:
    as_of: date | None
    provenance: Provenance
    banner: str | None
    header: list[tuple[str, str]]
    sections: list[s.Section]
    headline: dict = field(default_factory=dict)

    @property
    def slug(self) -> str:
        """The as-of part of the file name: the latest month of data (``2026-09``)."""
        return f"{self.as_of:%Y-%m}" if self.as_of else "no-data"

    @property
    def missing(self) -> list[str]:
        """``section: table`` for every table a section lacks (an optional source's table
        marked as not in the snapshot)."""
        return [f"{sec.id}: {m.table}" + (" (its source is not in the snapshot)" if m.source
                                          else "")
                for sec in self.sections for m in sec.missing]


def build(con: duckdb.DuckDBPyConnection, provenance: Provenance, country: str,
          checks: list[s.CheckRun] | None = None) -> Report:
    """Read the warehouse and assemble the nine sections."""
    w = Warehouse(con, country)
    banner = BANNER if provenance.synthetic else None
    as_of = None
    if w.has("marts.effective_rates_monthly"):
        as_of = w.frame("as_of").item()
    sections = [
        s.verdict(w),
        s.effective_rate(w, banner),
        s.sectors(w, banner),
        s.partners(w, banner),
        s.dollars(w, banner),
        s.timeline(w, banner),
        s.commitments(w, banner),
        s.quality(w, checks),
        s.method(),
    ]
    report = Report(as_of=as_of, provenance=provenance, banner=banner,
                    header=_header(w, provenance), sections=sections)
    report.headline = _headline(report)
    return report


def _header(w: Warehouse, provenance: Provenance) -> list[tuple[str, str]]:
    mode = {"sample": "sample — the bundled synthetic snapshot",
            "live": "live — the real APIs, every answer saved to the landing directory",
            "snapshot": "snapshot — a replay of a saved snapshot directory"}
    rows = [("source mode", mode.get(provenance.kind, provenance.kind)),
            ("snapshot", provenance.snapshot)]
    rows += [(name, f"{covers}; {as_of}") for name, covers, as_of in s.source_rows(w)]
    return rows


def _headline(report: Report) -> dict:
    """The figures the asset's metadata shows: verdict counts per side and the U.S. facts."""
    out: dict = {"as_of": report.slug, "synthetic": report.provenance.synthetic}
    verdict = report.sections[0]
    for side in verdict.sides:
        for word, _, n in side.counts:
            out[f"{side.side}_{word.lower().replace(' ', '_')}"] = n
        out[f"{side.side}_monitored"] = side.monitored
        if side.paragraph:
            out[f"{side.side}_verdict"] = side.paragraph
    us = next(side for side in verdict.sides if side.side == "us")
    if us.facts:
        out["us_summary"] = " ".join(us.facts)
    out["sections_missing"] = ", ".join(report.missing) or "none"
    return out


def snapshot_label(root: Path) -> str:
    """The snapshot directory relative to the data directory when inside it (stable across
    machines), else as given."""
    try:
        return f"data/{root.resolve().relative_to(data_dir())}"
    except ValueError:
        return str(root)


def environment() -> Environment:
    """Jinja2 with every value escaped whatever the template's name (``select_autoescape`` goes
    by extension and would leave ``report.html.j2`` unescaped)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["month"] = f.month
    return env


def render(report: Report, generated_at: datetime | None = None) -> str:
    """The report as one HTML document."""
    generated_at = generated_at or datetime.now(UTC)
    env = environment()
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return env.get_template("report.html.j2").render(
        report=report, css=Markup(css), csp=CSP,  # the project's own stylesheet
        generated=f"{GENERATED_PREFIX} {generated_at:%Y-%m-%d %H:%M:%S} UTC")


def write(html: str, directory: Path, slug: str) -> tuple[Path, Path]:
    """Write ``tariff-audit-<slug>.html`` and ``latest.html`` atomically (a reader never sees a
    half-written page)."""
    directory.mkdir(parents=True, exist_ok=True)
    dated = directory / f"tariff-audit-{slug}.html"
    latest = directory / "latest.html"
    for path in (dated, latest):
        tmp = path.with_suffix(".html.tmp")
        tmp.write_text(html, encoding="utf-8")
        os.replace(tmp, path)
    return dated, latest


def reports_dir() -> Path:
    """``<data>/reports`` (``TARIFF_AUDIT_DATA``)."""
    return data_dir() / "reports"
