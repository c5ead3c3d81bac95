"""The sample's USITC HTS answers: the releaseList and one JSON export per release."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from pipelines.sample.catalogue import Catalogue, Line
from pipelines.sample.common import date_of

if TYPE_CHECKING:
    from pipelines.sample.generate import SnapshotWriter

HTS_KEYS = (
    "htsno", "indent", "description", "superior", "units", "general", "special", "other",
    "footnotes", "quotaQuantity", "additionalDuties", "addiitionalDuties",
)


def _mdy(day: dt.date) -> str:
    return f"{day.month:02d}/{day.day:02d}/{day.year:04d}"


def _jackson(value: Any, level: int = 0) -> str:
    """JSON in the layout of USITC's exports (Jackson's default pretty printer)."""
    if isinstance(value, dict):
        if not value:
            return "{ }"
        pad = "  " * (level + 1)
        body = ",\n".join(
            f"{pad}{json.dumps(k, ensure_ascii=False)} : {_jackson(v, level + 1)}"
            for k, v in value.items()
        )
        return "{\n" + body + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[ ]"
        return "[ " + ", ".join(_jackson(v, level) for v in value) + " ]"
    return json.dumps(value, ensure_ascii=False)


def records(catalogue: Catalogue, r: int, chapter99: list[dict]) -> list[dict]:
    """The records of release index ``r`` in export order."""
    out: list[dict] = []
    live = [line for line in catalogue.lines if line.first <= r < line.end]
    by_heading: dict[str, list[Line]] = defaultdict(list)
    for line in live:
        by_heading[line.heading].append(line)
    for heading in sorted(by_heading):
        lines = by_heading[heading]
        out.append(_record(heading, "0", catalogue.heading_desc[heading] + ":", footnotes=[],
                           quota="", additional=""))
        base = 1
        if heading in catalogue.superior_headings:
            out.append(_record("", "1", "Other:", superior="true", footnotes=None))
            base = 2
        groups: dict[str, list[Line]] = defaultdict(list)
        for line in lines:
            groups[line.hs8[:7]].append(line)
        for hs6 in sorted(groups):
            members = groups[hs6]
            indent = base
            if len(members) > 1:
                out.append(_record(hs6, str(base), catalogue.hs6_desc[hs6], footnotes=[]))
                indent = base + 1
            for line in members:
                out.extend(_line_records(line, r, indent))
    for heading in chapter99:
        text = heading["texts"][r]
        if text is None:
            continue
        out.append(
            _record(
                heading["htsno"], "0", heading["description"], general=text, special=text,
                other=heading["other"],
                footnotes=[{"columns": ["stat", "units"], "marker": "1",
                            "value": " See chapter 99 statistical note 1. ",
                            "type": "footnote"}],
                additional="",
            )
        )
    return out


def _line_records(line: Line, r: int, indent: int) -> list[dict]:
    footnotes = (
        [{"columns": ["general"], "value": line.footnote, "type": "endnote"}]
        if line.footnote else []
    )
    blank = "" if line.quota_blank else None
    common = dict(general=line.rates[r], special=line.special, other=line.other,
                  footnotes=footnotes, quota=blank, additional=blank)
    if line.form == "own10":
        return [_record(line.hs8 + ".00", str(indent), line.desc, units=line.units, **common)]
    if line.form == "alone":
        return [_record(line.hs8, str(indent), line.desc, units=line.units, **common)]
    out = [_record(line.hs8, str(indent), line.desc, units=[], **common)]
    for suffix, desc, first, end in line.kids:
        if first <= r < end:
            out.append(_record(f"{line.hs8}.{suffix}", str(indent + 1), desc,
                               units=line.units, footnotes=[]))
    return out


def _record(htsno: str, indent: str, description: str, *, superior: str | None = None,
            units: list[str] | None = None, general: str = "", special: str = "",
            other: str = "", footnotes: list | None = None, quota: str | None = None,
            additional: str | None = None) -> dict:
    values = (htsno, indent, description, superior, list(units or []), general, special, other,
              footnotes, quota, additional, None)
    return dict(zip(HTS_KEYS, values, strict=True))



def write(writer: SnapshotWriter, scenario: dict, catalogue: Catalogue) -> dict:
    """``hts/releaseList.json`` (newest first) and one export per release."""
    releases = scenario["releases"]
    names = [r["name"] for r in releases]
    starts = [date_of(r["start"]) for r in releases]
    listing = []
    for i, rel in enumerate(releases):
        published = dt.datetime.combine(date_of(rel["published"]), dt.time(12),
                                        tzinfo=dt.UTC)
        stamp = int(published.timestamp())
        current = i == len(releases) - 1
        listing.append({
            "id": {"timestamp": stamp, "date": stamp * 1000},
            "name": rel["name"],
            "description": rel["description"],
            "title": rel["title"],
            "status": "current" if current else "archived",
            "releaseStartDate": _mdy(starts[i]),
            "releaseEndDate": None if current else _mdy(starts[i + 1] - dt.timedelta(days=1)),
        })
    writer.write("hts/releaseList.json",
                 json.dumps(listing[::-1], indent=2).encode("utf-8"))
    chapter99 = []
    for heading in scenario["chapter99"]:
        first = names.index(heading["in"])
        texts: list[str | None] = [None] * first + [heading["general"]] * (len(names) - first)
        for name, text in heading.get("changes", {}).items():
            for i in range(names.index(name), len(names)):
                texts[i] = text
        chapter99.append({**heading, "texts": texts})
    chapter99.sort(key=lambda h: h["htsno"])
    summary = {}
    for r, name in enumerate(names):
        found = records(catalogue, r, chapter99)
        raw = _jackson(found).encode("utf-8")
        writer.write(f"hts/{name}.json.gz", gzip.compress(raw, compresslevel=6, mtime=0))
        summary[name] = {
            "start": starts[r].isoformat(), "records": len(found),
            "hs8_lines": len({rec["htsno"][:10] for rec in found
                              if len(rec["htsno"]) in (10, 13) and rec["htsno"][:2] < "98"}),
        }
    return {"releases": summary, "hs8_lines": len(catalogue.lines),
            "hs10_lines": len(catalogue.stats)}
