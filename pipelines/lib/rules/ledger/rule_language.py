"""The ledger's rule vocabulary (m, none, <rate>, m + <rate>, max(<rate>, m), range(...)) and
its one interpreter, a SQL macro (:func:`apply_rule` evaluates it too), never ``eval``."""

from __future__ import annotations

import re
from functools import cache

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

