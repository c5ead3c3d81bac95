"""The commitments and evidence ledger: the shipped files, and a clear refusal (file, entry,
field) of every kind of malformed entry."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from pipelines.lib.paths import LEDGER_DIR
from pipelines.lib.rules.commitments import (
    MEASURES,
    commitments_frame,
    evidence_frame,
    load_commitments,
    measure_files,
)
from pipelines.lib.rules.ledger.loader import LedgerError, load_ledger

# DOMAIN.md §1: Japan's commitments and the U.S. promises the issue names; §5: both sides'
# dependence on China for critical minerals (the summit's framework).
JAPAN = {"jp-investment-550bn", "jp-rice", "jp-agriculture-8bn", "jp-energy-7bn",
         "jp-aircraft-100", "jp-defense-17bn", "jp-auto-standards", "jp-critical-minerals",
         "jp-ev-subsidies"}
US = {"us-general-15", "us-autos-parts-15", "us-civil-aircraft", "us-wood-cap-15",
      "us-ag-exemptions", "us-pharma-semis", "us-quarterly-review", "us-critical-minerals"}


@pytest.fixture(scope="module")
def book():
    return load_commitments()


def test_the_shipped_ledger_has_every_commitment_of_both_sides(book):
    by_side = {side: {c.id for c in book.commitments if c.side == side} for side in ("japan", "us")}
    assert by_side == {"japan": JAPAN, "us": US}
    assert {c.measure for c in book.commitments} <= set(measure_files("measures"))
    assert set(MEASURES) <= set(measure_files("measures"))


def test_figures_come_from_the_ledger(book):
    rice = book.commitment("jp-rice")
    assert rice.target_amount() == pytest.approx(1.75 * 346_000)
    assert rice.products == ["1006"] and rice.unit == "t" and rice.sources == ["us_exports",
                                                                          "japan_imports"]
    investment = book.commitment("jp-investment-550bn")
    assert investment.target.amount == 550e9 and str(investment.target.deadline) == "2029-01-19"
    assert investment.thresholds["funding_days"] == 45
    frame = commitments_frame(book)
    assert frame.filter(frame["commitment_id"] == "jp-rice")["target_basis"].item() == (
        "1.75 x the stated baseline 346,000")


# Primary texts: the White House, Japan's Ministry of Finance, the Commerce Department. Evidence
# from anywhere else (news, trade press, aggregators) is never verified.
PRIMARY_SOURCES = ("https://www.whitehouse.gov/", "https://www.mof.go.jp/",
                   "https://www.commerce.gov/")


def test_only_evidence_from_a_primary_text_is_verified(book):
    assert book.evidence and evidence_frame(book).height == len(book.evidence)
    for entry in book.evidence:
        if not entry.source_url.startswith(PRIMARY_SOURCES):
            assert not entry.verified, entry.id
    assert any(e.verified for e in book.evidence)


def test_every_row_of_the_investment_announcements_is_in_the_evidence(book, shared_data):
    with open(shared_data / "reference" / "japan_investment_announcements.csv",
              encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    unmatched = list(book.evidence)
    for row in rows:
        amount = float(row["amount_usd_bn"]) * 1e9 if row["amount_usd_bn"] else None
        match = next(e for e in unmatched
                     if e.date.isoformat().startswith(row["event_date"])
                     and row["project"] in e.projects
                     and (e.amount_usd == pytest.approx(amount) if amount else
                          e.amount_usd is None))
        unmatched.remove(match)
        assert match.commitment == "jp-investment-550bn"
        # a row keeps its news source and quote (unverified) unless a primary text replaced it
        if match.source_url == row["source_url"]:
            assert match.quote == row["source_quote"] and not match.verified, match.id
        else:
            assert match.source_url.startswith(PRIMARY_SOURCES), match.id


def test_ledger_publication_dates_match_the_curated_federal_register_list(shared_data):
    """The curated list's federalregister.gov links carry each document's publication date
    (.../documents/YYYY/MM/DD/<number>/...); White House links have no document number."""
    listed = {}
    with open(shared_data / "reference" / "federal_register_sources.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if "federalregister.gov/documents/" in row["fr_link"]:
                y, m, d = row["fr_link"].split("/documents/")[1].split("/")[:3]
                listed[row["fr_number"]] = f"{y}-{m}-{d}"
    checked = 0
    for instrument in load_ledger().instruments:
        if instrument.fr_doc in listed:
            assert str(instrument.published_on) == listed[instrument.fr_doc], instrument.id
            checked += 1
    assert checked >= 8


# ----------------------------------------------------------------------------------- refusals


@pytest.fixture
def ledger_copy(tmp_path: Path) -> Path:
    target = tmp_path / "ledger"
    shutil.copytree(LEDGER_DIR, target)
    return target


def _edit(directory: Path, name: str, change) -> None:
    path = directory / name
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data[name.removesuffix(".yaml")])
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _entry(entries: list[dict], entry_id: str) -> dict:
    return next(e for e in entries if e["id"] == entry_id)


def _set(entry_id: str, **values):
    return lambda entries: _entry(entries, entry_id).update(values)


def _drop(entry_id: str, key: str):
    return lambda entries: _entry(entries, entry_id).pop(key)


def _swap(first: int, second: int):
    def change(entries: list[dict]) -> None:
        entries[first], entries[second] = entries[second], entries[first]
    return change


def _funded_then_selected(entries: list[dict]) -> None:
    selected = _entry(entries, "ev-2026-02-17-t1-total")
    entries.insert(entries.index(selected), {**selected, "id": "ev-t1-funded",
                                             "stage": "funded"})


COMMITMENT_CASES = [
    (_set("jp-rice", colour="red"), "jp-rice", "colour", "unknown field"),
    (_drop("jp-energy-7bn", "citation"), "jp-energy-7bn", "citation", "Field required"),
    (_set("jp-energy-7bn", citation="  "), "jp-energy-7bn", "citation", "at least 1"),
    (_set("jp-aircraft-100", target={"amount": 100, "per": "total", "deadline": "2025-01-01"}),
     "jp-aircraft-100", "target.deadline", "dates out of order"),
    (_set("jp-aircraft-100", target={"amount": 100, "per": "total", "over_baseline": True}),
     "jp-aircraft-100", "target.over_baseline", "needs per: year and a baseline"),
    (_set("jp-defense-17bn", note=None),
     "jp-defense-17bn", "note", "a monitored commitment says in its note why"),
    (_set("jp-rice", measure="guesswork"), "jp-rice", "measure", "unknown measure"),
    (_set("jp-rice", products=[]), "jp-rice", "products", "needs products"),
    (_set("jp-rice", products=["10.06"]), "jp-rice", "products.0", "pattern"),
    (_set("jp-rice", thresholds={}), "jp-rice", "thresholds", "behind_below_pace"),
    (_set("jp-rice", unit="bushel"), "jp-rice", "unit", "no Census conversion"),
    (_set("jp-rice", sources=["japan_mirror"]), "jp-rice", "sources", "unknown source"),
    (_set("us-general-15", instrument="eo-99999"), "us-general-15", "instrument",
     "unknown instrument"),
    (_set("us-general-15", categories=["toys"]), "us-general-15", "categories",
     "unknown product category"),
    (_set("us-general-15", provision="nowhere"), "us-general-15", "provision",
     "unknown provision"),
    (_set("jp-rice", start="2023-01-01"), "jp-rice", "baseline.period_start", "not before"),
    (_set("jp-rice", side="eu"), "jp-rice", "side", "Input should be"),
    (_set("jp-energy-7bn", id="jp-rice"), "jp-rice", "id", "duplicate"),
]


EVIDENCE_CASES = [
    (_set("ev-2025-09-mou", rumour=True), "ev-2025-09-mou", "rumour", "unknown field"),
    (_drop("ev-2026-02-17-t1-total", "source_url"), "ev-2026-02-17-t1-total", "source_url",
     "Field required"),
    (_set("ev-2026-02-17-t1-total", source_url="a newspaper"), "ev-2026-02-17-t1-total",
     "source_url", "pattern"),
    (_swap(2, 3), "ev-2025-09-mou", "date", "dates out of order"),
    (_funded_then_selected, "ev-2026-02-17-t1-total", "stage", "goes back from funded"),
    (_set("ev-2026-02-17-t1-total", stage="rumoured"), "ev-2026-02-17-t1-total", "stage",
     "is not one of"),
    (_set("ev-2026-02-17-t1-total", tranche=None), "ev-2026-02-17-t1-total", "tranche",
     "names its tranche"),
    (_set("ev-2026-02-17-t1-total", commitment="jp-tea"), "ev-2026-02-17-t1-total",
     "commitment", "unknown commitment"),
    (_set("ev-2026-02-17-t1-total", amount_usd=None), "ev-2026-02-17-t1-total", "amount_usd",
     "needs an amount"),
    (_set("ev-2026-02-17-t1-total", amount_usd=-36e9), "ev-2026-02-17-t1-total", "amount_usd",
     "greater than or equal"),
    (_set("ev-2026-03-19-t2-total", id="ev-2026-03-19-t2-gas"), "ev-2026-03-19-t2-gas", "id",
     "duplicate"),
]


CASES = ([("commitments.yaml", *case) for case in COMMITMENT_CASES]
         + [("evidence.yaml", *case) for case in EVIDENCE_CASES])


@pytest.mark.parametrize(("name", "change", "entry", "field", "message"), CASES)
def test_a_malformed_entry_is_refused_naming_file_entry_and_field(
        ledger_copy, name, change, entry, field, message):
    _edit(ledger_copy, name, change)
    with pytest.raises(LedgerError) as caught:
        load_commitments(ledger_copy)
    text = str(caught.value)
    assert str(ledger_copy / name) in text, text
    assert f"entry '{entry}'" in text and f"field '{field}'" in text and message in text, text


def test_a_file_with_another_top_level_key_is_refused(ledger_copy):
    path = ledger_copy / "evidence.yaml"
    path.write_text("events: []\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="one top-level key 'evidence'"):
        load_commitments(ledger_copy)
