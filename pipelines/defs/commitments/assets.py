"""Japan's side of the deal and the scorecard of both sides: the commitments and evidence ledger,
purchase progress, the investment tranches and the quarterly implementation scorecard (the
marts' assets are made from their SQL files by ``pipelines.defs.marts.factory``; the report date
of the investment tables and the scorecard is the end of the latest month of U.S. trade data
with Japan)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.marts.factory import builder
from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.lib.rules import scorecard
from pipelines.lib.rules.commitments import load_commitment_tables, load_commitments
from pipelines.lib.rules.ledger.loader import load_ledger
from pipelines.lib.rules.mirror import dependence_parameters, minerals, mirror
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.transactions import transaction

LEDGER_TABLES = ("staging.ledger_commitments", "staging.ledger_evidence")


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


@builder("commitment_progress", code=(scorecard,), ledger=("audit.yaml", "mirror.yaml"))
def commitment_progress(context, con, step):
    params = {"country": load_ledger().audit.country_code,
              "japan_us": mirror().japan_customs.united_states}
    rows = scorecard.build_commitment_progress(con, params)
    latest = dict(run(con, """
        SELECT commitment_id || '/' || source, status FROM marts.commitment_progress
        QUALIFY period = max(period) OVER (PARTITION BY commitment_id, source)"""))
    context.log.info(f"{rows} rows; latest status: {latest}")
    return {f"status_{k}": dg.MetadataValue.text(v) for k, v in latest.items()}


@builder("investment_tranches", "investment_progress", code=(scorecard,),
         ledger=("audit.yaml",), step=True)
def investment_tables(context: dg.AssetExecutionContext, warehouse: DuckDBResource, steps):
    """The investment ledger as tranches and progress, as of the report date."""
    country = load_ledger().audit.country_code
    with warehouse.get_connection() as con:
        as_of = scorecard.reporting_date(con, country)
        checks = {}
        with transaction(con):
            counts = scorecard.build_investment(con, as_of)
            for step in steps:
                checks[step.table] = yield from guard(con, step.table)
        context.log.info(f"as of {as_of}: {counts}")
        for step in steps:
            result = table_result(con, step.table, step.mart.preview_where,
                                  order_by=step.mart.preview_order,
                                  extra={"as_of": dg.MetadataValue.text(as_of.isoformat())},
                                  check_results=checks[step.table])
            yield dg.MaterializeResult(asset_key=step.table.split("."), metadata=result.metadata,
                                       check_results=result.check_results)


@builder("implementation_scorecard", code=(scorecard,),
         ledger=("audit.yaml", "minerals.yaml", "commitments.yaml"))
def implementation_scorecard(context, con, step):
    book = load_ledger()
    as_of = scorecard.reporting_date(con, book.audit.country_code)
    baseline = dependence_parameters(minerals())
    params = {"as_of": as_of, "country": book.audit.country_code,
              "tolerance_rate": book.audit.tolerance_rate,
              "tolerance_usd": book.audit.tolerance_usd,
              "baseline_from": baseline["baseline_from"],
              "baseline_to": baseline["baseline_to"]}
    counts = scorecard.build_scorecard(con, params)
    statuses = dict(run(con, """
        SELECT status, count(*) FROM marts.implementation_scorecard
        WHERE quarter = (SELECT max(quarter) FROM marts.implementation_scorecard)
        GROUP BY 1"""))
    context.log.info(f"as of {as_of}: rows per measure {counts}; latest quarter {statuses}")
    return {"as_of": dg.MetadataValue.text(as_of.isoformat()),
            **{f"latest_{k}": dg.MetadataValue.int(v) for k, v in statuses.items()}}
