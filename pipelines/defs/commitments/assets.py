"""Japan's side of the deal and the scorecard of both sides: the commitments and evidence ledger,
purchase progress, the investment tranches and the quarterly implementation scorecard."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.lib.rules import scorecard
from pipelines.lib.rules.commitments import load_commitment_tables, load_commitments
from pipelines.lib.rules.ledger.loader import load_ledger
from pipelines.lib.rules.mirror import dependence_parameters, minerals, mirror
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.transactions import transaction

GROUP = "commitments"
LEDGER_TABLES = ("staging.ledger_commitments", "staging.ledger_evidence")
# The report date is the end of the latest month of U.S. trade data with Japan.
TRADE = [dg.AssetKey(["staging", "exports_monthly"]), dg.AssetKey(["staging", "imports_monthly"])]
COMMON = dict(group_name=GROUP, kinds={"duckdb"}, pool="duckdb")


def _keys(tables: list[str]) -> list[dg.AssetKey]:
    return [dg.AssetKey(t.split(".")) for t in tables]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["staging", "ledger_commitments"], group_name="legal",
                     kinds={"duckdb", "yaml"},
                     description="Both sides' commitments: measure, target, baseline, products, "
                                 "thresholds, citation and verified flag."),
        dg.AssetSpec(["staging", "ledger_evidence"], group_name="legal", kinds={"duckdb", "yaml"},
                     description="Dated evidence for what trade data cannot measure: investment "
                                 "pledges, tranches selected and funded, with sources."),
    ],
    check_specs=[spec for t in LEDGER_TABLES for spec in specs(t)],
    pool="duckdb",
)
def commitment_ledger(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """The validated commitments and evidence (pipelines/ledger/commitments.yaml,
    evidence.yaml) as warehouse tables."""
    book = load_commitments()
    with warehouse.get_connection() as con:
        checks = {}
        with transaction(con):
            counts = load_commitment_tables(con, book)
            for table in LEDGER_TABLES:
                checks[table] = yield from guard(con, table)
        context.log.info(f"commitment ledger loaded: {counts}")
        for table in LEDGER_TABLES:
            result = table_result(con, table, check_results=checks[table])
            yield dg.MaterializeResult(asset_key=table.split("."), metadata=result.metadata,
                                       check_results=result.check_results)


@dg.asset(key=["marts", "commitment_progress"], check_specs=specs("marts.commitment_progress"),
          deps=_keys(scorecard.reads("sources")), **COMMON)
def commitment_progress(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Japan's purchase commitments month by month from their start, per source: purchases
    and the baseline year, cumulative against the linear target path, with a status."""
    params = {"country": load_ledger().audit.country_code,
              "japan_us": mirror().japan_customs.united_states}
    with warehouse.get_connection() as con:
        with transaction(con):
            rows = scorecard.build_commitment_progress(con, params)
            checks = yield from guard(con, "marts.commitment_progress")
        latest = dict(run(con, """
            SELECT commitment_id || '/' || source, status FROM marts.commitment_progress
            QUALIFY period = max(period) OVER (PARTITION BY commitment_id, source)"""))
        context.log.info(f"{rows} rows; latest status: {latest}")
        yield table_result(con, "marts.commitment_progress",
                           order_by="ORDER BY period DESC, commitment_id",
                           extra={f"status_{k}": dg.MetadataValue.text(v)
                                  for k, v in latest.items()},
                           check_results=checks)


INVESTMENT_TABLES = ("marts.investment_tranches", "marts.investment_progress")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["marts", "investment_tranches"], group_name=GROUP, kinds={"duckdb"},
                     deps=_keys(["staging.ledger_evidence", "staging.ledger_commitments"]) + TRADE,
                     description="Every investment tranche at every stage it reached, with the "
                                 "funding clock (selected and not funded in time: overdue)."),
        dg.AssetSpec(["marts", "investment_progress"], group_name=GROUP, kinds={"duckdb"},
                     deps=[dg.AssetKey(["marts", "investment_tranches"])],
                     description="The investment commitment's cumulative amounts by stage "
                                 "against the linear path to its target."),
    ],
    check_specs=[spec for t in INVESTMENT_TABLES for spec in specs(t)],
    pool="duckdb",
)
def investment_tables(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """The investment ledger as tranches and progress, as of the report date."""
    country = load_ledger().audit.country_code
    with warehouse.get_connection() as con:
        as_of = scorecard.reporting_date(con, country)
        checks = {}
        with transaction(con):
            counts = scorecard.build_investment(con, as_of)
            for table in INVESTMENT_TABLES:
                checks[table] = yield from guard(con, table)
        context.log.info(f"as of {as_of}: {counts}")
        for table, order in zip(INVESTMENT_TABLES, ("ORDER BY event_date DESC",
                                                    "ORDER BY date DESC, stage"), strict=True):
            result = table_result(con, table, order_by=order,
                                  extra={"as_of": dg.MetadataValue.text(as_of.isoformat())},
                                  check_results=checks[table])
            yield dg.MaterializeResult(asset_key=table.split("."), metadata=result.metadata,
                                       check_results=result.check_results)


@dg.asset(key=["marts", "implementation_scorecard"],
          check_specs=specs("marts.implementation_scorecard"),
          deps=_keys(scorecard.reads("measures")) + TRADE
          + [dg.AssetKey(["marts", "ledger_discrepancies"])], **COMMON)
def implementation_scorecard(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Every commitment of both sides in every quarter: indicator, value against target, a
    status decided by the ledger's thresholds, and the evidence behind it."""
    book = load_ledger()
    with warehouse.get_connection() as con:
        as_of = scorecard.reporting_date(con, book.audit.country_code)
        baseline = dependence_parameters(minerals())
        params = {"as_of": as_of, "country": book.audit.country_code,
                  "tolerance_rate": book.audit.tolerance_rate,
                  "tolerance_usd": book.audit.tolerance_usd,
                  "baseline_from": baseline["baseline_from"],
                  "baseline_to": baseline["baseline_to"]}
        with transaction(con):
            counts = scorecard.build_scorecard(con, params)
            checks = yield from guard(con, "marts.implementation_scorecard")
        statuses = dict(run(con, """
            SELECT status, count(*) FROM marts.implementation_scorecard
            WHERE quarter = (SELECT max(quarter) FROM marts.implementation_scorecard)
            GROUP BY 1"""))
        context.log.info(f"as of {as_of}: rows per measure {counts}; latest quarter {statuses}")
        yield table_result(
            con, "marts.implementation_scorecard",
            order_by="ORDER BY quarter DESC, side, commitment_id",
            extra={"as_of": dg.MetadataValue.text(as_of.isoformat()),
                   **{f"latest_{k}": dg.MetadataValue.int(v) for k, v in statuses.items()}},
            check_results=checks)
