"""What the ledger says of one line on one day (the tests' and the CLI's answers; the marts ask
the same of SQL through the frames)."""

from __future__ import annotations

from datetime import date

from pipelines.lib.rules.ledger.loader import LedgerError
from pipelines.lib.rules.ledger.rule_language import apply_rule, parse_range
from pipelines.lib.rules.ledger.schema import Ledger, Regime, RegimeSet


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
