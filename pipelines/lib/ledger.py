"""The ledger: the agreement and the law as data (``pipelines/ledger/*.yaml``), validated."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import polars as pl
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

LEDGER_DIR = Path(__file__).resolve().parents[1] / "ledger"


class Sector(BaseModel):
    """A reporting sector: HS prefixes with their source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    prefixes: list[str] = Field(min_length=1)
    citation: str = Field(min_length=1)
    url: str
    coverage: Literal["exact", "approximate"]
    verified: bool

    @field_validator("prefixes")
    @classmethod
    def _digits(cls, prefixes: list[str]) -> list[str]:
        for prefix in prefixes:
            if not (prefix.isdigit() and 2 <= len(prefix) <= 10):
                raise ValueError(f"HS prefix {prefix!r} must be 2-10 digits")
        return prefixes


class Sectors(BaseModel):
    model_config = ConfigDict(extra="forbid")

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


@cache
def sectors(path: Path = LEDGER_DIR / "sectors.yaml") -> Sectors:
    """The validated sector ledger."""
    return Sectors.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def sector_prefixes() -> pl.DataFrame:
    """(prefix, sector) pairs for SQL joins (longest prefix wins)."""
    rows = [(p, s.id) for s in sectors().sectors for p in s.prefixes]
    return pl.DataFrame(rows, schema={"prefix": pl.Utf8, "sector": pl.Utf8}, orient="row")
