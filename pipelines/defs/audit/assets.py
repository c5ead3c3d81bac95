"""The audit of U.S. implementation: line by line, by category, and the schedule's timeline."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.legal.assets import ledger
from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.defs.tariff_schedule.assets import hts_releases
from pipelines.lib import incremental
from pipelines.lib.rules import audit
from pipelines.lib.rules.ledger.loader import load_ledger
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.transactions import transaction

IMPORTS = dg.AssetKey(["staging", "imports_monthly"])
LINES = dg.AssetKey(["staging", "hts_lines"])
CHAPTER99 = dg.AssetKey(["staging", "hts_chapter99"])
RECORDS = dg.AssetKey(["raw", "hts_records"])
GROUP = "audit"
COMMON = dict(group_name=GROUP, kinds={"duckdb"}, pool="duckdb")


# What each mart is computed from (besides the code and the ledger file, in every fingerprint):
# a mart whose inputs are as they were when it was last built is kept, not rebuilt
# (incremental.rebuild_if_changed); filters use the mart's parameters
LEDGER_TABLES = {"staging.ledger_*": None}
SCHEDULE_TABLES = {"staging.hts_lines": None, "raw.hts_releases": None}
JAPAN_IMPORTS = "cty_code = $country"
# the basket of the base year, and the last month of imports (the series ends with it)
BASKET_AND_END = ("(cty_code = $country AND year(period) = $weights_year) "
                  "OR period = (SELECT max(period) FROM staging.imports_monthly)")
INPUTS = {
    "japan_line_audit": {"staging.imports_monthly": JAPAN_IMPORTS, **SCHEDULE_TABLES,
                         **LEDGER_TABLES},
    "deal_conformance_monthly": {"marts.japan_line_audit": None,
                                 "marts.unrated_value_monthly": None, **LEDGER_TABLES},
    "provision_timeline": {"staging.hts_chapter99": None, "raw.hts_releases": None,
                           **LEDGER_TABLES},
    "hts_revision_changes": {"staging.hts_chapter99": None, "staging.hts_lines": None},
    "unmodelled_provisions": {"raw.hts_records": None, "raw.hts_releases": None,
                              **LEDGER_TABLES},
    "statutory_rate_daily": {"staging.imports_monthly": BASKET_AND_END, **SCHEDULE_TABLES,
                             **LEDGER_TABLES},
    "line_rates": {"staging.imports_monthly": "cty_code = $country AND year(period) = "
                                              "$weights_year", **SCHEDULE_TABLES, **LEDGER_TABLES},
}


def _specs(name: str) -> dict:
    return {"key": ["marts", name], "check_specs": specs(f"marts.{name}")}


def _build(context: dg.AssetExecutionContext, con, name: str, build, params: dict | None = None
           ) -> bool:
    """Rebuild the mart ``marts.<name>`` with ``build`` unless its inputs are unchanged."""
    rebuilt = incremental.rebuild_if_changed(con, f"marts/{name}", INPUTS[name], build, params)
    if not rebuilt:
        context.log.info(f"marts.{name}: inputs unchanged since it was built; kept")
    return rebuilt


@dg.asset(**_specs("japan_line_audit"),
          deps=[IMPORTS, LINES, hts_releases, ledger], **COMMON)
def japan_line_audit(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Per HS10 line and month of imports from Japan: the agreement, statutory and observed
    rates, the dollars between them, and a status with its reason."""
    book = load_ledger()
    with warehouse.get_connection() as con:
        with transaction(con):
            _build(context, con, "japan_line_audit", lambda: audit.build_line_audit(con, book),
                   {"country": book.audit.country_code})
            checks = yield from guard(con, "marts.japan_line_audit")
        statuses = dict(run(con, "SELECT status, count(*) FROM marts.japan_line_audit GROUP BY 1"))
        context.log.info(f"{sum(statuses.values())} line-months: {statuses}")
        yield table_result(
            con, "marts.japan_line_audit", order_by="ORDER BY period DESC, cal_dut DESC",
            extra={f"status_{k}": dg.MetadataValue.int(v) for k, v in statuses.items()},
            check_results=checks)


@dg.asset(**_specs("deal_conformance_monthly"), deps=[japan_line_audit], **COMMON)
def deal_conformance_monthly(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Per month and product category: observed vs promised vs statutory rates, the share of
    value that got the agreement's rate, excess duty and refund exposure."""
    book = load_ledger()
    with warehouse.get_connection() as con:
        with transaction(con):
            _build(context, con, "deal_conformance_monthly",
                   lambda: audit.build_deal_conformance(con, book))
            checks = yield from guard(con, "marts.deal_conformance_monthly")
        yield table_result(con, "marts.deal_conformance_monthly", "category = 'all'",
                           order_by="ORDER BY period", check_results=checks)


@dg.asset(**_specs("provision_timeline"), deps=[CHAPTER99, hts_releases, ledger],
          **COMMON)
def provision_timeline(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """How long each provision took from announcement to law to the tariff schedule."""
    with warehouse.get_connection() as con:
        with transaction(con):
            _build(context, con, "provision_timeline", lambda: audit.build_provision_timeline(con))
            checks = yield from guard(con, "marts.provision_timeline")
        yield table_result(con, "marts.provision_timeline", order_by="ORDER BY announced_on",
                           check_results=checks)


@dg.asset(**_specs("hts_revision_changes"), deps=[CHAPTER99, LINES], **COMMON)
def hts_revision_changes(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Every Chapter 99 heading and column-1 rate added, removed or changed between releases."""
    with warehouse.get_connection() as con:
        with transaction(con):
            _build(context, con, "hts_revision_changes", lambda: audit.build_revision_changes(con))
            checks = yield from guard(con, "marts.hts_revision_changes")
        yield table_result(con, "marts.hts_revision_changes",
                           order_by="ORDER BY release, scope, hts_code", check_results=checks)


@dg.asset(**_specs("unmodelled_provisions"), deps=[RECORDS, hts_releases, ledger], **COMMON)
def unmodelled_provisions(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Every Chapter 99 heading of every loaded release that the ledger does not model: known
    gaps with their reason, and headings no ledger entry accounts for (a failing contract)."""
    with warehouse.get_connection() as con:
        with transaction(con):
            _build(context, con, "unmodelled_provisions",
                   lambda: audit.build_unmodelled_provisions(con))
            checks = yield from guard(con, "marts.unmodelled_provisions")
        counts = dict(run(con, "SELECT coverage, count(DISTINCT heading) "
                               "FROM marts.unmodelled_provisions GROUP BY 1"))
        context.log.info(f"headings not modelled: {counts}")
        yield table_result(
            con, "marts.unmodelled_provisions", order_by="ORDER BY coverage DESC, heading, release",
            extra={f"headings_{k}": dg.MetadataValue.int(v) for k, v in counts.items()},
            check_results=checks)


@dg.asset(**_specs("statutory_rate_daily"), deps=[IMPORTS, LINES, hts_releases, ledger], **COMMON)
def statutory_rate_daily(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Japan's statutory and promised tariff rate on every day from 2025-01-01 at fixed
    base-year line weights: the figure public trackers publish, to compare day by day."""
    book = load_ledger()
    with warehouse.get_connection() as con:
        with transaction(con):
            _build(context, con, "statutory_rate_daily",
                   lambda: audit.build_statutory_rate_daily(con, book),
                   {"country": book.audit.country_code, "weights_year": book.audit.weights_year,
                    "daily_from": book.audit.daily_from, "daily_to": book.audit.daily_to})
            checks = yield from guard(con, "marts.statutory_rate_daily")
        context.log.info(f"{run(con, 'SELECT count(*) FROM marts.statutory_rate_daily')[0][0]} "
                         "days")
        yield table_result(
            con, "marts.statutory_rate_daily",
            order_by="ORDER BY date", check_results=checks)


@dg.asset(**_specs("line_rates"), deps=[IMPORTS, LINES, hts_releases, ledger], **COMMON)
def line_rates(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """The legal rate history of every HS10 line for products of Japan: what the law required
    and the agreement promised, interval by interval, with the headings and instruments."""
    book = load_ledger()
    with warehouse.get_connection() as con:
        with transaction(con):
            _build(context, con, "line_rates", lambda: audit.build_line_rates(con, book),
                   {"country": book.audit.country_code, "weights_year": book.audit.weights_year})
            checks = yield from guard(con, "marts.line_rates")
        yield table_result(con, "marts.line_rates", order_by="ORDER BY hs10, valid_from",
                           check_results=checks)
