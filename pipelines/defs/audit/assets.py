"""The audit of U.S. implementation: line by line, by category, and the schedule's timeline."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.legal.assets import ledger
from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.defs.tariff_schedule.assets import hts_releases
from pipelines.lib.rules import audit
from pipelines.lib.rules.ledger import load_ledger
from pipelines.lib.warehouse import run, transaction

IMPORTS = dg.AssetKey(["staging", "imports_monthly"])
LINES = dg.AssetKey(["staging", "hts_lines"])
CHAPTER99 = dg.AssetKey(["staging", "hts_chapter99"])
RECORDS = dg.AssetKey(["raw", "hts_records"])
GROUP = "audit"
COMMON = dict(group_name=GROUP, kinds={"duckdb"}, pool="duckdb")


def _specs(name: str) -> dict:
    return {"key": ["marts", name], "check_specs": specs(f"marts.{name}")}


@dg.asset(**_specs("japan_line_audit"),
          deps=[IMPORTS, LINES, hts_releases, ledger], **COMMON)
def japan_line_audit(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Per HS10 line and month of imports from Japan: the agreement, statutory and observed
    rates, the dollars between them, and a status with its reason."""
    book = load_ledger()
    with warehouse.get_connection() as con:
        with transaction(con):
            rows = audit.build_line_audit(con, book)
            checks = yield from guard(con, "marts.japan_line_audit")
        statuses = dict(run(con, "SELECT status, count(*) FROM marts.japan_line_audit GROUP BY 1"))
        context.log.info(f"{rows} line-months: {statuses}")
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
            audit.build_deal_conformance(con, book)
            checks = yield from guard(con, "marts.deal_conformance_monthly")
        yield table_result(con, "marts.deal_conformance_monthly", "category = 'all'",
                           order_by="ORDER BY period", check_results=checks)


@dg.asset(**_specs("provision_timeline"), deps=[CHAPTER99, hts_releases, ledger],
          **COMMON)
def provision_timeline(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """How long each provision took from announcement to law to the tariff schedule."""
    with warehouse.get_connection() as con:
        with transaction(con):
            audit.build_provision_timeline(con)
            checks = yield from guard(con, "marts.provision_timeline")
        yield table_result(con, "marts.provision_timeline", order_by="ORDER BY announced_on",
                           check_results=checks)


@dg.asset(**_specs("hts_revision_changes"), deps=[CHAPTER99, LINES], **COMMON)
def hts_revision_changes(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Every Chapter 99 heading and column-1 rate added, removed or changed between releases."""
    with warehouse.get_connection() as con:
        with transaction(con):
            audit.build_revision_changes(con)
            checks = yield from guard(con, "marts.hts_revision_changes")
        yield table_result(con, "marts.hts_revision_changes",
                           order_by="ORDER BY release, scope, hts_code", check_results=checks)


@dg.asset(**_specs("unmodelled_provisions"), deps=[RECORDS, hts_releases, ledger], **COMMON)
def unmodelled_provisions(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Every Chapter 99 heading of every loaded release that the ledger does not model: known
    gaps with their reason, and headings no ledger entry accounts for (a failing contract)."""
    with warehouse.get_connection() as con:
        with transaction(con):
            audit.build_unmodelled_provisions(con)
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
            rows = audit.build_statutory_rate_daily(con, book)
            checks = yield from guard(con, "marts.statutory_rate_daily")
        context.log.info(f"{rows} days")
        yield table_result(
            con, "marts.statutory_rate_daily",
            order_by="ORDER BY date", check_results=checks)
