"""Indicators computed from the staging tables."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import table_result
from pipelines.defs.trade.assets import imports_monthly
from pipelines.lib.ledger import sector_prefixes
from pipelines.lib.warehouse import rebuild_table, transaction

GROUP = "indicators"


@dg.asset(key=["marts", "effective_rates_monthly"], deps=[imports_monthly], group_name=GROUP,
          kinds={"duckdb"}, pool="duckdb")
def effective_rates_monthly(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """Collected duty / customs value by month, partner and sector (all, autos, auto_parts,
    civil_aircraft, metals, pharma, other)."""
    with warehouse.get_connection() as con:
        con.register("_sector_prefixes", sector_prefixes())
        with transaction(con):
            rows = rebuild_table(con, "marts/effective_rates_monthly")
        con.unregister("_sector_prefixes")
        context.log.info(f"{rows} rows")
        return table_result(
            con, "marts.effective_rates_monthly", "cty_code = '5880' AND sector = 'all'",
            order_by="ORDER BY period DESC")
