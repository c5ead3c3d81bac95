"""Critical minerals: each importer's dependence on China, the measurable aim of the
U.S.-Japan framework of 28 Oct 2025."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.japan_stats.assets import _mart
from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.lib.rules import mirror as book
from pipelines.lib.warehouse.partitions import rebuild_table
from pipelines.lib.warehouse.transactions import transaction

TABLES = ("ledger_mineral_groups", "ledger_japan_countries", "ledger_japan_units")


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["staging", "ledger_mineral_groups"], group_name="legal",
                     kinds={"duckdb", "yaml"},
                     description="Critical-mineral groups (HS prefixes) with citations "
                                 "(pipelines/ledger/minerals.yaml)."),
        dg.AssetSpec(["staging", "ledger_japan_countries"], group_name="legal",
                     kinds={"duckdb", "yaml"},
                     description="Japan Customs' country codes (pipelines/ledger/mirror.yaml)."),
        dg.AssetSpec(["staging", "ledger_japan_units"], group_name="legal",
                     kinds={"duckdb", "yaml"},
                     description="Japan Customs' quantity units in commitment units "
                                 "(pipelines/ledger/mirror.yaml)."),
    ],
    check_specs=[spec for table in TABLES for spec in specs(f"staging.{table}")],
    pool="duckdb",
)
def mirror_ledger(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """The validated minerals and mirror ledger as warehouse tables."""
    mirror = book.load_mirror()
    frames = {"ledger_mineral_groups": book.mineral_groups_frame(book.load_minerals()),
              "ledger_japan_countries": book.japan_countries_frame(mirror),
              "ledger_japan_units": book.japan_units_frame(mirror)}
    with warehouse.get_connection() as con:
        checks = {}
        with transaction(con):
            for table, frame in frames.items():
                con.register("_ledger_frame", frame)
                rebuild_table(con, f"staging/{table}")
                con.unregister("_ledger_frame")
                checks[table] = yield from guard(con, f"staging.{table}")
        for table in TABLES:
            result = table_result(con, f"staging.{table}", order_by="ORDER BY ALL",
                                  check_results=checks[table])
            yield dg.MaterializeResult(asset_key=["staging", table], metadata=result.metadata,
                                       check_results=result.check_results)


@dg.asset(key=["marts", "critical_minerals_dependence"], group_name="indicators",
          kinds={"duckdb"}, pool="duckdb", check_specs=specs("marts.critical_minerals_dependence"),
          deps=[dg.AssetKey(["staging", "imports_monthly"]),
                dg.AssetKey(["staging", "japan_trade_monthly"]),
                dg.AssetKey(["staging", "fx_monthly"]),
                dg.AssetKey(["staging", "ledger_mineral_groups"]),
                dg.AssetKey(["staging", "ledger_japan_countries"])])
def critical_minerals_dependence(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """China's share (Hong Kong with it and apart), the top supplier and the HHI of each
    importer's purchases of each mineral group, monthly and over 12 months, against the 12
    months before the framework."""
    yield from _mart(context, warehouse, "marts/critical_minerals_dependence",
                     book.dependence_parameters(book.minerals()),
                     "ORDER BY period DESC, importer, window_months DESC, mineral_group")
