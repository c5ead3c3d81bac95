"""The ledger: the agreement and the law as data (``pipelines/ledger/*.yaml``), validated.

The loader refuses unknown fields, regimes that overlap or leave gaps, rules outside the closed
vocabulary, references to unknown instruments or categories, and entries without a citation.
Rules are interpreted by one function (:func:`apply_rule`), never ``eval``.
"""

from __future__ import annotations

import os
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

LEDGER_DIR = Path(__file__).resolve().parents[2] / "ledger"


def ledger_dir() -> Path:
    """``TARIFF_AUDIT_LEDGER_DIR`` (a reviewed copy of the ledger) or the bundled one."""
    return Path(os.environ.get("TARIFF_AUDIT_LEDGER_DIR", LEDGER_DIR))
_RATE = r"(\d+(?:\.\d+)?)"
_RULES = (
    (re.compile(r"^m$"), "m"),
    (re.compile(r"^none$"), "none"),
    (re.compile(rf"^{_RATE}$"), "const"),
    (re.compile(rf"^m\s*\+\s*{_RATE}$"), "add"),
    (re.compile(rf"^max\(\s*{_RATE}\s*,\s*m\s*\)$"), "floor"),
)


class LedgerError(ValueError):
    """The ledger is invalid; the message names the file and the entry."""


def parse_rule(rule: str) -> tuple[str, float | None]:
    """``"max(0.15, m)"`` → ``("floor", 0.15)``. Kinds: m, none, const, add, floor."""
    text = rule.strip()
    for pattern, kind in _RULES:
        match = pattern.match(text)
        if match:
            param = float(match.group(1)) if match.groups() else None
            if param is not None and not 0 <= param <= 3:
                raise ValueError(f"rate {param} in rule {rule!r} is outside [0, 3]")
            return kind, param
    raise ValueError(
        f"unknown rule {rule!r}: use m, none, <rate>, m + <rate> or max(<rate>, m)"
    )


# The one interpreter of the rule vocabulary: the audit's SQL calls it on every line, and
# apply_rule() below evaluates the same macro, so tests exercise the code the marts run.
RULE_MACRO = """
CREATE OR REPLACE TEMP MACRO apply_rule(kind, rate, m) AS
    CASE kind WHEN 'm' THEN m
              WHEN 'const' THEN rate
              WHEN 'add' THEN m + rate
              -- greatest() skips NULLs: an unknown m must stay unknown
              WHEN 'floor' THEN CASE WHEN m IS NOT NULL THEN greatest(rate, m) END END
"""


def install_rule_macro(con) -> None:
    """Define ``apply_rule(kind, rate, m)`` on a DuckDB connection."""
    con.execute(RULE_MACRO).fetchall()


@cache
def _rule_connection():
    import duckdb

    con = duckdb.connect()
    install_rule_macro(con)
    return con


def apply_rule(rule: str, m: float | None) -> float | None:
    """The all-in rate a rule gives for column-1 rate ``m`` (``None`` when unknown or no rule)."""
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
    instrument: str
    verified: bool
    exempt: bool = False
    as_filed: str | None = None
    refundable: bool = False

    @field_validator("rule", "as_filed")
    @classmethod
    def _vocabulary(cls, value: str | None) -> str | None:
        if value is not None:
            parse_rule(value)
        return value

    @field_validator("heading")
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
    exclude: list[HsPrefix] = []
    source: str


class Categories(_Strict):
    precedence: list[str]
    categories: list[Category]

    @model_validator(mode="after")
    def _complete(self) -> Categories:
        ids = [c.id for c in self.categories]
        if self.precedence[-1:] != ["general"]:
            raise ValueError("precedence must end with 'general' (the catch-all)")
        if sorted(self.precedence[:-1]) != sorted(ids):
            raise ValueError(f"precedence {self.precedence} must list every category {ids} once")
        return self


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
    country_code: str


class Ledger(_Strict):
    """The whole ledger, cross-checked: rules name known instruments and every category."""

    instruments: list[Instrument]
    law: RegimeSet
    agreement: RegimeSet
    categories: Categories
    audit: AuditParameters
    provisions: Provisions

    @model_validator(mode="after")
    def _references(self) -> Ledger:
        known = {i.id for i in self.instruments}
        if len(known) != len(self.instruments):
            raise ValueError("duplicate instrument ids")
        for provision in self.provisions.provisions:
            for ref in (provision.instrument, provision.deployed_by):
                if ref is not None and ref not in known:
                    raise ValueError(f"provision {provision.id!r}: unknown instrument {ref!r}")
        needed = set(self.categories.precedence)
        for regime_set in (self.law, self.agreement):
            for regime in regime_set.regimes:
                missing = needed - set(regime.rules)
                extra = set(regime.rules) - needed
                if missing or extra:
                    raise ValueError(f"{regime_set.side} regime {regime.id!r}: categories "
                                     f"missing {sorted(missing)}, unknown {sorted(extra)}")
                for category, rule in regime.rules.items():
                    if rule.instrument not in known:
                        raise ValueError(f"{regime_set.side} regime {regime.id!r}, {category}: "
                                         f"unknown instrument {rule.instrument!r}")
        return self

    def instrument(self, instrument_id: str) -> Instrument:
        return next(i for i in self.instruments if i.id == instrument_id)


def _read(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LedgerError(f"ledger file {path}: {exc}") from None


def load_ledger(directory: Path | None = None) -> Ledger:
    """Read and validate the ledger in ``directory`` (default :func:`ledger_dir`);
    ``LedgerError`` names the file and the entry."""
    directory = directory or ledger_dir()
    files = {"instruments": "instruments.yaml", "law": "regimes_japan.yaml",
             "agreement": "agreement_japan.yaml", "categories": "categories.yaml",
             "audit": "audit.yaml", "provisions": "provisions.yaml"}
    parts = {}
    for key, name in files.items():
        data = _read(directory / name)
        parts[key] = data["instruments"] if key == "instruments" else data
        try:
            # Validate file by file first so the error names the file at fault.
            if key == "instruments":
                for item in parts[key]:
                    Instrument.model_validate(item)
            else:
                Ledger.model_fields[key].annotation.model_validate(parts[key])
        except ValidationError as exc:
            raise LedgerError(f"ledger file {directory / name}: {_explain(exc)}") from None
    try:
        return Ledger.model_validate(parts)
    except ValidationError as exc:
        raise LedgerError(f"ledger in {directory}: {_explain(exc)}") from None


def _explain(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


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
    """One row per (side, regime, category): dates, parsed rule, heading, instrument, flags."""
    rows = []
    for regime_set in (book.law, book.agreement):
        for regime in regime_set.regimes:
            for category, rule in regime.rules.items():
                kind, param = parse_rule(rule.rule)
                filed_kind, filed_param = parse_rule(rule.as_filed) if rule.as_filed else (
                    None, None)
                instrument = book.instrument(rule.instrument)
                rows.append({
                    "side": regime_set.side, "regime_id": regime.id,
                    "valid_from": regime.from_, "valid_to": regime.to, "label": regime.label,
                    "category": category, "rule": rule.rule, "rule_kind": kind,
                    "rule_rate": param, "as_filed": rule.as_filed, "filed_kind": filed_kind,
                    "filed_rate": filed_param, "heading": rule.heading,
                    "instrument_id": rule.instrument, "authority": instrument.authority,
                    "exempt": rule.exempt, "refundable": rule.refundable,
                    "verified": rule.verified and instrument.verified,
                })
    return pl.DataFrame(rows, schema={
        "side": pl.Utf8, "regime_id": pl.Utf8, "valid_from": pl.Date, "valid_to": pl.Date,
        "label": pl.Utf8, "category": pl.Utf8, "rule": pl.Utf8, "rule_kind": pl.Utf8,
        "rule_rate": pl.Float64, "as_filed": pl.Utf8, "filed_kind": pl.Utf8,
        "filed_rate": pl.Float64, "heading": pl.Utf8, "instrument_id": pl.Utf8,
        "authority": pl.Utf8, "exempt": pl.Boolean, "refundable": pl.Boolean,
        "verified": pl.Boolean})


def category_prefixes(book: Ledger) -> pl.DataFrame:
    """(category, precedence, prefix, is_exclusion) rows for SQL."""
    order = {c: i for i, c in enumerate(book.categories.precedence)}
    rows = [(c.id, order[c.id], p, False) for c in book.categories.categories for p in c.prefixes]
    rows += [(c.id, order[c.id], p, True) for c in book.categories.categories for p in c.exclude]
    return pl.DataFrame(rows, orient="row", schema={
        "category": pl.Utf8, "precedence": pl.Int32, "prefix": pl.Utf8, "excluded": pl.Boolean})


def instruments_frame(book: Ledger) -> pl.DataFrame:
    fields = list(Instrument.model_fields)
    return pl.DataFrame([i.model_dump() for i in book.instruments], schema={
        f: (pl.Date if f.endswith("_on") else pl.Boolean if f == "verified"
            else pl.Int64 if f == "number" else pl.Utf8)
        for f in fields})


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
    law = regime_on(book.law, day).rules[category]
    deal = regime_on(book.agreement, day).rules[category]
    return {
        "statutory": apply_rule(law.rule, m),
        "as_filed": apply_rule(law.as_filed, m) if law.as_filed else apply_rule(law.rule, m),
        "agreement": apply_rule(deal.rule, m),
        "heading": law.heading,
        "verified": law.verified and book.instrument(law.instrument).verified,
    }
