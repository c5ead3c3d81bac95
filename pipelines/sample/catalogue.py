"""The sample's product catalogue: the rate lines (HS8) and statistical lines (HS10) that the
HTS exports list and the Census answers report, drawn from ``scenario.yaml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

CATEGORIES = (
    "general", "farm_exempt", "annex_ii", "wood", "auto", "auto_parts", "aircraft", "steel",
    "aluminum", "copper",
)
# HTS unit of quantity -> Census UNIT_QY1.
CENSUS_UNITS = {
    "No.": "NO", "kg": "KG", "t": "T", "liters": "L", "bbl": "BBL", "doz.": "DOZ",
    "prs.": "PRS", "m2": "M2", "m²": "M2", "m3": "M3", "g": "GM", "": "X",
}
# Unit of a specific rate part -> the Census unit its quantity must be in.
RATE_UNITS = {"kg": "KG", "liter": "L", "bbl": "BBL", "doz.": "DOZ", "each": "NO", "pr.": "PRS"}

_AD_VALOREM = re.compile(r"(\d+(?:\.\d+)?)%")
_SPECIFIC = re.compile(
    r"(?:\$(?P<dollars>\d+(?:\.\d+)?)|(?P<cents>\d+(?:\.\d+)?)¢)"
    r"(?:\s*/\s*(?P<unit>[A-Za-z.]+)|\s+(?P<each>each))"
)
_PROGRAMS = re.compile(r"(Free|\d+(?:\.\d+)?%)\s*\(([^)]*)\)")


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
