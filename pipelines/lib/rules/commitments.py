"""Both sides' commitments and the dated evidence behind them, validated
(``pipelines/ledger/commitments.yaml`` and ``evidence.yaml``).

The loader refuses unknown fields, entries without a citation or a source, figures that do not
fit their measure (a purchase commitment without products, a total target without a deadline),
references to unknown instruments, provisions, categories or units, dates out of order and
investment stages that go back. Every error names the file, the entry and the field.

A commitment's ``measure`` says how the scorecard judges it: each measure is one SQL file
``sql/marts/scorecard/<measure>.sql``, and each source of purchase figures one file
``sql/marts/commitment_sources/<source>.sql`` (see :func:`measure_files`). :data:`MEASURES`
lists what the loader requires of the measures it knows; a measure with a SQL file but no entry
there is accepted as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
import polars as pl
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from pipelines.lib.paths import ledger_dir, sql_dir
from pipelines.lib.rules.ledger.frames import units_frame
from pipelines.lib.rules.ledger.loader import LedgerError, load_ledger, read_yaml
from pipelines.lib.rules.ledger.schema import StrictModel
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.sql_files import statement
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import cleaning_up

SCORECARD_DIR = "marts/scorecard"
SOURCES_DIR = "marts/commitment_sources"
# The scorecard's one status vocabulary (docs/SCORECARD.md says which rule gives each):
#   kept / broken   a cap or a deadline met or not (a tariff promise is a cap)
#   late            a deadline missed and then met
#   on_track / behind  an amount per year or by a date against its pro-rata
#   pending         nothing is due yet
#   monitored       no agreed numeric target: the indicator and its trend, never a verdict
#   not_measurable  a target exists but no data here can show it
STATUSES = ("kept", "broken", "late", "on_track", "behind", "pending", "monitored",
            "not_measurable")


@dataclass(frozen=True)
class Measure:
    """What a measure needs from a commitment: fields, thresholds and evidence stages (in the
    order a tranche goes through them; stages outside ``ordered`` carry no order)."""

    fields: tuple[str, ...] = ()
    thresholds: tuple[str, ...] = ()
    stages: tuple[str, ...] = ("announced", "in_progress", "implemented", "withdrawn")
    ordered: tuple[str, ...] = ()


MEASURES = {
    "purchases": Measure(fields=("sources", "products", "target"),
                         thresholds=("behind_below_pace",)),
    "investment": Measure(fields=("target",), thresholds=("funding_days",),
                          stages=("pledge", "mou", "statement", "candidate", "selected",
                                  "funded"),
                          ordered=("candidate", "selected", "funded")),
    "us_line_audit": Measure(fields=("categories",), thresholds=("kept_share",)),
    "ledger_only": Measure(),
    "minerals_dependence": Measure(thresholds=("window_months",)),
}

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
HsPrefix = Annotated[str, StringConstraints(pattern=r"^\d{2,10}$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Target(StrictModel):
    """``amount`` (or ``baseline_factor`` x the stated baseline) per year, or in total by
    ``deadline`` (a total without a deadline is counted, never due); judged against its pro-rata
    from the commitment's start. ``over_baseline``: the amount is incremental, on top of the
    same months of the baseline year."""

    amount: float | None = Field(default=None, gt=0)
    baseline_factor: float | None = Field(default=None, gt=0)
    per: Literal["year", "total"]
    deadline: date | None = None
    over_baseline: bool = False
    path: Literal["linear"] = "linear"


class Baseline(StrictModel):
    definition: Text
    period_start: date
    stated_amount: float | None = Field(default=None, gt=0)


class Commitment(StrictModel):
    id: Slug
    side: Literal["japan", "us"]
    title: Text
    description: Text
    measure: Kind
    metric: Literal["value_usd", "quantity", "value_share", "none"]
    unit: Text
    sources: list[Kind] = []
    products: list[HsPrefix] = []
    categories: list[Kind] = []
    provision: Slug | None = None
    start: date
    target: Target | None = None
    baseline: Baseline | None = None
    thresholds: dict[Kind, float] = {}
    # no agreed numeric target: the scorecard shows the indicator and its trend as `monitored`,
    # never a status of progress (the note says why)
    monitored: bool = False
    # the words of the commitment, quoted from its citation
    words: Text | None = None
    instrument: Slug | None = None
    citation: Text
    url: Text
    verified: bool
    note: str | None = None

    def target_amount(self) -> float | None:
        """The target in the commitment's unit (a baseline factor times the stated baseline)."""
        if self.target is None:
            return None
        if self.target.amount is not None:
            return self.target.amount
        return self.target.baseline_factor * self.baseline.stated_amount


class Evidence(StrictModel):
    id: Slug
    commitment: Slug
    date: date
    date_precision: Literal["day", "month"] = "day"
    event: Text
    stage: Kind
    tranche: Slug | None = None
    scope: Literal["total", "project"] | None = None
    amount_usd: float | None = Field(default=None, ge=0)
    amount_qualifier: str | None = None
    projects: list[Text] = []
    sponsors: list[Text] = []
    locations: list[Text] = []
    source_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    quote: str | None = None
    verified: bool


@dataclass(frozen=True)
class CommitmentBook:
    """The validated commitments and evidence."""

    commitments: list[Commitment]
    evidence: list[Evidence]

    def commitment(self, commitment_id: str) -> Commitment:
        return next(c for c in self.commitments if c.id == commitment_id)


class _EntryError(ValueError):
    def __init__(self, field: str, problem: str):
        super().__init__(problem)
        self.field = field


def measure_files(kind: str) -> dict[str, Path]:
    """``{name: path}`` of the SQL files of the scorecard's measures (``kind="measures"``) or
    of the sources of purchase figures (``kind="sources"``)."""
    folder = sql_dir() / (SCORECARD_DIR if kind == "measures" else SOURCES_DIR)
    return {p.stem: p for p in sorted(folder.glob("*.sql"))}


def load_commitments(directory: Path | None = None) -> CommitmentBook:
    """Read and validate ``commitments.yaml`` and ``evidence.yaml`` in ``directory`` (default
    :func:`ledger_dir`), cross-checked against the rest of the ledger there."""
    directory = Path(directory or ledger_dir())
    c_path, e_path = directory / "commitments.yaml", directory / "evidence.yaml"
    raw_commitments = _entries(c_path, "commitments")
    commitments = [_validate(Commitment, raw, c_path, i) for i, raw in enumerate(raw_commitments)]
    context = _Context.read(directory)
    seen: set[str] = set()
    for i, commitment in enumerate(commitments):
        _guard(c_path, i, commitment.id, lambda c=commitment: _check_commitment(c, context, seen))
        seen.add(commitment.id)
    by_id = {c.id: c for c in commitments}
    raw_evidence = _entries(e_path, "evidence")
    evidence = [_validate(Evidence, raw, e_path, i) for i, raw in enumerate(raw_evidence)]
    state = _EvidenceState()
    for i, entry in enumerate(evidence):
        _guard(e_path, i, entry.id, lambda e=entry: state.check(e, by_id))
    return CommitmentBook(commitments, evidence)


# -------------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class _Context:
    """The rest of the ledger a commitment may refer to."""

    instruments: frozenset[str]
    provisions: frozenset[str]
    categories: frozenset[str]
    units: frozenset[str]
    measures: frozenset[str]
    sources: frozenset[str]

    @classmethod
    def read(cls, directory: Path) -> _Context:
        book = load_ledger(directory)
        units = units_frame(directory / "units.yaml")
        return cls(
            instruments=frozenset(i.id for i in book.instruments),
            provisions=frozenset(p.id for p in book.provisions.provisions),
            categories=frozenset(book.categories.precedence),
            units=frozenset(units["hts_unit"].to_list()),
            measures=frozenset(measure_files("measures")),
            sources=frozenset(measure_files("sources")))


def _check_commitment(c: Commitment, ctx: _Context, seen: set[str]) -> None:
    if c.id in seen:
        raise _EntryError("id", f"duplicate commitment id {c.id!r}")
    if c.measure not in ctx.measures:
        raise _EntryError("measure", f"unknown measure {c.measure!r}: no file "
                          f"sql/{SCORECARD_DIR}/{c.measure}.sql (known: {sorted(ctx.measures)})")
    needs = MEASURES.get(c.measure, Measure())
    for name in needs.fields:
        if not getattr(c, name):
            raise _EntryError(name, f"a {c.measure} commitment needs {name}")
    missing = [t for t in needs.thresholds if t not in c.thresholds]
    if missing:
        raise _EntryError("thresholds", f"a {c.measure} commitment needs thresholds "
                          f"{', '.join(missing)}")
    for source in c.sources:
        if source not in ctx.sources:
            raise _EntryError("sources", f"unknown source {source!r}: no file "
                              f"sql/{SOURCES_DIR}/{source}.sql (known: {sorted(ctx.sources)})")
    for category in c.categories:
        if category not in ctx.categories:
            raise _EntryError("categories", f"unknown product category {category!r} "
                              "(categories.yaml)")
    if c.provision is not None and c.provision not in ctx.provisions:
        raise _EntryError("provision", f"unknown provision {c.provision!r} (provisions.yaml)")
    if c.instrument is not None and c.instrument not in ctx.instruments:
        raise _EntryError("instrument", f"unknown instrument {c.instrument!r} (instruments.yaml)")
    if c.metric == "quantity" and c.unit not in ctx.units:
        raise _EntryError("unit", f"quantity unit {c.unit!r} has no Census conversion in "
                          f"units.yaml (known: {sorted(ctx.units)})")
    if c.metric == "value_usd" and c.unit != "USD":
        raise _EntryError("unit", f"a value_usd metric is in USD, not {c.unit!r}")
    target = c.target
    if target is not None:
        if (target.amount is None) == (target.baseline_factor is None):
            raise _EntryError("target", "give exactly one of target.amount and "
                              "target.baseline_factor")
        if target.baseline_factor is not None and (c.baseline is None
                                                   or c.baseline.stated_amount is None):
            raise _EntryError("target.baseline_factor",
                              "a baseline factor needs baseline.stated_amount")
        if target.over_baseline and (target.per != "year" or c.baseline is None):
            raise _EntryError("target.over_baseline", "an incremental target is an annual "
                              "amount on top of a baseline: it needs per: year and a baseline")
        if target.per == "year" and target.deadline is not None:
            raise _EntryError("target.deadline", "an annual target has no deadline")
        if target.deadline is not None and target.deadline <= c.start:
            raise _EntryError("target.deadline", f"deadline {target.deadline} is not after the "
                              f"start {c.start}: dates out of order")
    if c.monitored and not c.note:
        raise _EntryError("note", "a monitored commitment says in its note why it has no "
                          "agreed numeric target")
    if c.baseline is not None and c.baseline.period_start >= c.start:
        raise _EntryError("baseline.period_start", f"the baseline year starts "
                          f"{c.baseline.period_start}, not before the commitment ({c.start})")


class _EvidenceState:
    """Running checks over the evidence in file order: unique ids, dates in order, stages of a
    tranche never going back."""

    def __init__(self):
        self.ids: set[str] = set()
        self.last: Evidence | None = None
        self.tranches: dict[str, Evidence] = {}

    def check(self, e: Evidence, commitments: dict[str, Commitment]) -> None:
        if e.id in self.ids:
            raise _EntryError("id", f"duplicate evidence id {e.id!r}")
        self.ids.add(e.id)
        if e.commitment not in commitments:
            raise _EntryError("commitment", f"unknown commitment {e.commitment!r} "
                              "(commitments.yaml)")
        measure = MEASURES.get(commitments[e.commitment].measure, Measure())
        if e.stage not in measure.stages:
            raise _EntryError("stage", f"stage {e.stage!r} is not one of "
                              f"{', '.join(measure.stages)}")
        if self.last is not None and e.date < self.last.date:
            raise _EntryError("date", f"dated {e.date}, before the previous entry "
                              f"{self.last.id!r} ({self.last.date}): dates out of order")
        self.last = e
        if e.scope is not None and e.amount_usd is None:
            raise _EntryError("amount_usd", f"a {e.scope} entry needs an amount")
        if e.tranche is None:
            if e.stage in measure.ordered:
                raise _EntryError("tranche", f"a {e.stage} entry names its tranche")
            return
        if e.stage not in measure.ordered:
            raise _EntryError("tranche", f"a {e.stage} entry belongs to no tranche")
        before = self.tranches.get(e.tranche)
        rank = measure.ordered.index
        if before is not None and rank(e.stage) < rank(before.stage):
            raise _EntryError("stage", f"tranche {e.tranche!r} goes back from {before.stage} "
                              f"({before.id}) to {e.stage}")
        self.tranches[e.tranche] = e


# -------------------------------------------------------------------------------- reading


def _entries(path: Path, key: str) -> list[dict]:
    data = read_yaml(path)
    if not isinstance(data, dict) or set(data) != {key} or not isinstance(data[key], list):
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise LedgerError(f"ledger file {path}: expected one top-level key {key!r} holding a "
                          f"list, found {found}")
    return data[key]


def _where(path: Path, index: int, entry_id: Any) -> str:
    name = f"{entry_id!r}" if isinstance(entry_id, str) else "without an id"
    return f"ledger file {path}: entry {name} (#{index + 1})"


def _validate(model: type[BaseModel], raw: Any, path: Path, index: int):
    entry_id = raw.get("id") if isinstance(raw, dict) else None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "entry"
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown field"
        raise LedgerError(f"{_where(path, index, entry_id)}: field {field!r}: {message}") from None


def _guard(path: Path, index: int, entry_id: str, check) -> None:
    try:
        check()
    except _EntryError as exc:
        raise LedgerError(f"{_where(path, index, entry_id)}: field {exc.field!r}: {exc}") from None


# -------------------------------------------------------------------------------- tables


def commitments_frame(book: CommitmentBook) -> pl.DataFrame:
    """One row per commitment (``staging.ledger_commitments``)."""
    rows = []
    for c in book.commitments:
        target, baseline = c.target, c.baseline
        basis = None
        if target is not None and target.baseline_factor is not None:
            basis = (f"{target.baseline_factor:g} x the stated baseline "
                     f"{baseline.stated_amount:,.0f}")
        rows.append({
            "commitment_id": c.id, "side": c.side, "title": c.title,
            "description": c.description, "measure": c.measure, "metric": c.metric,
            "unit": c.unit, "sources": c.sources, "products": c.products,
            "categories": c.categories, "provision": c.provision, "start_on": c.start,
            "target_amount": c.target_amount(), "target_per": target and target.per,
            "target_deadline": target and target.deadline, "target_basis": basis,
            "target_over_baseline": bool(target and target.over_baseline),
            "monitored": c.monitored, "words": c.words,
            "baseline_definition": baseline and baseline.definition,
            "baseline_start": baseline and baseline.period_start,
            "baseline_stated_amount": baseline and baseline.stated_amount,
            "thresholds": [{"key": k, "value": float(v)} for k, v in sorted(c.thresholds.items())],
            "instrument_id": c.instrument, "citation": c.citation, "url": c.url,
            "verified": c.verified, "note": c.note,
        })
    return pl.DataFrame(rows, schema={
        "commitment_id": pl.Utf8, "side": pl.Utf8, "title": pl.Utf8, "description": pl.Utf8,
        "measure": pl.Utf8, "metric": pl.Utf8, "unit": pl.Utf8, "sources": pl.List(pl.Utf8),
        "products": pl.List(pl.Utf8), "categories": pl.List(pl.Utf8), "provision": pl.Utf8,
        "start_on": pl.Date, "target_amount": pl.Float64, "target_per": pl.Utf8,
        "target_deadline": pl.Date, "target_basis": pl.Utf8, "target_over_baseline": pl.Boolean,
        "monitored": pl.Boolean, "words": pl.Utf8, "baseline_definition": pl.Utf8,
        "baseline_start": pl.Date, "baseline_stated_amount": pl.Float64,
        "thresholds": pl.List(pl.Struct({"key": pl.Utf8, "value": pl.Float64})),
        "instrument_id": pl.Utf8, "citation": pl.Utf8, "url": pl.Utf8, "verified": pl.Boolean,
        "note": pl.Utf8})


def evidence_frame(book: CommitmentBook) -> pl.DataFrame:
    """One row per evidence entry (``staging.ledger_evidence``), in file order."""
    rows = [{
        "evidence_id": e.id, "commitment_id": e.commitment, "event_date": e.date,
        "date_precision": e.date_precision, "event": e.event, "stage": e.stage,
        "tranche": e.tranche, "scope": e.scope, "amount_usd": e.amount_usd,
        "amount_qualifier": e.amount_qualifier, "projects": e.projects, "sponsors": e.sponsors,
        "locations": e.locations, "source_url": e.source_url, "quote": e.quote,
        "verified": e.verified, "ordinal": i + 1,
    } for i, e in enumerate(book.evidence)]
    return pl.DataFrame(rows, schema={
        "evidence_id": pl.Utf8, "commitment_id": pl.Utf8, "event_date": pl.Date,
        "date_precision": pl.Utf8, "event": pl.Utf8, "stage": pl.Utf8, "tranche": pl.Utf8,
        "scope": pl.Utf8, "amount_usd": pl.Float64, "amount_qualifier": pl.Utf8,
        "projects": pl.List(pl.Utf8), "sponsors": pl.List(pl.Utf8),
        "locations": pl.List(pl.Utf8), "source_url": pl.Utf8, "quote": pl.Utf8,
        "verified": pl.Boolean, "ordinal": pl.Int32})


def load_commitment_tables(con: duckdb.DuckDBPyConnection, book: CommitmentBook) -> dict:
    """Replace ``staging.ledger_commitments`` and ``staging.ledger_evidence`` (caller's
    transaction)."""
    name = "staging/ledger_commitments"
    frames = {"_ledger_commitments": commitments_frame(book),
              "_ledger_evidence": evidence_frame(book)}
    ensure_table(con, name, derived=True)  # every row replaced below
    for frame_name, frame in frames.items():
        con.register(frame_name, frame)
    with cleaning_up(lambda: [con.unregister(frame_name) for frame_name in frames]):
        run(con, "DELETE FROM staging.ledger_commitments")
        run(con, "DELETE FROM staging.ledger_evidence")
        run(con, statement(name, "insert"))
    return {"ledger_commitments": len(book.commitments), "ledger_evidence": len(book.evidence)}


_PARAM = re.compile(r"\$([a-z_][a-z0-9_]*)")


def bound(sql: str, params: dict) -> dict:
    """The subset of ``params`` that ``sql`` uses (DuckDB refuses unused named parameters)."""
    used = set(_PARAM.findall(sql))
    return {k: v for k, v in params.items() if k in used}
