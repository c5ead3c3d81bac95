"""Write the deterministic offline sample snapshot (SYNTHETIC data in the real sources' shape).

``generate(root)`` writes the snapshot layout of :mod:`pipelines.lib.sources.snapshot`:

```
root/hts/releaseList.json                         USITC releaseList answer
root/hts/<release>.json.gz                        one USITC JSON export per release
root/census/imports_hs/<YYYY-MM>/<request>.json   Census imports/hs answers (HS10)
root/census/exports_hs/<YYYY-MM>/<request>.json   Census exports/hs answers (Schedule B)
```

Everything data-like (catalogue, regimes per partner and date, noise) lives in
``scenario.yaml`` beside this module; this module holds the mechanics only. The output is a
pure function of that file: a fixed seed, no clock, no environment, so two runs write the same
bytes. The snapshot is built in a temporary directory beside ``root`` and renamed into place,
so an interrupted run never leaves half a snapshot.

Command line: ``python -m pipelines.sample.generate [ROOT]`` (default
``data_dir() / "sample_snapshot"``) prints the summary as JSON.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

SCENARIO_PATH = Path(__file__).with_name("scenario.yaml")

HTS_KEYS = (
    "htsno", "indent", "description", "superior", "units", "general", "special", "other",
    "footnotes", "quotaQuantity", "additionalDuties", "addiitionalDuties",
)
IMPORT_FIELDS = (
    "I_COMMODITY", "I_COMMODITY_LDESC", "I_COMMODITY_SDESC", "CTY_CODE", "CTY_NAME",
    "SUMMARY_LVL", "GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO", "CAL_DUT_MO", "CON_QY1_MO",
    "UNIT_QY1", "RP", "LAST_UPDATE", "time", "COMM_LVL",
)
# The API's chapter totals (COMM_LVL=HS2, no commodity predicate) against which the HS10 rows
# of a month are reconciled.
TOTAL_FIELDS = (
    "I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO",
    "CAL_DUT_MO", "time", "COMM_LVL",
)
EXPORT_FIELDS = (
    "E_COMMODITY", "E_COMMODITY_LDESC", "CTY_CODE", "CTY_NAME", "ALL_VAL_MO", "QTY_1_MO",
    "UNIT_QY1", "time", "COMM_LVL",
)
CATEGORIES = (
    "general", "farm_exempt", "annex_ii", "wood", "auto", "auto_parts", "aircraft", "steel",
    "aluminum", "copper",
)
# Rate provisions written by the sample (see DOMAIN.md section 3).
RATE_PROVISIONS = ("00", "10", "14", "61", "64", "69", "79")
RP_INDEX = {rp: i for i, rp in enumerate(RATE_PROVISIONS)}
# HTS unit of quantity -> Census UNIT_QY1.
CENSUS_UNITS = {
    "No.": "NO", "kg": "KG", "t": "T", "liters": "L", "bbl": "BBL", "doz.": "DOZ",
    "prs.": "PRS", "m2": "M2", "m²": "M2", "m3": "M3", "g": "GM", "": "X",
}
# Unit of a specific rate part -> the Census unit its quantity must be in.
RATE_UNITS = {"kg": "KG", "liter": "L", "bbl": "BBL", "doz.": "DOZ", "each": "NO", "pr.": "PRS"}
KIND_CODES = {"mfn": 0, "add": 1, "floor": 2, "set": 3}

_AD_VALOREM = re.compile(r"(\d+(?:\.\d+)?)%")
_SPECIFIC = re.compile(
    r"(?:\$(?P<dollars>\d+(?:\.\d+)?)|(?P<cents>\d+(?:\.\d+)?)¢)"
    r"(?:\s*/\s*(?P<unit>[A-Za-z.]+)|\s+(?P<each>each))"
)
_PROGRAMS = re.compile(r"(Free|\d+(?:\.\d+)?%)\s*\(([^)]*)\)")


# --------------------------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------------------------


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _month_start(period: str) -> dt.date:
    year, month = (int(x) for x in period.split("-"))
    return dt.date(year, month, 1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _months(first: str, last: str) -> list[str]:
    out, day, end = [], _month_start(first), _month_start(last)
    while day <= end:
        out.append(f"{day.year:04d}-{day.month:02d}")
        day = _next_month(day)
    return out


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


def _census_answer(header: tuple[str, ...], rows: list[str]) -> bytes:
    """A Census API answer: a JSON array of string arrays, one row a line.

    ``rows`` are already JSON-encoded arrays (see ``_import_rows``).
    """
    return ("[" + ",\n".join([json.dumps(list(header)), *rows]) + "]").encode("utf-8")


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:")


def mfn_terms(text: str) -> tuple[float, list[tuple[float, str]]] | None:
    """Ad valorem part and specific parts of a column-1 text; None when not computable."""
    cleaned = text.strip()
    if cleaned.lower().startswith("free"):
        return 0.0, []
    ad_valorem, specifics = 0.0, []
    for part in (p.strip() for p in cleaned.split(" + ")):
        match = _AD_VALOREM.fullmatch(part)
        if match:
            ad_valorem += float(match.group(1)) / 100
            continue
        match = _SPECIFIC.fullmatch(part)
        if match is None:
            return None
        amount = float(match["dollars"]) if match["dollars"] else float(match["cents"]) / 100
        specifics.append((amount, "each" if match["each"] else match["unit"]))
    return ad_valorem, specifics


def preference_rate(special: str, program: str) -> float | None:
    """Rate under a special program (``Free (…,JP,…)`` or ``3.2% (JP)``), None if not listed."""
    for rate, programs in _PROGRAMS.findall(special or ""):
        if program in (p.strip() for p in programs.split(",")):
            return 0.0 if rate == "Free" else float(rate[:-1]) / 100
    return None


# --------------------------------------------------------------------------------------------
# catalogue
# --------------------------------------------------------------------------------------------


@dataclass
class Line:
    """One rate line: an 8-digit subheading, or a 10-digit line carrying its own rate."""

    hs8: str                      # "8703.23.01"
    form: str                     # children | alone | own10
    chapter: str
    heading: str
    desc: str
    rates: list[str]              # column-1 text per release index ("" when absent)
    special: str
    other: str
    units: list[str]
    uv: float
    cat: str
    kids: list[tuple[str, str, int, int]]   # suffix, description, first, end release index
    first: int                    # first release index carrying the line
    end: int                      # release index from which it is gone
    named: bool
    jp_value: float = 0.0         # USD a month (named lines)
    values: dict[str, float] = field(default_factory=dict)
    ave: float | None = None
    jewels: float = 0.0
    lumpy: float | None = None
    footnote: str | None = None
    quota_blank: bool = False

    @property
    def digits(self) -> str:
        return self.hs8.replace(".", "")

    @property
    def census_unit(self) -> str:
        return CENSUS_UNITS[self.units[0]]


@dataclass
class Stat:
    """One 10-digit statistical line, the unit of the Census data."""

    hs10: str
    line: Line
    desc: str
    exists: np.ndarray            # bool per release
    ldesc: str = ""               # Census I_COMMODITY_LDESC / _SDESC
    sdesc: str = ""
    encoded: str = ""             # the three as JSON array items


class Catalogue:
    def __init__(self, scenario: dict, release_names: list[str]):
        self.scenario = scenario
        self.release_names = release_names
        self.release_index = {name: i for i, name in enumerate(release_names)}
        self.rng = np.random.default_rng([scenario["seed"], 1])
        self.lines: list[Line] = []
        self.hs6_desc: dict[str, str] = {}
        self.superior_headings: set[str] = set()
        self.heading_desc: dict[str, str] = {}
        for chapter, spec in scenario["chapters"].items():
            for heading, desc in spec["h"].items():
                if not heading.startswith(chapter):
                    raise ValueError(f"heading {heading} listed under chapter {chapter}")
                self.heading_desc[heading] = desc
        self._named()
        self._procedural()
        self.lines.sort(key=lambda line: line.hs8)
        self._check()
        self.stats = self._stats()

    # -- named lines ------------------------------------------------------------------------
    def _range(self, added: str | None, removed: str | None) -> tuple[int, int]:
        first = self.release_index[added] if added else 0
        end = self.release_index[removed] if removed else len(self.release_names)
        return first, end

    def _rates(self, base: str, changes: dict[str, str] | None) -> list[str]:
        rates = [base] * len(self.release_names)
        for name, text in sorted(
            (changes or {}).items(), key=lambda item: self.release_index[item[0]]
        ):
            for i in range(self.release_index[name], len(rates)):
                rates[i] = text
        return rates

    def _special(self, key: str) -> str:
        programs = self.scenario["special_programs"]
        if key == "std":
            return f"Free ({programs})"
        if key == "jp":
            listed = programs.split(",")
            listed.insert(listed.index("JO") + 1, "JP")
            return f"Free ({','.join(listed)})"
        return key

    def _named(self) -> None:
        for spec in self.scenario["named_lines"]:
            code = spec["hs"]
            own10 = len(code) == 13
            hs8 = code[:10]
            heading = hs8[:4]
            if heading not in self.heading_desc:
                raise ValueError(f"named line {code}: heading {heading} missing from chapters")
            kids = []
            for kid in spec.get("kids", []):
                added = kid[2] if len(kid) > 2 else None
                kids.append((kid[0], kid[1], *self._range(added, None)))
            first, end = self._range(spec.get("added_in"), spec.get("removed_in"))
            form = "own10" if own10 else ("children" if kids else "alone")
            self.lines.append(
                Line(
                    hs8=hs8, form=form, chapter=hs8[:2], heading=heading, desc=spec["desc"],
                    rates=self._rates(spec["rate"], spec.get("changes")),
                    special=self._special(spec.get("special", "")),
                    other=spec.get("other", ""), units=list(spec["units"]),
                    uv=float(spec["uv"]), cat=spec["cat"], kids=kids, first=first, end=end,
                    named=True, jp_value=float(spec.get("jp", 0)) * 1e6,
                    values={k: float(v) * 1e6 for k, v in spec.get("values", {}).items()},
                    ave=spec.get("ave"), jewels=float(spec.get("jewels", 0)),
                    lumpy=spec.get("lumpy"), footnote=spec.get("footnote"),
                )
            )

    # -- procedural lines -------------------------------------------------------------------
    def _procedural(self) -> None:
        rng, sc = self.rng, self.scenario
        taken = {line.hs8 for line in self.lines}
        subs = ["10", "20", "30", "40", "50", "60", "90", "11", "19", "21", "29", "91", "99"]
        tails = ["00", "10", "20", "30", "40", "50", "60", "80"]
        kid_suffixes = ["10", "20", "30", "40", "50", "60", "70", "80"]
        qualifiers, stat_q = sc["line_qualifiers"], sc["stat_qualifiers"]
        for chapter, spec in sc["chapters"].items():
            headings = sorted(spec.get("p", spec["h"]))
            for _ in range(int(spec["n"])):
                while True:
                    heading = headings[int(rng.integers(len(headings)))]
                    hs8 = (
                        f"{heading}.{subs[int(rng.integers(len(subs)))]}"
                        f".{tails[int(rng.integers(len(tails)))]}"
                    )
                    if hs8 not in taken:
                        break
                taken.add(hs8)
                rate = spec["r"][int(rng.integers(len(spec["r"])))]
                draw = rng.random()
                form = "children" if draw < 0.45 else ("alone" if draw < 0.55 else "own10")
                kids: list[tuple[str, str, int, int]] = []
                if form == "children":
                    count = int(rng.integers(2, 4))
                    picked = sorted(rng.choice(kid_suffixes[:-1], count - 1, replace=False))
                    for suffix in picked:
                        kids.append((str(suffix), stat_q[1 + int(rng.integers(len(stat_q) - 1))],
                                     0, len(self.release_names)))
                    kids.append(("90", "Other", 0, len(self.release_names)))
                if rate == "Free":
                    special = ""
                    other = ["Free", "25%", "35%"][int(rng.integers(3))]
                else:
                    jp = bool(spec.get("jp_pref")) and rng.random() < 0.4
                    special = self._special("jp" if jp else "std")
                    if jp and rng.random() < 0.3:   # a reduced JP rate instead of Free
                        terms = mfn_terms(rate)
                        if terms and terms[0] > 0 and not terms[1]:
                            special = (f"Free ({sc['special_programs']}) "
                                       f"{round(terms[0] * 50, 1):g}% (JP)")
                    other = ["35%", "40%", "45%", "50%"][int(rng.integers(4))]
                footnote = None
                if chapter in sc["footnote_chapters"] and rng.random() < 0.3:
                    footnote = sc["footnote_texts"][int(rng.integers(len(sc["footnote_texts"])))]
                cat = spec.get("hc", {}).get(heading, spec.get("cat", "general"))
                self.lines.append(
                    Line(
                        hs8=hs8, form=form, chapter=chapter, heading=heading,
                        desc=qualifiers[int(rng.integers(len(qualifiers)))],
                        rates=[rate] * len(self.release_names), special=special, other=other,
                        units=[spec["u"]], uv=float(spec["uv"]), cat=cat, kids=kids, first=0,
                        end=len(self.release_names), named=False, footnote=footnote,
                        quota_blank=chapter in ("02", "04", "17", "18", "24", "52"),
                    )
                )
        for line in self.lines:
            hs6 = line.hs8[:7]
            if hs6 not in self.hs6_desc:
                self.hs6_desc[hs6] = qualifiers[int(rng.integers(len(qualifiers)))] + ":"
            if line.heading not in self.superior_headings and rng.random() < 0.25:
                self.superior_headings.add(line.heading)
            if line.named and line.footnote is None and line.chapter in sc["footnote_chapters"]:
                if rng.random() < 0.3:
                    line.footnote = sc["footnote_texts"][0]

    def _check(self) -> None:
        sections = {spec["s"] for spec in self.scenario["chapters"].values()}
        covered = {self.scenario["chapters"][line.chapter]["s"] for line in self.lines}
        if covered != sections or len(sections) != 21:
            raise ValueError(f"catalogue covers sections {sorted(covered)} of {sorted(sections)}")
        for line in self.lines:
            if line.cat not in CATEGORIES:
                raise ValueError(f"{line.hs8}: unknown category {line.cat!r}")
            if line.units[0] not in CENSUS_UNITS:
                raise ValueError(f"{line.hs8}: unit {line.units[0]!r} has no Census unit")
            for text in set(line.rates):
                terms = mfn_terms(text)
                if terms is None:
                    if line.ave is None:
                        raise ValueError(f"{line.hs8}: {text!r} needs an `ave`")
                    continue
                for _, unit in terms[1]:
                    if unit == "jewel":
                        if line.census_unit != "NO" or not line.jewels:
                            raise ValueError(f"{line.hs8}: ¢/jewel needs units No. and jewels")
                    elif RATE_UNITS.get(unit) != line.census_unit:
                        raise ValueError(f"{line.hs8}: rate unit {unit} vs {line.census_unit}")

    def _stats(self) -> list[Stat]:
        n = len(self.release_names)
        releases = np.arange(n)
        stats = []
        for line in self.lines:
            live = (releases >= line.first) & (releases < line.end)
            if line.form == "children":
                for suffix, desc, first, end in line.kids:
                    exists = live & (releases >= first) & (releases < end)
                    stats.append(Stat(line.digits + suffix, line, desc, exists))
            else:
                stats.append(Stat(line.digits + "00", line, "", live))
        return stats

    # -- HTS export -------------------------------------------------------------------------
    def records(self, r: int, chapter99: list[dict]) -> list[dict]:
        """The records of release index ``r`` in export order."""
        out: list[dict] = []
        live = [line for line in self.lines if line.first <= r < line.end]
        by_heading: dict[str, list[Line]] = defaultdict(list)
        for line in live:
            by_heading[line.heading].append(line)
        for heading in sorted(by_heading):
            lines = by_heading[heading]
            out.append(_record(heading, "0", self.heading_desc[heading] + ":", footnotes=[],
                               quota="", additional=""))
            base = 1
            if heading in self.superior_headings:
                out.append(_record("", "1", "Other:", superior="true", footnotes=None))
                base = 2
            groups: dict[str, list[Line]] = defaultdict(list)
            for line in lines:
                groups[line.hs8[:7]].append(line)
            for hs6 in sorted(groups):
                members = groups[hs6]
                indent = base
                if len(members) > 1:
                    out.append(_record(hs6, str(base), self.hs6_desc[hs6], footnotes=[]))
                    indent = base + 1
                for line in members:
                    out.extend(self._line_records(line, r, indent))
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

    def _line_records(self, line: Line, r: int, indent: int) -> list[dict]:
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


# --------------------------------------------------------------------------------------------
# regimes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    start: dt.date
    kind: int
    rate: float
    chapter99: bool


def _steps(raw: list) -> list[Step]:
    out = []
    for item in raw:
        kind = item[1]
        if kind not in KIND_CODES:
            raise ValueError(f"unknown regime kind {kind!r} in {item}")
        rate = float(item[2]) if len(item) > 2 and item[2] is not None else 0.0
        heading = item[3] if len(item) > 3 else None
        out.append(Step(_date(item[0]), KIND_CODES[kind], rate, heading is not None))
    return sorted(out, key=lambda s: s.start)


def resolve_regimes(partner: dict, common: dict) -> dict[str, list[Step]]:
    """Each category's steps for one partner (see the comments in scenario.yaml)."""
    own = partner.get("regimes", {})
    resolved: dict[str, list[Step]] = {}

    def get(cat: str, depth: int = 0) -> list[Step]:
        if depth > 5:
            raise ValueError(f"regime fallback loop at {cat}")
        if cat in resolved:
            return resolved[cat]
        spec = own.get(cat, common.get(cat))
        if spec is None:
            if cat == "general":
                raise ValueError(f"partner {partner['code']} has no general regime")
            steps = get("general", depth + 1)
        elif isinstance(spec, dict):
            then = _steps(spec["then"])
            base = [s for s in get(spec["base"], depth + 1) if s.start < then[0].start]
            steps = base + then
        else:
            steps = _steps(spec)
        resolved[cat] = steps
        return steps

    return {cat: get(cat) for cat in CATEGORIES}


def _step_at(steps: list[Step], day: dt.date) -> Step:
    current = Step(dt.date.min, 0, 0.0, False)
    for step in steps:
        if step.start <= day:
            current = step
    return current


# --------------------------------------------------------------------------------------------
# Census imports
# --------------------------------------------------------------------------------------------


class Imports:
    def __init__(self, scenario: dict, catalogue: Catalogue, release_starts: list[dt.date]):
        self.sc = scenario
        self.cat = catalogue
        self.release_starts = release_starts
        self.months = _months(scenario["first_month"], scenario["last_month"])
        stats = catalogue.stats
        self.n = len(stats)
        nrel = len(release_starts)
        self.exists = np.array([s.exists for s in stats]).T            # release x stat
        self.cat_idx = np.array([CATEGORIES.index(s.line.cat) for s in stats])
        self.av = np.zeros((nrel, self.n))
        self.sp = np.zeros((nrel, self.n))
        self.computable = np.ones((nrel, self.n), dtype=bool)
        self.ave = np.array([s.line.ave or 0.0 for s in stats])
        for k, stat in enumerate(stats):
            line = stat.line
            for r in range(nrel):
                terms = mfn_terms(line.rates[r])
                if terms is None:
                    self.computable[r, k] = False
                    continue
                self.av[r, k] = terms[0]
                self.sp[r, k] = sum(
                    amount * (line.jewels if unit == "jewel" else 1.0) for amount, unit in terms[1]
                )
        self.uv = np.array([s.line.uv for s in stats])
        self.no_qty = np.array([s.line.census_unit == "X" for s in stats])
        self.chapters = np.array([s.line.chapter for s in stats])
        line_ids = {id(line): i for i, line in enumerate(catalogue.lines)}
        self.line_of = np.array([line_ids[id(s.line)] for s in stats])
        self.transit = scenario["transit"]
        self.transit_from = _date(self.transit["from"])
        self.transit_to = _date(self.transit["to"])

    # -- base values --------------------------------------------------------------------------
    def base_values(self, partner: dict, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Monthly base value per stat line (USD) and the Poisson rate of lumpy lines."""
        sc, stats = self.sc, self.cat.stats
        rng = np.random.default_rng([sc["seed"], 2, index])
        line_w = rng.lognormal(0.0, sc["noise"]["line_weight_sigma"], len(self.cat.lines))
        covered = rng.random(len(self.cat.lines)) < partner["coverage"]
        kid_w = rng.random(self.n) + 0.3
        share = np.zeros(self.n)
        for line_id in np.unique(self.line_of):
            members = self.line_of == line_id
            share[members] = kid_w[members] / kid_w[members].sum()
        base = np.zeros(self.n)
        code = partner["code"]
        is_japan = code == "5880"
        pools: dict[str, float] = {}
        if is_japan:
            pools = {ch: spec["jp"] * 1e6 for ch, spec in sc["chapters"].items()}
        else:
            factors = partner.get("chapter_factors", {})
            weights = {ch: spec["w"] * factors.get(ch, 1.0) for ch, spec in sc["chapters"].items()}
            total = sum(weights.values())
            pools = {ch: float(partner["value"]) * w / total for ch, w in weights.items()}
        in_pool = np.zeros(len(self.cat.lines), dtype=bool)
        for i, line in enumerate(self.cat.lines):
            if is_japan and line.named:
                continue
            if code in line.values:
                continue
            in_pool[i] = covered[i]
        for ch, pool in pools.items():
            members = np.array([in_pool[i] and line.chapter == ch
                                for i, line in enumerate(self.cat.lines)])
            if members.any():
                line_w_ch = np.where(members, line_w, 0.0)
                line_value = pool * line_w_ch / line_w_ch.sum()
                base += line_value[self.line_of] * share
        for i, line in enumerate(self.cat.lines):
            explicit = line.jp_value if is_japan and line.named else line.values.get(code)
            if explicit:
                members = self.line_of == i
                base[members] = explicit * share[members]
        lam = np.zeros(self.n)
        for k, stat in enumerate(stats):
            line = stat.line
            if is_japan and line.lumpy is not None:
                lam[k] = line.lumpy * share[k]
            elif line.uv >= 1e6 and base[k] > 0:
                lam[k] = base[k] / line.uv
        return base, lam

    # -- month segments -----------------------------------------------------------------------
    def segments(self, period: str, regimes: dict[str, list[Step]], transit: bool) -> list:
        start = _month_start(period)
        end = _next_month(start)
        cuts = {start}
        for steps in regimes.values():
            cuts.update(s.start for s in steps if start < s.start < end)
        cuts.update(d for d in self.release_starts if start < d < end)
        for d in (self.transit_from, self.transit_to + dt.timedelta(days=1)):
            if start < d < end:
                cuts.add(d)
        bounds = sorted(cuts) + [end]
        days = (end - start).days
        out = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            release = max(i for i, d in enumerate(self.release_starts) if d <= a) if (
                a >= self.release_starts[0]) else 0
            steps = {cat: _step_at(regimes[cat], a) for cat in CATEGORIES}
            in_transit = transit and self.transit_from <= a <= self.transit_to
            out.append(((b - a).days / days, release, steps, in_transit))
        return out

    def month_exists(self, period: str) -> np.ndarray:
        start = _month_start(period)
        end = _next_month(start)
        overlapping = [
            i for i, d in enumerate(self.release_starts)
            if d < end and (i + 1 == len(self.release_starts) or self.release_starts[i + 1] > start)
        ] or [0]
        return self.exists[overlapping].all(axis=0)

    # -- one partner --------------------------------------------------------------------------
    def partner_months(self, partner: dict, index: int, common: dict):
        """Yield (period, buckets) with integer arrays per rate provision for one partner."""
        sc = self.sc
        noise = sc["noise"]
        regimes = resolve_regimes(partner, common)
        base, lam = self.base_values(partner, index)
        rng = np.random.default_rng([sc["seed"], 3, index])
        pref = partner.get("preference")
        pref_rate = np.full(self.n, np.nan)
        if pref:
            for k, stat in enumerate(self.cat.stats):
                rate = preference_rate(stat.line.special, pref["program"])
                if rate is not None:
                    pref_rate[k] = rate
        has_pref = ~np.isnan(pref_rate)
        pref_rate = np.nan_to_num(pref_rate)
        ftz = partner.get("ftz", {"probability": 0.0, "share": [0.0, 0.0]})
        transit_on = partner["code"] in self.transit["partners"]
        transit_cats = np.isin(self.cat_idx, [CATEGORIES.index(c)
                                              for c in self.transit["categories"]])
        t_step = _steps([self.transit["step"]])[0]
        volume = partner.get("volume", [])
        small = base < noise["gap_below"]
        for period in self.months:
            month = int(period[5:])
            factor = np.ones(self.n)
            overall = 1.0
            per_cat: dict[str, float] = {}
            for when, value, cat in volume:
                if when <= period:
                    if cat is None:
                        overall = value
                    else:
                        per_cat[cat] = value
            for cat, value in per_cat.items():
                factor[self.cat_idx == CATEGORIES.index(cat)] = value
            factor *= overall * noise["seasonality"][month - 1]
            value = base * factor * rng.lognormal(0.0, noise["value_sigma"], self.n)
            units = rng.poisson(lam * factor)
            lumpy = lam > 0
            value[lumpy] = units[lumpy] * self.uv[lumpy] * rng.lognormal(0, 0.05, lumpy.sum())
            gaps = small & (rng.random(self.n) < noise["gap_probability"]) & ~lumpy
            value[gaps] = 0.0
            value[~self.month_exists(period)] = 0.0
            unit_value = self.uv * rng.lognormal(0.0, noise["unit_value_sigma"], self.n)
            qty = np.where(lumpy, units, value / unit_value)
            qty[self.no_qty] = 0.0
            ftz_on = rng.random(self.n) < ftz["probability"]
            ftz_share = np.where(ftz_on, rng.uniform(*ftz["share"], self.n), 0.0)
            pref_share = np.where(has_pref, pref["share"] if pref else 0.0, 0.0)
            yield period, self._buckets(
                period, value, qty, ftz_share, pref_share, pref_rate, regimes,
                transit_on, transit_cats, t_step, rng,
            )

    def _buckets(self, period, value, qty, ftz_share, pref_share, pref_rate, regimes,
                 transit_on, transit_cats, t_step, rng) -> dict[str, np.ndarray]:
        nb = len(RATE_PROVISIONS)
        val = np.zeros((nb, self.n))
        dut = np.zeros((nb, self.n))
        dval = np.zeros((nb, self.n))
        qy = np.zeros((nb, self.n))
        rest = 1.0 - ftz_share
        v_ftz, q_ftz = value * ftz_share, qty * ftz_share
        v_pref, q_pref = value * rest * pref_share, qty * rest * pref_share
        v_reg, q_reg = value * rest * (1 - pref_share), qty * rest * (1 - pref_share)
        val[RP_INDEX["00"]] += v_ftz
        qy[RP_INDEX["00"]] += q_ftz
        tshare = float(self.transit["share"].get(period, 0.0))
        cat_idx = self.cat_idx

        def add(rp_idx: np.ndarray, v: np.ndarray, q: np.ndarray, d: np.ndarray) -> None:
            cols = np.arange(self.n)
            np.add.at(val, (rp_idx, cols), v)
            np.add.at(qy, (rp_idx, cols), q)
            np.add.at(dut, (rp_idx, cols), d)
            np.add.at(dval, (rp_idx, cols), np.where(d > 0, v, 0.0))

        def duty(kind, rate, mfn, v):
            return np.select(
                [kind == 0, kind == 1, kind == 2],
                [mfn, mfn + rate * v, np.maximum(rate * v, mfn)],
                rate * v,
            )

        for weight, r, steps, in_transit in self.segments(period, regimes, transit_on):
            kind_tab = np.array([steps[c].kind for c in CATEGORIES])
            rate_tab = np.array([steps[c].rate for c in CATEGORIES])
            ch99_tab = np.array([steps[c].chapter99 for c in CATEGORIES])
            kind, rate, ch99 = kind_tab[cat_idx], rate_tab[cat_idx], ch99_tab[cat_idx]
            tau = np.where(transit_cats, tshare, 0.0) if in_transit else np.zeros(self.n)

            def mfn(v, q, r=r):
                return np.where(self.computable[r], self.av[r] * v + self.sp[r] * q, self.ave * v)

            # regular entries
            v = v_reg * weight * (1 - tau)
            q = q_reg * weight * (1 - tau)
            d = duty(kind, rate, mfn(v, q), v)
            positive = d > 1e-9
            rp = np.where(ch99, np.where(positive, RP_INDEX["69"], RP_INDEX["79"]),
                          np.where(positive, RP_INDEX["61"], RP_INDEX["10"]))
            add(rp, v, q, d)
            # goods in transit at the old rate
            if in_transit and tshare > 0:
                v = v_reg * weight * tau
                q = q_reg * weight * tau
                d = duty(np.full(self.n, t_step.kind), t_step.rate, mfn(v, q), v)
                rp = np.where(d > 1e-9, RP_INDEX["69"], RP_INDEX["79"])
                add(rp, v, q, d)
            # special-program claims: the preferential rate replaces m
            v = v_pref * weight
            q = q_pref * weight
            d = duty(kind, rate, pref_rate * v, v)
            rp = np.where(d > 1e-9, RP_INDEX["64"], RP_INDEX["14"])
            add(rp, v, q, d)

        val_i = np.rint(val)
        dut_i = np.minimum(np.rint(dut), val_i)
        dval_i = np.minimum(np.rint(dval), val_i)
        qty_i = np.rint(qy)
        premium = rng.uniform(*self.sc["noise"]["general_premium"], val.shape)
        gen_i = np.rint(val_i * (1 + premium))
        keep = val_i >= 1
        return {
            "gen": np.where(keep, gen_i, 0).astype(np.int64),
            "con": np.where(keep, val_i, 0).astype(np.int64),
            "dval": np.where(keep, dval_i, 0).astype(np.int64),
            "duty": np.where(keep, dut_i, 0).astype(np.int64),
            "qty": np.where(keep, qty_i, 0).astype(np.int64),
        }


def _last_update(scenario: dict, period: str) -> str:
    cfg = scenario["census_releases"]
    year = period[:4]
    if year in cfg["annual_revisions"]:
        return str(cfg["annual_revisions"][year])
    if period in cfg["delayed"]:
        return str(cfg["delayed"][period])
    day = _month_start(period)
    for _ in range(int(cfg["lag"])):
        day = _next_month(day)
    return day.replace(day=int(cfg["day"])).isoformat()


def _import_rows(buckets: dict[str, np.ndarray], stats: list[Stat], code: str, name: str,
                 level: str, period: str, updated: str) -> list[tuple[str, str]]:
    """(chapter, JSON-encoded row) pairs, sorted by commodity then rate provision."""
    nz_rp, nz_k = np.nonzero(buckets["con"])
    order = np.lexsort((nz_rp, nz_k))
    rps, ks = nz_rp[order], nz_k[order]
    columns = [buckets[key][rps, ks].tolist() for key in ("gen", "con", "dval", "duty", "qty")]
    middle = json.dumps([code, name, level])[1:-1]
    tail = json.dumps([updated, period, "HS10"])[1:-1]
    rows = []
    for rp, k, gen, con, dval, duty, qty in zip(rps.tolist(), ks.tolist(), *columns, strict=True):
        stat = stats[k]
        rows.append((stat.line.chapter,
                     f'[{stat.encoded}, {middle}, "{gen}", "{con}", "{dval}", "{duty}", "{qty}", '
                     f'"{stat.line.census_unit}", "{RATE_PROVISIONS[rp]}", {tail}]'))
    return rows


def _chapter_totals(buckets: dict[str, np.ndarray], stats: list[Stat], code: str, name: str,
                    period: str) -> list[str]:
    """The month's HS2 answer rows for one country: sums of its HS10 rows by chapter."""
    chapters = np.array([stat.line.chapter for stat in stats])
    names, index = np.unique(chapters, return_inverse=True)
    sums = {key: np.bincount(index, weights=buckets[key].sum(axis=0), minlength=len(names))
            for key in ("gen", "con", "dval", "duty")}
    rows = []
    for i, chapter in enumerate(names.tolist()):
        if sums["con"][i] > 0:
            values = [str(int(round(sums[key][i]))) for key in ("gen", "con", "dval", "duty")]
            rows.append(json.dumps([chapter, code, name, *values, period, "HS2"]))
    return rows


def _census_descriptions(catalogue: Catalogue) -> None:
    for stat in catalogue.stats:
        line = stat.line
        if line.named:
            parts = [line.desc]
        else:
            parts = [catalogue.heading_desc[line.heading], line.desc]
        if stat.desc:
            parts.append("NESOI" if stat.desc == "Other" else stat.desc)
        text = ", ".join(parts).upper().replace(":", "")
        stat.ldesc = _short(text, 150)
        stat.sdesc = _short(text, 50)
        stat.encoded = json.dumps([stat.hs10, stat.ldesc, stat.sdesc])[1:-1]


# --------------------------------------------------------------------------------------------
# Census exports
# --------------------------------------------------------------------------------------------


def _export_rows(scenario: dict, period: str, rng: np.random.Generator) -> list[list[str]]:
    rows = []
    month = int(period[5:])
    for item in scenario["exports"]:
        season = scenario["export_seasons"][item.get("season", "flat")][month - 1]
        uplift = 1.0
        for when, factor in item.get("uplift", []):
            if when <= period:
                uplift = factor
        if item.get("lumpy"):
            count = int(rng.poisson(item["lumpy"] * uplift))
            value = count * item["price"] * rng.lognormal(0.0, 0.08) if count else 0.0
            qty = count
        else:
            value = item["value"] * 1e6 * season * uplift * rng.lognormal(0.0, 0.12)
            price = item["price"] * rng.lognormal(0.0, 0.05)
            qty = 0 if item["unit"] == "X" else value / price
        rows.append([
            item["code"], item["desc"], "5880", "JAPAN", str(int(round(value))),
            str(int(round(qty))), item["unit"], period, "HS10",
        ])
    return rows


# --------------------------------------------------------------------------------------------
# the snapshot
# --------------------------------------------------------------------------------------------


def load_scenario(path: Path = SCENARIO_PATH) -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when available
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


class _Writer:
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
    writer = _Writer(root)
    releases = scenario["releases"]
    names = [r["name"] for r in releases]
    starts = [_date(r["start"]) for r in releases]
    catalogue = Catalogue(scenario, names)
    _census_descriptions(catalogue)
    summary: dict[str, Any] = {"root": str(root), "releases": {}}

    # HTS: releaseList (newest first) and one export per release
    listing = []
    for i, rel in enumerate(releases):
        published = dt.datetime.combine(_date(rel["published"]), dt.time(12),
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
    for r, name in enumerate(names):
        records = catalogue.records(r, chapter99)
        raw = _jackson(records).encode("utf-8")
        writer.write(f"hts/{name}.json.gz", gzip.compress(raw, compresslevel=6, mtime=0))
        summary["releases"][name] = {
            "start": starts[r].isoformat(), "records": len(records),
            "hs8_lines": len({rec["htsno"][:10] for rec in records
                              if len(rec["htsno"]) in (10, 13) and rec["htsno"][:2] < "98"}),
        }

    # Census imports: each partner, then the all-countries total
    imports = Imports(scenario, catalogue, starts)
    stats = catalogue.stats
    totals: dict[str, dict[str, np.ndarray]] = {}
    per_month: dict[str, list[tuple[str, str, list[tuple[str, str]]]]] = defaultdict(list)
    for index, partner in enumerate(scenario["partners"]):
        for period, buckets in imports.partner_months(partner, index, scenario["common_regimes"]):
            if period in totals:
                for key in buckets:
                    totals[period][key] = totals[period][key] + buckets[key]
            else:
                totals[period] = {key: arr.copy() for key, arr in buckets.items()}
            if partner["split"] == "none":
                continue
            rows = _import_rows(buckets, stats, partner["code"], partner["name"],
                                partner["summary_lvl"], period, _last_update(scenario, period))
            per_month[period].append((partner["split"], partner["code"], rows))
            writer.write(f"census/imports_hs/{period}/CTY_CODE={partner['code']}_COMM_LVL=HS2.json",
                         _census_answer(TOTAL_FIELDS, _chapter_totals(
                             buckets, stats, partner["code"], partner["name"], period)))
    world = scenario["all_countries"]
    import_rows = 0
    import_files_before = writer.files
    for period in imports.months:
        updated = _last_update(scenario, period)
        rows = _import_rows(totals[period], stats, world["code"], world["name"],
                            world["summary_lvl"], period, updated)
        per_month[period].append((world["split"], world["code"], rows))
        writer.write(f"census/imports_hs/{period}/CTY_CODE={world['code']}_COMM_LVL=HS2.json",
                     _census_answer(TOTAL_FIELDS, _chapter_totals(
                         totals[period], stats, world["code"], world["name"], period)))
        for split, code, partner_rows in per_month[period]:
            if not partner_rows:
                continue
            import_rows += len(partner_rows)
            if split in ("chapter", "digit"):
                width = 2 if split == "chapter" else 1
                parts: dict[str, list[str]] = defaultdict(list)
                for chapter, row in partner_rows:
                    parts[chapter[:width]].append(row)
                for prefix in sorted(parts):
                    writer.write(
                        f"census/imports_hs/{period}/CTY_CODE={code}_I_COMMODITY={prefix}.json",
                        _census_answer(IMPORT_FIELDS, parts[prefix]),
                    )
            else:
                writer.write(f"census/imports_hs/{period}/CTY_CODE={code}.json",
                             _census_answer(IMPORT_FIELDS, [r for _, r in partner_rows]))
    import_files = writer.files - import_files_before

    # Census exports to Japan
    export_rng = np.random.default_rng([scenario["seed"], 4])
    export_rows = 0
    for period in imports.months:
        rows = _export_rows(scenario, period, export_rng)
        export_rows += len(rows)
        writer.write(f"census/exports_hs/{period}/CTY_CODE=5880.json",
                     _census_answer(EXPORT_FIELDS, [json.dumps(row) for row in rows]))

    summary.update({
        "hs8_lines": len(catalogue.lines),
        "hs10_lines": len(stats),
        "months": len(imports.months),
        "import_files": import_files,
        "import_rows": import_rows,
        "export_files": len(imports.months),
        "export_rows": export_rows,
        "files": writer.files,
        "bytes": writer.bytes,
    })
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
        from pipelines.lib.sources.snapshot import data_dir

        root = data_dir() / "sample_snapshot"
    summary = generate(root)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
