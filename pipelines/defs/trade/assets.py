"""U.S. trade by HS10, country and month from the Census International Trade API."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import table_result
from pipelines.defs.resources import SourceResource
from pipelines.defs.trade.partitions import monthly_partitions, period
from pipelines.lib import census
from pipelines.lib.warehouse import transaction

GROUP = "trade"
PARTITIONED = dict(
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name=GROUP,
    pool="duckdb",
)
WHERE = "period BETWEEN $first::DATE AND $last::DATE"


def _window(context: dg.AssetExecutionContext) -> dict:
    keys = context.partition_keys
    return {"first": keys[0], "last": keys[-1]}


def _bounds(context: dg.AssetExecutionContext) -> dict:
    keys = context.partition_keys
    return {"first_period": dg.MetadataValue.text(keys[0]),
            "last_period": dg.MetadataValue.text(keys[-1]),
            "months": dg.MetadataValue.int(len(keys))}


def _raw(context, source: SourceResource, warehouse: DuckDBResource, endpoint: str, table: str):
    keys = context.partition_keys
    root = source.root()
    with warehouse.get_connection() as con:
        with transaction(con):
            for i, key in enumerate(keys, start=1):
                files = source.census_files(endpoint, period(key))
                rows = census.load_raw_month(con, endpoint, period(key), files, root)
                context.log.info(f"[{i}/{len(keys)}] {endpoint} {period(key)}: "
                                 f"{len(files)} answers, {rows} rows")
        return table_result(con, table, WHERE, _window(context), "ORDER BY ALL", _bounds(context))


def _staging(context, warehouse: DuckDBResource, endpoint: str, table: str):
    keys = context.partition_keys
    with warehouse.get_connection() as con:
        with transaction(con):
            for key in keys:
                census.build_staging_month(con, endpoint, period(key))
        return table_result(con, table, WHERE, _window(context), "ORDER BY ALL", _bounds(context))


@dg.asset(key=["raw", "census_imports"], kinds={"duckdb", "json"}, **PARTITIONED)
def census_imports(
    context: dg.AssetExecutionContext, source: SourceResource, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """Census imports/hs answers (HS10 x country x month x rate provision), strings as served."""
    return _raw(context, source, warehouse, "imports_hs", "raw.census_imports")


@dg.asset(key=["raw", "census_exports"], kinds={"duckdb", "json"}, **PARTITIONED)
def census_exports(
    context: dg.AssetExecutionContext, source: SourceResource, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """Census exports/hs answers (Schedule B 10-digit x country x month), strings as served."""
    return _raw(context, source, warehouse, "exports_hs", "raw.census_exports")


@dg.asset(key=["staging", "imports_monthly"], deps=[census_imports], kinds={"duckdb"},
          **PARTITIONED)
def imports_monthly(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """U.S. imports by HS10, country, month and rate provision: values, duties, quantities."""
    return _staging(context, warehouse, "imports_hs", "staging.imports_monthly")


@dg.asset(key=["staging", "exports_monthly"], deps=[census_exports], kinds={"duckdb"},
          **PARTITIONED)
def exports_monthly(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """U.S. exports by Schedule B 10-digit code, country and month: value and quantity."""
    return _staging(context, warehouse, "exports_hs", "staging.exports_monthly")
