"""Critical minerals: each importer's dependence on China, the measurable aim of the
U.S.-Japan framework of 28 Oct 2025 (the mart's asset is made from its SQL file by
``pipelines.defs.marts.factory``)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.japan_stats.assets import rebuild
from pipelines.defs.marts.factory import builder
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


@builder("critical_minerals_dependence", code=(book,), ledger=("minerals.yaml",))
def critical_minerals_dependence(context, con, step):
    rebuild(context, con, step, book.dependence_parameters(book.minerals()))
