"""The ledger: the agreement and the law as data, validated and loaded into the warehouse."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.lib.rules import audit
from pipelines.lib.rules.ledger.loader import load_ledger
from pipelines.lib.warehouse.transactions import transaction

LEDGER_TABLES = ("ledger_instruments", "ledger_rules", "ledger_categories", "ledger_units",
                 "ledger_provisions", "ledger_category_sectors", "ledger_chapter99",
                 "ledger_about")


@dg.multi_asset(
    specs=[dg.AssetSpec(["staging", t], group_name="legal", kinds={"duckdb", "yaml"},
                        description=d) for t, d in zip(LEDGER_TABLES, (
        "Legal instruments (EOs, proclamations, notices, the Supreme Court decision) with "
        "citations and a verified flag.",
        "What U.S. law required and what the agreement promised, by regime and product "
        "category: the rule giving the all-in rate from the column-1 rate.",
        "HS prefixes of each product category, with the precedence order.",
        "Census quantity unit to HTS specific-rate unit conversion factors.",
        "Provisions whose path from announcement to the tariff schedule is measured.",
        "The published mapping from audit categories to report sectors.",
        "The coverage contract of the law: every Chapter 99 heading modelled, not applicable "
        "to products of Japan, or a known gap with its reason.",
        "The day the ledger's facts were last checked against their sources.",
    ), strict=True)],
    check_specs=[spec for t in LEDGER_TABLES for spec in specs(f"staging.{t}")],
    pool="duckdb",
)
def ledger(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """The validated ledger (pipelines/ledger/*.yaml) as warehouse tables."""
    book = load_ledger()
    with warehouse.get_connection() as con:
        checks = {}
        with transaction(con):
            counts = audit.load_ledger_tables(con, book)
            for table in LEDGER_TABLES:
                checks[table] = yield from guard(con, f"staging.{table}")
        context.log.info(f"ledger loaded: {counts}")
        for table in LEDGER_TABLES:
            result = table_result(con, f"staging.{table}", check_results=checks[table])
            yield dg.MaterializeResult(asset_key=["staging", table], metadata=result.metadata,
                                       check_results=result.check_results)
