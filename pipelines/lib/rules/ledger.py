"""The ledger: the agreement and the law as data (``pipelines/ledger/*.yaml``), validated.

The loader refuses unknown fields, regimes that overlap or leave gaps, rules outside the closed
vocabulary, references to unknown instruments or categories, and entries without a citation.
Rules are interpreted by one function (:func:`apply_rule`), never ``eval``.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

import polars as pl
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from pipelines.lib.paths import ledger_dir

_RATE = r"(\d+(?:\.\d+)?)"
# Every rate in the ledger is a decimal (m + 0.10, max(0.15, m)); no rule of the law or the
# promise for Japan exceeds 0.50, so a rate above 1 (100 %) is a percent written as a number
# (m + 2.5 meant as 2.5 %) and is refused rather than read as 250 %.
MAX_RULE_RATE = 1.0
_RANGE = re.compile(r"^range\(\s*(?P<low>max\([^)]*\)|[^,]+?)\s*,\s*(?P<high>.+?)\s*\)$")
_RULES = (
    (re.compile(r"^m$"), "m"),
    (re.compile(r"^none$"), "none"),
    (re.compile(rf"^{_RATE}$"), "const"),
    (re.compile(rf"^m\s*\+\s*{_RATE}$"), "add"),
    (re.compile(rf"^max\(\s*{_RATE}\s*,\s*m\s*\)$"), "floor"),
)


class LedgerError(ValueError):
    """The ledger is invalid; the message names the file and the entry."""


def parse_range(rule: str) -> tuple[str, str] | None:
    """``"range(m, m + 0.25)"`` → ``("m", "m + 0.25")`` (low and high rule), else ``None``.

    A range rule is the statutory expectation of a quota (in-quota and over-quota rule) or of
    exceptions that trade statistics cannot see: a line conforms anywhere within it."""
    match = _RANGE.match(rule.strip())
    return (match.group("low"), match.group("high")) if match else None


def parse_rule(rule: str) -> tuple[str, float | None]:
    """``"max(0.15, m)"`` → ``("floor", 0.15)``. Kinds: m, none, const, add, floor. A range
    rule parses as its high bound (the rate owed without the quota or the exception)."""
    bounds = parse_range(rule)
    if bounds:
        low, high = (parse_rule(b) for b in bounds)
        if "none" in (low[0], high[0]):
            raise ValueError(f"range {rule!r} cannot have a bound 'none'")
        return high
    text = rule.strip()
    for pattern, kind in _RULES:
        match = pattern.match(text)
        if match:
            param = float(match.group(1)) if match.groups() else None
            if param is not None and not 0 <= param <= MAX_RULE_RATE:
                raise ValueError(
                    f"rate {match.group(1)} in rule {rule!r} would read as {param:.0%}: ledger "
                    f"rates are decimals (0.025 = 2.5 %); write {param / 100:g} if "
                    f"{match.group(1)} % was meant")
            return kind, param
    raise ValueError(
        f"unknown rule {rule!r}: use m, none, <rate>, m + <rate>, max(<rate>, m) or "
        "range(<rule>, <rule>)"
    )


def rule_bounds(rule: str) -> tuple[tuple[str, float | None], tuple[str, float | None]]:
    """(low, high) parses of a rule; both are the rule itself unless it is a range."""
    bounds = parse_range(rule)
    if bounds:
        return parse_rule(bounds[0]), parse_rule(bounds[1])
    parsed = parse_rule(rule)
    return parsed, parsed


# The one interpreter of the rule vocabulary: the audit's SQL calls it on every line, and
# apply_rule() below evaluates the same macro, so tests exercise the code the marts run.
RULE_MACRO = """
CREATE OR REPLACE TEMP MACRO apply_rule(kind, rate, m) AS
    CASE kind WHEN 'm' THEN m
              WHEN 'const' THEN rate
              WHEN 'add' THEN m + rate
              -- greatest() skips NULLs: an unknown m must stay unknown
              WHEN 'floor' THEN CASE WHEN m IS NOT NULL THEN greatest(rate, m) END END;
-- the column-1 rate m of a line at a unit value: the ad valorem rate, else the ad valorem
-- equivalent of its specific parts at quantity qty and customs value value (unit factors
-- from staging.ledger_units; NULL when a part does not convert or is levied on another basis)
CREATE OR REPLACE TEMP MACRO column1_ave(kind, ad_valorem, amount1, factor1, amount2, factor2,
                                         basis, qty, value) AS
    CASE WHEN kind IN ('free', 'ad_valorem') THEN ad_valorem
         WHEN kind IN ('specific', 'compound') AND basis IS NULL AND qty > 0
              AND factor1 IS NOT NULL AND (amount2 IS NULL OR factor2 IS NOT NULL)
         THEN coalesce(ad_valorem, 0)
              + (amount1 * qty * factor1 + coalesce(amount2 * qty * factor2, 0)) / value END
"""


def install_rule_macro(con) -> None:
    """Define ``apply_rule(kind, rate, m)`` and ``column1_ave(...)`` on a DuckDB connection."""
    con.execute(RULE_MACRO).fetchall()


@cache
def _rule_connection():
    import duckdb

    con = duckdb.connect()
    install_rule_macro(con)
    return con


def apply_rule(rule: str, m: float | None) -> float | None:
    """The all-in rate a rule gives for column-1 rate ``m`` (``None`` when unknown or no rule;
    the high bound of a range rule)."""
    kind, param = parse_rule(rule)
    con = _rule_connection()
    return con.execute("SELECT apply_rule(?, ?, ?::DOUBLE)", [kind, param, m]).fetchall()[0][0]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Instrument(_Strict):
    id: str
    title: str
    kind: Literal["executive_order", "proclamation", "notice", "csms", "court_decision",
                  "baseline"]
    authority: Literal["ieepa", "section_232", "section_122", "section_301", "mfn"]
    signed_on: date | None = None
    published_on: date | None = None
    effective_on: date | None = None
    ended_on: date | None = None
    fr_doc: str | None = None
    number: int | None = Field(default=None, gt=0)  # executive order or proclamation number
    citation: str | None = None
    # CBP Cargo Systems Messaging Service messages that put the instrument into practice
    csms: list[Annotated[str, StringConstraints(pattern=r"^\d{8}$")]] = []
    # the court decision (an instrument id) that voided the instrument's authority: from that
    # decision's effective_on, a promise the instrument carried rests on no law
    voided_by: str | None = None
    url: str
    note: str | None = None
    verified: bool

    @model_validator(mode="after")
    def _cited(self) -> Instrument:
        if not (self.citation or self.fr_doc):
            raise ValueError(f"instrument {self.id!r} has neither a citation nor an fr_doc")
        return self


class Rule(_Strict):
    rule: str
    heading: str | None = None
    low_heading: str | None = None
    instrument: str
    verified: bool
    exempt: bool = False
    as_filed: str | None = None
    # the duty the rule adds to column 1 rests on an authority later voided (IEEPA, Learning
    # Resources v. Trump) and is refundable; never a Section 232 rule or column 1 itself
    refundable: bool = False

    @field_validator("rule", "as_filed")
    @classmethod
    def _vocabulary(cls, value: str | None) -> str | None:
        if value is not None:
            parse_rule(value)
        return value

    @field_validator("heading", "low_heading")
    @classmethod
    def _heading(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"99\d\d\.\d\d\.\d\d", value):
            raise ValueError(f"heading {value!r} is not a Chapter 99 heading like 9903.02.73")
        return value


class Regime(_Strict):
    id: str
    from_: date = Field(alias="from")
    to: date | None
    label: str
    rules: dict[str, Rule]


class RegimeSet(_Strict):
    side: Literal["law", "agreement"]
    start: date
    regimes: list[Regime] = Field(min_length=1)

    @model_validator(mode="after")
    def _contiguous(self) -> RegimeSet:
        expected = self.start
        for i, regime in enumerate(self.regimes):
            if regime.to is not None and regime.to <= regime.from_:
                raise ValueError(f"regime {regime.id!r} ends ({regime.to}) before it starts")
            if regime.from_ < expected:
                raise ValueError(f"regime {regime.id!r} starting {regime.from_} overlaps the "
                                 f"previous regime (which runs to {expected})")
            if regime.from_ > expected:
                raise ValueError(f"gap before regime {regime.id!r}: nothing covers "
                                 f"{expected} to {regime.from_}")
            if regime.to is None and i != len(self.regimes) - 1:
                raise ValueError(f"regime {regime.id!r} is open-ended but is not the last")
            expected = regime.to
        if expected is not None:
            raise ValueError(f"the last regime ends on {expected}: the ledger must stay open")
        return self


HsPrefix = Annotated[str, StringConstraints(pattern=r"^\d{2,10}$")]


class ProductList(_Strict):
    """HS prefixes with their source (shared by categories and sectors)."""

    id: str
    label: str
    prefixes: list[HsPrefix] = Field(min_length=1)
    citation: str = Field(min_length=1)
    url: str
    coverage: Literal["exact", "approximate"]
    verified: bool


class Category(ProductList):
    """A product category: an instrument's product list (HS codes or, where the law itself is
    by heading, prefixes), in force on entry dates [from, to), reported in one sector.

    A regime may leave out the rule of a category that ``inherits`` another: it then takes the
    rule of that category (so a new list needs rules only where it differs)."""

    prefixes: list[HsPrefix] = []
    list_: str | None = Field(default=None, alias="list")
    exclude: list[HsPrefix] = []
    source: str
    from_: date | None = Field(default=None, alias="from")
    to: date | None = None
    inherits: str | None = None
    sector: str


class ListedCodes(_Strict):
    """One line-level product list of product_lists.yaml."""

    source: str
    dropped: list[HsPrefix] = []
    codes: list[HsPrefix] = Field(min_length=1)


class ProductLists(_Strict):
    lists: dict[str, ListedCodes]


class Categories(_Strict):
    precedence: list[str]
    general_sector: str = "other"
    categories: list[Category]

    @model_validator(mode="after")
    def _complete(self) -> Categories:
        ids = [c.id for c in self.categories]
        if self.precedence[-1:] != ["general"]:
            raise ValueError("precedence must end with 'general' (the catch-all)")
        if sorted(self.precedence[:-1]) != sorted(ids):
            raise ValueError(f"precedence {self.precedence} must list every category {ids} once")
        for c in self.categories:
            if not (c.prefixes or c.list_):
                raise ValueError(f"category {c.id!r} has neither prefixes nor a list")
            if c.inherits is not None and c.inherits not in self.precedence:
                raise ValueError(f"category {c.id!r} inherits unknown category {c.inherits!r}")
            if c.from_ and c.to and c.to <= c.from_:
                raise ValueError(f"category {c.id!r} ends ({c.to}) before it starts")
        return self

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def in_force(self, start: date, end: date | None) -> list[str]:
        """Categories whose dates overlap [start, end), general included."""
        return [c for c in self.precedence if c == "general" or _overlaps(
            self.category(c), start, end)]


def _overlaps(category: Category, start: date, end: date | None) -> bool:
    return ((category.from_ is None or end is None or category.from_ < end)
            and (category.to is None or start < category.to))


class Sector(ProductList):
    pass


class Sectors(_Strict):
    sectors: list[Sector]

    @field_validator("sectors")
    @classmethod
    def _unique(cls, sectors: list[Sector]) -> list[Sector]:
        seen: dict[str, str] = {}
        for sector in sectors:
            if sector.id in ("all", "other"):
                raise ValueError(f"sector id {sector.id!r} is reserved")
            for prefix in sector.prefixes:
                if prefix in seen:
                    raise ValueError(f"prefix {prefix} is in both {seen[prefix]} and {sector.id}")
                seen[prefix] = sector.id
        return sectors


class Provision(_Strict):
    id: str
    label: str
    headings: list[str] = Field(min_length=1)
    announced_on: date
    instrument: str
    legal_effective_on: date
    deployed_by: str | None = None
    verified: bool


class Provisions(_Strict):
    provisions: list[Provision]


class AuditParameters(_Strict):
    tolerance_rate: float = Field(ge=0, le=0.05)
    tolerance_usd: float = Field(ge=0)
    # a promise is kept when the collected rate is within this many points of the promised
    # rate (at_promise); below and above it the status says which way it missed
    promise_tolerance_rate: float = Field(default=0.005, ge=0, le=0.05)
    country_code: str
    weights_year: int = Field(default=2024, ge=2000, le=2100)
    daily_from: date = date(2025, 1, 1)
    # last day of the series; None: the end of the month of the last imports month or of the
    # last loaded release's start, whichever is later (so a rebuild gives the same table)
    daily_to: date | None = None

    @model_validator(mode="after")
    def _daily_span(self) -> AuditParameters:
        if self.daily_to is not None and self.daily_to < self.daily_from:
            raise ValueError(f"daily_to {self.daily_to} is before daily_from {self.daily_from}")
        return self


_HEADING_PATTERN = re.compile(
    r"^(?P<lo>99\d\d(?:\.\d\d){0,2})(?:-(?P<hi>99\d\d\.\d\d\.\d\d))?$")


class CoverageEntry(_Strict):
    """Chapter 99 headings accounted for: modelled by ledger rules, not applicable to products
    of Japan, or known not to be modelled (with the reason)."""

    headings: list[str] = Field(min_length=1)
    status: Literal["modelled", "not_applicable", "not_modelled"]
    modelled_by: list[str] = []
    applies_to_japan: bool | None = None
    reason: str = Field(min_length=10)
    citation: str = Field(min_length=1)
    url: str
    verified: bool

    @field_validator("headings")
    @classmethod
    def _patterns(cls, values: list[str]) -> list[str]:
        for value in values:
            match = _HEADING_PATTERN.match(value)
            if not match or (match.group("hi") and (len(match.group("lo")) != 10
                                                    or match.group("hi") < match.group("lo"))):
                raise ValueError(f"{value!r} is not a heading (9903.02.73), a range "
                                 "(9903.01.43-9903.01.52) or a prefix (9902, 9903.88)")
        return values

    @model_validator(mode="after")
    def _consistent(self) -> CoverageEntry:
        if (self.status == "modelled") != bool(self.modelled_by):
            raise ValueError(f"entry {self.headings}: modelled_by is required for, and only "
                             "for, status modelled")
        if self.status == "not_applicable" and self.applies_to_japan:
            raise ValueError(f"entry {self.headings}: a heading that applies to Japan cannot be "
                             "not_applicable")
        return self


class Chapter99(_Strict):
    entries: list[CoverageEntry] = Field(min_length=1)


class Ledger(_Strict):
    """The whole ledger, cross-checked: rules name known instruments and every category."""

    # when the ledger's facts were last checked against their sources (instruments.yaml)
    as_of: date
    instruments: list[Instrument]
    law: RegimeSet
    agreement: RegimeSet
    categories: Categories
    audit: AuditParameters
    provisions: Provisions
    chapter99: Chapter99
    product_lists: ProductLists

    @model_validator(mode="after")
    def _references(self) -> Ledger:
        known = {i.id for i in self.instruments}
        if len(known) != len(self.instruments):
            ids = [i.id for i in self.instruments]
            raise ValueError(f"duplicate instrument ids in instruments.yaml: "
                             f"{sorted({i for i in ids if ids.count(i) > 1})}")
        for instrument in self.instruments:
            if instrument.voided_by is not None:
                ruling = next((i for i in self.instruments if i.id == instrument.voided_by), None)
                if ruling is None or ruling.kind != "court_decision" or ruling.effective_on is None:
                    raise ValueError(f"instrument {instrument.id!r}: voided_by "
                                     f"{instrument.voided_by!r} is not a court decision with an "
                                     "effective_on date in instruments.yaml")
        for provision in self.provisions.provisions:
            for ref in (provision.instrument, provision.deployed_by):
                if ref is not None and ref not in known:
                    raise ValueError(f"provision {provision.id!r}: unknown instrument {ref!r}")
        for c in self.categories.categories:
            if c.list_ is not None and c.list_ not in self.product_lists.lists:
                raise ValueError(f"category {c.id!r}: unknown product list {c.list_!r}")
        boundaries = {r.from_ for r in self.law.regimes} | {r.to for r in self.law.regimes}
        for c in self.categories.categories:
            for day in (c.from_, c.to):
                if day is not None and day not in boundaries:
                    raise ValueError(f"category {c.id!r}: {day} is not the start of a law "
                                     "regime (a list may change only where the law does)")
        for regime_set in (self.law, self.agreement):
            for regime in regime_set.regimes:
                needed = set(self.categories.in_force(regime.from_, regime.to))
                extra = set(regime.rules) - set(self.categories.precedence)
                missing = {c for c in needed if self.rule(regime, c) is None}
                if missing or extra:
                    raise ValueError(f"{regime_set.side} regime {regime.id!r}: categories "
                                     f"missing {sorted(missing)}, unknown {sorted(extra)}")
                for category, rule in regime.rules.items():
                    if rule.instrument not in known:
                        raise ValueError(f"{regime_set.side} regime {regime.id!r}, {category}: "
                                         f"unknown instrument {rule.instrument!r}")
                    if regime_set.side == "law":
                        self._check_refundable(regime, category, rule)
        carried = {h for rs in (self.law, self.agreement) for r in rs.regimes
                   for rule in r.rules.values() for h in (rule.heading, rule.low_heading) if h}
        for entry in self.chapter99.entries:
            unknown = set(entry.modelled_by) - carried
            if unknown:
                raise ValueError(f"chapter99 entry {entry.headings}: modelled_by "
                                 f"{sorted(unknown)} is the heading of no ledger rule")
        return self

    def instrument(self, instrument_id: str) -> Instrument:
        return next(i for i in self.instruments if i.id == instrument_id)

    def voided_on(self, instrument: Instrument) -> date | None:
        """The first entry date on which ``instrument`` no longer has legal force because a
        court voided it (the ruling's effective_on); ``None`` when it was not voided."""
        if instrument.voided_by is None:
            return None
        return self.instrument(instrument.voided_by).effective_on

    def _check_refundable(self, regime: Regime, category: str, rule: Rule) -> None:
        """A law rule is refundable exactly when the duty it adds to column 1 rests on an
        instrument a court voided: IEEPA duties after Learning Resources v. Trump are; Section
        232 duties and column 1 never are. No regime may use a voided instrument to add duty
        on or after the day the ruling took effect."""
        instrument = self.instrument(rule.instrument)
        adds_duty = not rule.exempt and parse_rule(rule.rule)[0] not in ("m", "none")
        voided_on = self.voided_on(instrument)
        where = f"law regime {regime.id!r}, {category}"
        if rule.refundable and voided_on is None:
            raise ValueError(f"{where}: refundable, but its instrument {instrument.id!r} was "
                             "not voided (refundable marks duties whose authority a court voided)")
        if voided_on is not None and adds_duty:
            if not rule.refundable:
                raise ValueError(f"{where}: the duty of {rule.rule!r} rests on {instrument.id!r}, "
                                 f"voided by {instrument.voided_by!r}: mark it refundable: true")
            if regime.to is None or regime.to > voided_on:
                raise ValueError(f"{where}: {instrument.id!r} adds duty after {voided_on}, "
                                 f"when {instrument.voided_by!r} voided it")

    def codes(self, category: Category) -> list[str]:
        """A category's codes: its prefixes and the codes of its product list."""
        listed = self.product_lists.lists[category.list_].codes if category.list_ else []
        return list(dict.fromkeys([*category.prefixes, *listed]))

    def rule(self, regime: Regime, category: str) -> Rule | None:
        """The rule of ``category`` in ``regime``: its own, else that of the category it
        inherits (transitively)."""
        seen = set()
        while category is not None and category not in seen:
            if category in regime.rules:
                return regime.rules[category]
            seen.add(category)
            found = self.categories.category(category)
            category = found.inherits if found else None
        return None


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML's safe loader (libyaml's when PyYAML has it: the ledger is read by every step),
    except that a date that does not exist (2025-02-30) stays text, so validation names the
    file, the entry and the field instead of PyYAML failing with a bare 'day is out of range
    for month'."""


def _timestamp_or_text(loader: _Loader, node: yaml.ScalarNode):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _read(path: Path) -> dict:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise LedgerError(f"ledger file {path}: {exc}") from None


def load_ledger(directory: Path | None = None) -> Ledger:
    """Read and validate the ledger in ``directory`` (default :func:`ledger_dir`);
    ``LedgerError`` names the file and the entry."""
    directory = directory or ledger_dir()
    files = {"instruments": "instruments.yaml", "law": "regimes_japan.yaml",
             "agreement": "agreement_japan.yaml", "categories": "categories.yaml",
             "audit": "audit.yaml", "provisions": "provisions.yaml",
             "chapter99": "chapter99.yaml", "product_lists": "product_lists.yaml"}
    parts = {}
    for key, name in files.items():
        data = _read(directory / name)
        if key == "instruments":
            if not isinstance(data, dict) or "instruments" not in data or "as_of" not in data:
                raise LedgerError(f"ledger file {directory / name}: expected the keys as_of "
                                  "(when the facts were last checked) and instruments")
            parts["as_of"] = data["as_of"]
        parts[key] = data["instruments"] if key == "instruments" else data
        try:
            # Validate file by file first so the error names the file at fault.
            if key == "instruments":
                first: dict[str, int] = {}
                for i, item in enumerate(parts[key]):
                    try:
                        instrument = Instrument.model_validate(item)
                    except ValidationError as exc:
                        raise LedgerError(f"ledger file {directory / name}: "
                                          f"{_explain(exc, data, ('instruments', i))}") from None
                    if instrument.id in first:
                        raise LedgerError(
                            f"ledger file {directory / name}: instruments.{i}: duplicate "
                            f"instrument id {instrument.id!r} (entry instruments."
                            f"{first[instrument.id]} has it too): give each instrument its own "
                            "id, or merge the two entries")
                    first[instrument.id] = i
            else:
                Ledger.model_fields[key].annotation.model_validate(parts[key])
        except ValidationError as exc:
            raise LedgerError(f"ledger file {directory / name}: {_explain(exc, data)}") from None
    try:
        return Ledger.model_validate(parts)
    except ValidationError as exc:
        raise LedgerError(f"ledger in {directory}: {_explain(exc)}") from None


def _explain(exc: ValidationError, data: object = None, prefix: tuple = ()) -> str:
    """``<path>: <message>`` of the first error, naming the entry (its ``id`` or ``name``) and
    the value at fault when the path leads into ``data``."""
    first = exc.errors()[0]
    loc = (*prefix, *first["loc"])
    where = ".".join(str(p) for p in loc)
    entry, node = None, data
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            break
        if isinstance(node, dict) and isinstance(node.get("id") or node.get("name"), str):
            entry = node.get("id") or node.get("name")
    named = f" (entry {entry!r})" if entry else ""
    value = first.get("input")
    shown = f" (value {value!r})" if isinstance(value, str | int | float) else ""
    return (f"{where}{named}: {first['msg']}{shown}" if where else first["msg"])


@cache
def ledger() -> Ledger:
    """The project's validated ledger (cached)."""
    return load_ledger()


def sectors(path: Path | None = None) -> Sectors:
    """The validated sector ledger of ``marts.effective_rates_monthly``."""
    path = path or ledger_dir() / "sectors.yaml"
    try:
        return Sectors.model_validate(_read(path))
    except ValidationError as exc:
        raise LedgerError(f"ledger file {path}: {_explain(exc)}") from None


def sector_prefixes() -> pl.DataFrame:
    """(prefix, sector) pairs for SQL joins (longest prefix wins)."""
    rows = [(p, s.id) for s in sectors().sectors for p in s.prefixes]
    return pl.DataFrame(rows, schema={"prefix": pl.Utf8, "sector": pl.Utf8}, orient="row")


def rules_frame(book: Ledger) -> pl.DataFrame:
    """One row per (side, regime, category in force): dates, parsed rule (its high bound, and
    the low bound of a range rule), heading, instrument, flags. Inherited rules are filled in."""
    rows = []
    for regime_set in (book.law, book.agreement):
        for regime in regime_set.regimes:
            for category in book.categories.in_force(regime.from_, regime.to):
                rule = book.rule(regime, category)
                (low_kind, low_param), (kind, param) = rule_bounds(rule.rule)
                filed_kind, filed_param = parse_rule(rule.as_filed) if rule.as_filed else (
                    None, None)
                instrument = book.instrument(rule.instrument)
                ranged = parse_range(rule.rule) is not None
                rows.append({
                    "side": regime_set.side, "regime_id": regime.id,
                    "valid_from": regime.from_, "valid_to": regime.to, "label": regime.label,
                    "category": category, "rule": rule.rule, "rule_kind": kind,
                    "rule_rate": param, "as_filed": rule.as_filed, "filed_kind": filed_kind,
                    "filed_rate": filed_param, "heading": rule.heading,
                    "instrument_id": rule.instrument, "authority": instrument.authority,
                    "exempt": rule.exempt, "refundable": rule.refundable,
                    "verified": rule.verified and instrument.verified,
                    "low_kind": low_kind if ranged else None,
                    "low_rate": low_param if ranged else None,
                    "low_heading": rule.low_heading,
                })
    return pl.DataFrame(rows, schema={
        "side": pl.Utf8, "regime_id": pl.Utf8, "valid_from": pl.Date, "valid_to": pl.Date,
        "label": pl.Utf8, "category": pl.Utf8, "rule": pl.Utf8, "rule_kind": pl.Utf8,
        "rule_rate": pl.Float64, "as_filed": pl.Utf8, "filed_kind": pl.Utf8,
        "filed_rate": pl.Float64, "heading": pl.Utf8, "instrument_id": pl.Utf8,
        "authority": pl.Utf8, "exempt": pl.Boolean, "refundable": pl.Boolean,
        "verified": pl.Boolean, "low_kind": pl.Utf8, "low_rate": pl.Float64,
        "low_heading": pl.Utf8})


def category_prefixes(book: Ledger) -> pl.DataFrame:
    """(category, precedence, prefix, is_exclusion, valid_from, valid_to) rows for SQL."""
    order = {c: i for i, c in enumerate(book.categories.precedence)}
    rows = []
    for c in book.categories.categories:
        rows += [(c.id, order[c.id], p, False, c.from_, c.to) for p in book.codes(c)]
        rows += [(c.id, order[c.id], p, True, c.from_, c.to) for p in c.exclude]
    return pl.DataFrame(rows, orient="row", schema={
        "category": pl.Utf8, "precedence": pl.Int32, "prefix": pl.Utf8, "excluded": pl.Boolean,
        "valid_from": pl.Date, "valid_to": pl.Date})


def category_sectors(book: Ledger) -> pl.DataFrame:
    """The published mapping from audit categories to the report sectors of sectors.yaml."""
    known = {s.id for s in sectors().sectors} | {"other"}
    rows = [("general", "Everything no product list claims", book.categories.general_sector,
             None, None, "none", True)]
    rows += [(c.id, c.label, c.sector, c.from_, c.to, c.coverage, c.verified)
             for c in book.categories.categories]
    unknown = {r[2] for r in rows} - known
    if unknown:
        raise LedgerError(f"categories.yaml: sectors {sorted(unknown)} are not in sectors.yaml")
    return pl.DataFrame(rows, orient="row", schema={
        "category": pl.Utf8, "label": pl.Utf8, "sector": pl.Utf8, "valid_from": pl.Date,
        "valid_to": pl.Date, "coverage": pl.Utf8, "verified": pl.Boolean})


def chapter99_frame(book: Ledger) -> pl.DataFrame:
    """One row per heading pattern of chapter99.yaml: [heading_from, heading_to] is the range
    of 10-character headings it covers (a prefix covers everything that starts with it), with
    the entry's order, status and reason."""
    rows = []
    for order, entry in enumerate(book.chapter99.entries):
        for pattern in entry.headings:
            lo, _, hi = pattern.partition("-")
            rows.append((order, pattern, lo, hi or lo, len(lo) < 10, entry.status,
                         ", ".join(entry.modelled_by) or None, entry.applies_to_japan,
                         entry.reason, entry.citation, entry.url, entry.verified))
    return pl.DataFrame(rows, orient="row", schema={
        "entry": pl.Int32, "pattern": pl.Utf8, "heading_from": pl.Utf8, "heading_to": pl.Utf8,
        "is_prefix": pl.Boolean, "status": pl.Utf8, "modelled_by": pl.Utf8,
        "applies_to_japan": pl.Boolean, "reason": pl.Utf8, "citation": pl.Utf8, "url": pl.Utf8,
        "verified": pl.Boolean})


def instruments_frame(book: Ledger) -> pl.DataFrame:
    fields = list(Instrument.model_fields)
    return pl.DataFrame([i.model_dump() for i in book.instruments], schema={
        f: (pl.Date if f.endswith("_on") else pl.Boolean if f == "verified"
            else pl.Int64 if f == "number" else pl.List(pl.Utf8) if f == "csms" else pl.Utf8)
        for f in fields})


def about_frame(book: Ledger) -> pl.DataFrame:
    """The ledger's one row of facts about itself (``staging.ledger_about``)."""
    return pl.DataFrame({"as_of": [book.as_of]}, schema={"as_of": pl.Date})


def provisions_frame(book: Ledger) -> pl.DataFrame:
    """One row per (provision, heading) with the instrument's dates."""
    rows = []
    for p in book.provisions.provisions:
        law = book.instrument(p.instrument)
        deployed = book.instrument(p.deployed_by) if p.deployed_by else None
        for heading in p.headings:
            rows.append({
                "provision": p.id, "label": p.label, "heading": heading,
                "announced_on": p.announced_on, "instrument_id": p.instrument,
                "signed_on": law.signed_on, "published_on": law.published_on,
                "legal_effective_on": p.legal_effective_on,
                "deployed_on": deployed.published_on if deployed else None,
                "verified": p.verified and law.verified})
    return pl.DataFrame(rows, schema={
        "provision": pl.Utf8, "label": pl.Utf8, "heading": pl.Utf8, "announced_on": pl.Date,
        "instrument_id": pl.Utf8, "signed_on": pl.Date, "published_on": pl.Date,
        "legal_effective_on": pl.Date, "deployed_on": pl.Date, "verified": pl.Boolean})


def units_frame(path: Path | None = None) -> pl.DataFrame:
    """Census quantity unit → HTS specific-rate unit conversion factors."""
    path = path or ledger_dir() / "units.yaml"
    rows = _read(path)["conversions"]
    for row in rows:
        # an unquoted NO is YAML's boolean false: insist on strings
        if (set(row) != {"census", "hts", "factor"} or not isinstance(row["census"], str)
                or not isinstance(row["hts"], (str, int)) or not float(row["factor"]) > 0):
            raise LedgerError(f"ledger file {path}: bad conversion {row} (quote unit codes)")
    return pl.DataFrame([(r["census"], str(r["hts"]), float(r["factor"])) for r in rows],
                        orient="row", schema={"census_unit": pl.Utf8, "hts_unit": pl.Utf8,
                                              "factor": pl.Float64})


def regime_on(regime_set: RegimeSet, day: date) -> Regime:
    """The regime in force on ``day`` (entry date)."""
    for regime in regime_set.regimes:
        if regime.from_ <= day and (regime.to is None or day < regime.to):
            return regime
    raise LedgerError(f"no {regime_set.side} regime covers {day}")


def rates_on(book: Ledger, category: str, m: float | None, day: date) -> dict:
    """What the ledger says for a line of ``category`` with column-1 rate ``m`` entered on
    ``day``: the statutory rate, the rate entries were filed at, and the agreement rate."""
    law = book.rule(regime_on(book.law, day), category)
    deal = book.rule(regime_on(book.agreement, day), category)
    low, _ = parse_range(law.rule) or (law.rule, None)
    return {
        "statutory": apply_rule(law.rule, m),
        "statutory_low": apply_rule(low, m),
        "as_filed": apply_rule(law.as_filed, m) if law.as_filed else apply_rule(law.rule, m),
        "agreement": apply_rule(deal.rule, m),
        "heading": law.heading,
        "verified": law.verified and book.instrument(law.instrument).verified,
    }


def category_of(book: Ledger, hs10: str, day: date) -> str:
    """The category of a line entered on ``day`` (as the line audit's SQL resolves it): the first
    category in precedence order whose list is in force on the law regime's start and claims
    the line, else general."""
    start = regime_on(book.law, day).from_
    for category_id in book.categories.precedence[:-1]:
        c = book.categories.category(category_id)
        if not ((c.from_ is None or c.from_ <= start) and (c.to is None or start < c.to)):
            continue
        if any(hs10.startswith(p) for p in book.codes(c)) and not any(
                hs10.startswith(x) for x in c.exclude):
            return category_id
    return "general"
