"""Parse HTS rate text ("Free", "2.5%", "10.5¢/bbl", "0.8¢ each + 5.4%") into numbers.

The schedule carries a few hundred distinct rate texts across ~12,000 lines per release, so the
parser runs once per *distinct* text (``parse_rates``) and the result is joined back to the lines
in SQL: the data path has no per-row Python loop.

What a text means:
- ``free``: ``Free`` (also ``Free, under bond, ...``).
- ``ad_valorem``: one ``N%`` part; ``ad_valorem`` = N / 100.
- ``specific``: one or two ``amount/unit`` or ``amount each`` parts (amount in U.S. dollars),
  possibly on a stated basis (``8.6¢/kg on drained weight``: ``specific_basis``), which an
  ad valorem equivalent must take into account.
- ``compound``: an ad valorem part plus one or two specific parts.
- ``other``: anything whose duty cannot be computed from the text alone (parts qualified by
  "on the case", "on drained weight", "less ... per degree", references to other articles, ...).
  The text is kept; nothing is dropped.

Chapter 99 headings say what they do to the subheading's duty (``parse_chapter99``):
``+ 15%`` adds a rate on top (``add``), ``15%`` sets an all-in rate (``set``), and
``The duty provided in the applicable subheading`` keeps it (``keep``).
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass

import polars as pl

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_NUMBER = r"(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)"
_AD_VALOREM = re.compile(rf"^{_NUMBER}\s*%$")
# "10.5¢/bbl", "$1.035/kg", "38.4¢/1000", "18.9¢/pf.liter", "20.6¢/clean kg", "0.8¢ each",
# optionally on a stated basis: "8.6¢/kg on drained weight", "1.7¢/kg on lead content"
_SPECIFIC = re.compile(
    rf"^(?:\$\s*{_NUMBER}|{_NUMBER}\s*¢)\s*"
    r"(?:/\s*(?P<unit>clean kg|pf\. ?liter|[A-Za-z][A-Za-z0-9.]*|\d+)|\s+(?P<each>each))"
    r"(?:\s+(?:on|of)\s+(?P<basis>drained weight|total sugars|contents and container"
    r"|entire contents of container|(?:\w+ )?\w+ content))?$"
)
_FREE = re.compile(r"^free\b", re.IGNORECASE)
_KEEP = "the duty provided in the applicable subheading"

RATE_KINDS = ("free", "ad_valorem", "specific", "compound", "other")


@dataclass(frozen=True)
class Rate:
    """The parse of one column-1 rate text. Rates are decimals: 0.025 for 2.5 %."""

    rate_kind: str
    ad_valorem: float | None = None
    specific_amount: float | None = None
    specific_unit: str | None = None
    specific_amount_2: float | None = None
    specific_unit_2: str | None = None
    specific_basis: str | None = None
    specific_basis_2: str | None = None


def clean(text: str | None) -> str:
    """Strip USITC's stray HTML (``<sup>2</sup>``, ``<u></u>``) and collapse white space."""
    if text is None:
        return ""
    return _SPACE.sub(" ", _TAG.sub("", html.unescape(text))).strip()


def _number(token: str) -> float:
    return float(token.replace(",", ""))


def _specific(part: str) -> tuple[float, str, str | None] | None:
    match = _SPECIFIC.match(part)
    if match is None:
        return None
    dollars, cents = match.group(1), match.group(2)
    amount = _number(dollars) if dollars is not None else _number(cents) / 100
    unit = "each" if match.group("each") else match.group("unit").replace(". ", ".")
    return round(amount, 10), unit, match.group("basis")


def parse_rate(text: str | None) -> Rate:
    """Parse one column-1 rate text (see the module docstring for the kinds)."""
    cleaned = clean(text)
    if not cleaned:
        return Rate("other")
    if _FREE.match(cleaned):
        return Rate("free", ad_valorem=0.0)
    ad_valorem: float | None = None
    specifics: list[tuple[float, str]] = []
    for part in (p.strip() for p in cleaned.split("+")):
        av = _AD_VALOREM.match(part)
        if av is not None:
            if ad_valorem is not None:  # two ad valorem parts apply to different value bases
                return Rate("other")
            ad_valorem = round(_number(av.group(1)) / 100, 10)
            continue
        spec = _specific(part)
        if spec is None or len(specifics) == 2:
            return Rate("other")
        specifics.append(spec)
    if not specifics:
        return Rate("ad_valorem", ad_valorem=ad_valorem)
    first, second = specifics[0], specifics[1] if len(specifics) > 1 else (None, None, None)
    return Rate(
        "compound" if ad_valorem is not None else "specific",
        ad_valorem=ad_valorem,
        specific_amount=first[0],
        specific_unit=first[1],
        specific_amount_2=second[0],
        specific_unit_2=second[1],
        specific_basis=first[2],
        specific_basis_2=second[2],
    )


RATE_SCHEMA = {
    "rate_text": pl.Utf8,
    "rate_kind": pl.Utf8,
    "ad_valorem": pl.Float64,
    "specific_amount": pl.Float64,
    "specific_unit": pl.Utf8,
    "specific_amount_2": pl.Float64,
    "specific_unit_2": pl.Utf8,
    "specific_basis": pl.Utf8,
    "specific_basis_2": pl.Utf8,
}


def parse_rates(texts: pl.Series | list[str]) -> pl.DataFrame:
    """Parse each distinct text once; one row per distinct input text (``rate_text``)."""
    distinct = pl.Series("rate_text", texts, dtype=pl.Utf8).drop_nulls().unique().sort()
    rows = [{"rate_text": t, **asdict(parse_rate(t))} for t in distinct.to_list()]
    return pl.DataFrame(rows, schema=RATE_SCHEMA)


@dataclass(frozen=True)
class Chapter99Effect:
    """What a Chapter 99 heading's column-1 text does to the subheading's duty.

    ``effect``: ``add`` (rate on top of the subheading's duty), ``set`` (all-in rate),
    ``keep`` (the subheading's duty applies), ``free``, or ``other``.
    """

    effect: str
    ad_valorem: float | None = None
    specific_amount: float | None = None
    specific_unit: str | None = None


CHAPTER99_SCHEMA = {
    "rate_text": pl.Utf8,
    "effect": pl.Utf8,
    "ad_valorem": pl.Float64,
    "specific_amount": pl.Float64,
    "specific_unit": pl.Utf8,
}


_CH99_VARIANTS = (
    (re.compile(r"\bprovided for in\b"), "provided in"),
    (re.compile(r"\binthe\b"), "in the"),
    (re.compile(r"\s+plus\s+"), " + "),
    (re.compile(r"\s*\+\s*a duty of\s+"), " + "),
)


def parse_chapter99(text: str | None) -> Chapter99Effect:
    """Parse a Chapter 99 heading's general text into its effect on the subheading's duty."""
    lowered = clean(text).lower().rstrip(".").strip()
    for pattern, replacement in _CH99_VARIANTS:
        lowered = pattern.sub(replacement, lowered)
    if lowered in ("no change", _KEEP):
        return Chapter99Effect("keep")
    if lowered.startswith(_KEEP):
        rest = lowered[len(_KEEP):].strip()
        if not rest:
            return Chapter99Effect("keep")
        if rest.startswith("+"):
            added = parse_rate(rest[1:].strip())
            if added.rate_kind in ("ad_valorem", "specific") and added.specific_amount_2 is None:
                return Chapter99Effect(
                    "add", added.ad_valorem, added.specific_amount, added.specific_unit
                )
        return Chapter99Effect("other")
    rate = parse_rate(lowered)
    if rate.rate_kind == "free":
        return Chapter99Effect("free", 0.0)
    if rate.rate_kind == "ad_valorem":
        return Chapter99Effect("set", rate.ad_valorem)
    if rate.rate_kind == "specific" and rate.specific_amount_2 is None:
        return Chapter99Effect("set", None, rate.specific_amount, rate.specific_unit)
    return Chapter99Effect("other")


def parse_chapter99_texts(texts: pl.Series | list[str]) -> pl.DataFrame:
    """Parse each distinct Chapter 99 text once (``rate_text`` → effect columns)."""
    distinct = pl.Series("rate_text", texts, dtype=pl.Utf8).drop_nulls().unique().sort()
    rows = [{"rate_text": t, **asdict(parse_chapter99(t))} for t in distinct.to_list()]
    return pl.DataFrame(rows, schema=CHAPTER99_SCHEMA)
