"""The ledger as tables for SQL (the ``staging.ledger_*`` tables and the audit's joins)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipelines.lib.paths import ledger_dir
from pipelines.lib.rules.ledger.loader import LedgerError, read_yaml, sectors
from pipelines.lib.rules.ledger.rule_language import parse_range, parse_rule, rule_bounds
from pipelines.lib.rules.ledger.schema import Instrument, Ledger


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
    rows = read_yaml(path)["conversions"]
    for row in rows:
        # an unquoted NO is YAML's boolean false: insist on strings
        if (set(row) != {"census", "hts", "factor"} or not isinstance(row["census"], str)
                or not isinstance(row["hts"], (str, int)) or not float(row["factor"]) > 0):
            raise LedgerError(f"ledger file {path}: bad conversion {row} (quote unit codes)")
    return pl.DataFrame([(r["census"], str(r["hts"]), float(r["factor"])) for r in rows],
                        orient="row", schema={"census_unit": pl.Utf8, "hts_unit": pl.Utf8,
                                              "factor": pl.Float64})

