"""Indicators computed from the staging tables."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.legal.assets import ledger
from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.lib import incremental
from pipelines.lib.rules.ledger.frames import sector_prefixes
from pipelines.lib.sources.hts.reader import install_release_starts
from pipelines.lib.warehouse.transactions import transaction

IMPORTS = dg.AssetKey(["staging", "imports_monthly"])
LINES = dg.AssetKey(["staging", "hts_lines"])
CHAPTER99 = dg.AssetKey(["staging", "hts_chapter99"])
GROUP = "indicators"


@dg.asset(key=["marts", "unrated_value_monthly"], deps=[IMPORTS, LINES, ledger],
          group_name=GROUP, kinds={"duckdb"}, pool="duckdb",
          check_specs=specs("marts.unrated_value_monthly"))
def unrated_value_monthly(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Import value whose column-1 rate cannot be resolved, by month, partner, sector and
    reason (low-value estimates, lines not in the schedule, specific rates without quantity)."""
    sectors = sector_prefixes()
    with warehouse.get_connection() as con:
        con.register("_sector_prefixes", sectors)
        with transaction(con):
            # only the months whose imports, release in force, its lines or the ledger's unit
            # conversions changed since the last run
            install_release_starts(con)
            months = incremental.refresh_months(con, "marts/unrated_value_monthly",
                                                salt=incremental.frame_hash(sectors))
            checks = yield from guard(con, "marts.unrated_value_monthly")
        con.unregister("_sector_prefixes")
        context.log.info(f"months recomputed: {len(months)}"
                         + (f" ({months[0]:%Y-%m} .. {months[-1]:%Y-%m})" if months else ""))
        yield table_result(con, "marts.unrated_value_monthly", "cty_code = '5880'",
                           order_by="ORDER BY period DESC, con_val DESC", check_results=checks)


@dg.asset(key=["marts", "effective_rates_monthly"], deps=[IMPORTS, ledger, unrated_value_monthly],
          group_name=GROUP,
          kinds={"duckdb"}, pool="duckdb", check_specs=specs("marts.effective_rates_monthly"))
def effective_rates_monthly(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """Collected duty / customs value by month, partner and sector (all, autos, auto_parts,
    civil_aircraft, metals, pharma, other)."""
    sectors = sector_prefixes()
    with warehouse.get_connection() as con:
        con.register("_sector_prefixes", sectors)
        with transaction(con):
            # only the months whose imports, unrated value (HTS lines, releases, ledger units)
            # or sectors changed since the last run
            months = incremental.refresh_months(con, "marts/effective_rates_monthly",
                                                salt=incremental.frame_hash(sectors))
            checks = yield from guard(con, "marts.effective_rates_monthly")
        con.unregister("_sector_prefixes")
        context.log.info(f"months recomputed: {len(months)}"
                         + (f" ({months[0]:%Y-%m} .. {months[-1]:%Y-%m})" if months else ""))
        yield table_result(
            con, "marts.effective_rates_monthly", "cty_code = '5880' AND sector = 'all'",
            order_by="ORDER BY period DESC", check_results=checks)
