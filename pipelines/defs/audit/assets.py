"""The audit of U.S. implementation, line by line, by category, and the schedule's timeline:
the builders of its marts (their assets are made from their SQL files by
``pipelines.defs.marts.factory``). Each mart is rebuilt whole, and only when a table it reads
(its ``-- reads:`` lines, with their row filters), its parameters, its code or the ledger
changed since it was last built. The provision timeline and the revision changes are their SQL
alone (the factory's default build)."""

import dagster as dg

from pipelines.defs.marts.factory import builder
from pipelines.lib.rules import audit
from pipelines.lib.rules.ledger.loader import load_ledger
from pipelines.lib.warehouse.execute import run

LEDGER = ("audit.yaml",)  # the audited country, the weights year, the tolerances


def _build(context: dg.AssetExecutionContext, con, step, build, params: dict | None = None
           ) -> bool:
    """Rebuild the mart with ``build`` unless its inputs are unchanged."""
    rebuilt = step.rebuild_if_changed(con, build, params)
    if not rebuilt:
        context.log.info(f"{step.table}: inputs unchanged since it was built; kept")
    return rebuilt


@builder("japan_line_audit", code=(audit,), ledger=LEDGER)
def japan_line_audit(context, con, step):
    book = load_ledger()
    _build(context, con, step, lambda: audit.build_line_audit(con, book),
           {"country": book.audit.country_code})
    statuses = dict(run(con, "SELECT status, count(*) FROM marts.japan_line_audit GROUP BY 1"))
    context.log.info(f"{sum(statuses.values())} line-months: {statuses}")
    return {f"status_{k}": dg.MetadataValue.int(v) for k, v in statuses.items()}


@builder("deal_conformance_monthly", code=(audit,), ledger=LEDGER)
def deal_conformance_monthly(context, con, step):
    book = load_ledger()
    _build(context, con, step, lambda: audit.build_deal_conformance(con, book))


@builder("unmodelled_provisions", code=(audit,))
def unmodelled_provisions(context, con, step):
    _build(context, con, step, lambda: audit.build_unmodelled_provisions(con))
    counts = dict(run(con, "SELECT coverage, count(DISTINCT heading) "
                           "FROM marts.unmodelled_provisions GROUP BY 1"))
    context.log.info(f"headings not modelled: {counts}")
    return {f"headings_{k}": dg.MetadataValue.int(v) for k, v in counts.items()}


@builder("statutory_rate_daily", code=(audit,), ledger=LEDGER)
def statutory_rate_daily(context, con, step):
    book = load_ledger()
    _build(context, con, step, lambda: audit.build_statutory_rate_daily(con, book),
           {"country": book.audit.country_code, "weights_year": book.audit.weights_year,
            "daily_from": book.audit.daily_from, "daily_to": book.audit.daily_to})
    context.log.info(f"{run(con, 'SELECT count(*) FROM marts.statutory_rate_daily')[0][0]} days")


@builder("line_rates", code=(audit,), ledger=LEDGER)
def line_rates(context, con, step):
    book = load_ledger()
    _build(context, con, step, lambda: audit.build_line_rates(con, book),
           {"country": book.audit.country_code, "weights_year": book.audit.weights_year})
