"""The ledger's schema: pydantic models that refuse unknown fields, regimes that overlap or
leave gaps, rules outside the closed vocabulary, references to unknown instruments or
categories, and entries without a citation."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from pipelines.lib.rules.ledger.rule_language import parse_rule


class StrictModel(BaseModel):
    """A ledger entry: unknown fields are refused, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Instrument(StrictModel):
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


class Rule(StrictModel):
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


class Regime(StrictModel):
    id: str
    from_: date = Field(alias="from")
    to: date | None
    label: str
    rules: dict[str, Rule]


class RegimeSet(StrictModel):
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


class ProductList(StrictModel):
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


class ListedCodes(StrictModel):
    """One line-level product list of product_lists.yaml."""

    source: str
    dropped: list[HsPrefix] = []
    codes: list[HsPrefix] = Field(min_length=1)


class ProductLists(StrictModel):
    lists: dict[str, ListedCodes]


class Categories(StrictModel):
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


class Sectors(StrictModel):
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


class Provision(StrictModel):
    id: str
    label: str
    headings: list[str] = Field(min_length=1)
    announced_on: date
    instrument: str
    legal_effective_on: date
    deployed_by: str | None = None
    verified: bool


class Provisions(StrictModel):
    provisions: list[Provision]


class AuditParameters(StrictModel):
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


class CoverageEntry(StrictModel):
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


class Chapter99(StrictModel):
    entries: list[CoverageEntry] = Field(min_length=1)


class Ledger(StrictModel):
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
