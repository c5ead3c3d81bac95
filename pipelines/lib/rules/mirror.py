"""The ledger of the mirror statistics and the critical-minerals dependence, validated.

``minerals.yaml``: the framework of 28 Oct 2025, its pre-framework baseline, the codes of China
and Hong Kong in each importer's statistics and the mineral groups (HS prefixes, citations).
``mirror.yaml``: Japan Customs' country codes and quantity units, the code each side gives the
other, and the exchange-rate series with the minimum number of daily quotes a month needs.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated

import polars as pl
from pydantic import Field, StringConstraints, ValidationError, field_validator, model_validator

from pipelines.lib.paths import ledger_dir
from pipelines.lib.rules.ledger.loader import LedgerError, explain, read_yaml
from pipelines.lib.rules.ledger.schema import StrictModel

Hs6Prefix = Annotated[str, StringConstraints(pattern=r"^\d{2,6}$")]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
JapanCode = Annotated[str, StringConstraints(pattern=r"^[1-7]\d{2}$")]
CensusCode = Annotated[str, StringConstraints(pattern=r"^\d{4}$")]


class Framework(StrictModel):
    title: str
    signed_on: date
    citation: str = Field(min_length=1)
    url: str
    verified: bool
    baseline_from: Month
    baseline_to: Month

    @model_validator(mode="after")
    def _twelve_months_before(self) -> Framework:
        first, last = _month(self.baseline_from), _month(self.baseline_to)
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months != 12:
            raise ValueError(f"the baseline {self.baseline_from}..{self.baseline_to} is "
                             f"{months} months, not 12")
        if last >= self.signed_on.replace(day=1):
            raise ValueError("the baseline must end before the month the framework was signed")
        return self


class Partner(StrictModel):
    census: CensusCode
    japan: JapanCode
    citation: str = Field(min_length=1)
    url: str
    verified: bool


class MineralGroup(StrictModel):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    # international HS (6 digits at most): the same prefix selects U.S. HS10 and Japan HS9 lines
    prefixes: list[Hs6Prefix] = Field(min_length=1)
    citation: str = Field(min_length=1)
    url: str
    usgs_commodity: str | None = None
    verified: bool


class Minerals(StrictModel):
    framework: Framework
    partners: dict[str, Partner]
    groups: list[MineralGroup] = Field(min_length=1)

    @field_validator("partners")
    @classmethod
    def _china_and_hong_kong(cls, partners: dict[str, Partner]) -> dict[str, Partner]:
        if set(partners) != {"china", "hong_kong"}:
            raise ValueError(f"partners must be china and hong_kong, got {sorted(partners)}")
        return partners

    @field_validator("groups")
    @classmethod
    def _disjoint(cls, groups: list[MineralGroup]) -> list[MineralGroup]:
        seen: dict[str, str] = {}
        for group in groups:
            if group.id in seen.values():
                raise ValueError(f"group {group.id!r} is listed twice")
            for prefix in group.prefixes:
                for other, owner in seen.items():
                    if prefix.startswith(other) or other.startswith(prefix):
                        raise ValueError(f"prefix {prefix} of {group.id} overlaps {other} of "
                                         f"{owner}: a line would count in two groups")
                seen[prefix] = group.id
        return groups


class JapanCountry(StrictModel):
    code: JapanCode
    name: str = Field(min_length=1)
    verified: bool


class JapanUnit(StrictModel):
    japan: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]+$")]
    unit: str = Field(min_length=1)
    factor: float = Field(gt=0)
    verified: bool


class JapanCustoms(StrictModel):
    citation: str = Field(min_length=1)
    url: str
    united_states: JapanCode
    countries: list[JapanCountry] = Field(min_length=1)
    units: list[JapanUnit] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> JapanCustoms:
        codes = [c.code for c in self.countries]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"country codes listed twice: {duplicates}")
        if self.united_states not in codes:
            raise ValueError(f"united_states {self.united_states} is not in the country list")
        pairs = [(u.japan, u.unit) for u in self.units]
        duplicates = sorted({p for p in pairs if pairs.count(p) > 1})
        if duplicates:
            raise ValueError(f"unit conversions listed twice: {duplicates}")
        return self


class CensusSide(StrictModel):
    japan: CensusCode
    citation: str = Field(min_length=1)
    url: str


class FxSeries(StrictModel):
    series: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]+$")]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    label: str
    min_quotes: int = Field(ge=1, le=23)
    first_month: Month
    citation: str = Field(min_length=1)
    url: str
    verified: bool


class Mirror(StrictModel):
    japan_customs: JapanCustoms
    census: CensusSide
    fx: list[FxSeries] = Field(min_length=1)

    def fx_series(self, series: str) -> FxSeries:
        for item in self.fx:
            if item.series == series:
                return item
        raise LedgerError(f"mirror.yaml lists no exchange-rate series {series!r}")


def _month(value: str) -> date:
    return date.fromisoformat(f"{value}-01")


def _load(model, name: str, directory: Path | None):
    path = (directory or ledger_dir()) / name
    try:
        return model.model_validate(read_yaml(path))
    except ValidationError as exc:
        raise LedgerError(f"ledger file {path}: {explain(exc)}") from None


def load_minerals(directory: Path | None = None) -> Minerals:
    """``minerals.yaml``, validated (a ``LedgerError`` names the file and the entry)."""
    return _load(Minerals, "minerals.yaml", directory)


def load_mirror(directory: Path | None = None) -> Mirror:
    """``mirror.yaml``, validated (a ``LedgerError`` names the file and the entry)."""
    return _load(Mirror, "mirror.yaml", directory)


@cache
def minerals() -> Minerals:
    return load_minerals()


@cache
def mirror() -> Mirror:
    return load_mirror()


def mineral_groups_frame(book: Minerals) -> pl.DataFrame:
    """One row per (mineral group, HS prefix), with the group's citation."""
    rows = [(g.id, g.label, p, g.citation, g.url, g.usgs_commodity, g.verified)
            for g in book.groups for p in g.prefixes]
    return pl.DataFrame(rows, orient="row", schema={
        "mineral_group": pl.Utf8, "label": pl.Utf8, "prefix": pl.Utf8, "citation": pl.Utf8,
        "url": pl.Utf8, "usgs_commodity": pl.Utf8, "verified": pl.Boolean})


def japan_countries_frame(book: Mirror) -> pl.DataFrame:
    """Japan Customs' country codes with their names."""
    rows = [(c.code, c.name, c.verified) for c in book.japan_customs.countries]
    return pl.DataFrame(rows, orient="row", schema={
        "country_code": pl.Utf8, "country_name": pl.Utf8, "verified": pl.Boolean})


def japan_units_frame(book: Mirror) -> pl.DataFrame:
    """How many of a commitment's unit one of Japan Customs' quantity units holds."""
    rows = [(u.japan, u.unit, u.factor, u.verified) for u in book.japan_customs.units]
    return pl.DataFrame(rows, orient="row", schema={
        "japan_unit": pl.Utf8, "unit": pl.Utf8, "factor": pl.Float64, "verified": pl.Boolean})


def dependence_parameters(book: Minerals) -> dict:
    """The values the dependence mart binds: baseline months and partner codes."""
    china, hong_kong = book.partners["china"], book.partners["hong_kong"]
    return {
        "baseline_from": _month(book.framework.baseline_from),
        "baseline_to": _month(book.framework.baseline_to),
        "census_china": china.census, "census_hong_kong": hong_kong.census,
        "japan_china": china.japan, "japan_hong_kong": hong_kong.japan,
    }
