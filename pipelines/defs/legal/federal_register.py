"""The Federal Register as a source: the documents behind the ledger's instruments, and where the
ledger and the Federal Register disagree."""

from datetime import date

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.marts.factory import builder
from pipelines.defs.metadata import missing_metadata, missing_source, table_result
from pipelines.defs.quality.checks import blocking, evaluate, failure, guard, results, specs
from pipelines.defs.resources import SourceResource
from pipelines.lib.rules.ledger.loader import load_ledger
from pipelines.lib.sources import snapshot
from pipelines.lib.sources.federal_register import reader as federal_register
from pipelines.lib.sources.federal_register.client import Search
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.partitions import rebuild_table
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import transaction

GROUP = "legal"
RAW, STAGING = "raw.federal_register_documents", "staging.federal_register_documents"
TABLE = "marts.ledger_discrepancies"
# Presidential documents that mention Japan, from the month the deal was announced: what the
# ledger may be missing (the ledger's own documents are fetched one by one).
SEARCH_FROM = date(2025, 7, 1)


def searches() -> list[Search]:
    return [Search(term="Japan", types=("PRESDOCU",), published_from=SEARCH_FROM)]


def fetch(source: SourceResource, log) -> int:
    """Live mode: fetch every ledger instrument's document and the searches into the landing
    directory; returns the number of documents fetched."""
    client = source.federal_register_client()
    numbers = sorted({i.fr_doc for i in load_ledger().instruments if i.fr_doc})
    for i, number in enumerate(numbers, start=1):
        client.document(number)
        log.info(f"[{i}/{len(numbers)}] Federal Register document {number}")
    found = sum(len(client.search(search)) for search in searches())
    log.info(f"{len(numbers)} ledger documents and {found} search results fetched")
    return len(numbers) + found


@dg.multi_asset(
    name="federal_register_tables",
    specs=[
        dg.AssetSpec(["raw", "federal_register_documents"], group_name=GROUP,
                     kinds={"duckdb", "json"},
                     description="Federal Register API answers (searches and single documents), "
                                 "every field as served."),
        dg.AssetSpec(["staging", "federal_register_documents"], group_name=GROUP,
                     kinds={"duckdb"}, deps=[dg.AssetKey(["raw", "federal_register_documents"])],
                     description="One typed row per Federal Register document: type, dates, "
                                 "executive order or proclamation number, citation, URLs."),
    ],
    check_specs=specs(RAW) + specs(STAGING),
    pool="duckdb",
)
def federal_register_tables(context: dg.AssetExecutionContext, source: SourceResource,
                            warehouse: DuckDBResource):
    """Load the snapshot's Federal Register answers (fetched first in live mode); raw and staging
    change together, in one transaction. A snapshot without them (an optional source) leaves
    both tables as they were, with a warning."""
    root = source.root()
    if source.mode().is_live:
        fetch(source, context.log)
    absent = missing_source(context, root, "federal_register")
    with warehouse.get_connection() as con:
        source.claim(con)  # one source per warehouse
        checks = {}
        with transaction(con):
            if absent is None:
                answers = federal_register.load_raw(con, root)
                documents = federal_register.build_staging(con)
                context.log.info(f"{answers} document objects in the answers, {documents} "
                                 "documents")
            for table in (RAW, STAGING):
                ensure_table(con, table.replace(".", "/"))
                checks[table] = yield from guard(con, table)
        for table, order in ((RAW, "ORDER BY request, result_index"),
                             (STAGING, "ORDER BY publication_date DESC")):
            result = table_result(con, table, order_by=order, extra=missing_metadata(absent),
                                  check_results=checks[table])
            yield dg.MaterializeResult(asset_key=table.split("."), metadata=result.metadata,
                                       check_results=result.check_results)


@builder("ledger_discrepancies", step=True)
def ledger_discrepancies(context: dg.AssetExecutionContext, warehouse: DuckDBResource, steps):
    """Where the ledger's instruments disagree with their Federal Register records (dates,
    citation, executive order or proclamation number, kind). Without any Federal Register
    document in the warehouse nothing can be compared: the table stays as it is (created
    empty) and its metadata says why."""
    with warehouse.get_connection() as con:
        unmeasured = snapshot.not_measured(con, TABLE)
        if unmeasured:
            with transaction(con):
                ensure_table(con, "marts/ledger_discrepancies")
            context.log.warning(f"{TABLE} skipped: {unmeasured[0].warning()}")
            yield table_result(con, TABLE, extra={"skipped": dg.MetadataValue.text(
                unmeasured[0].warning())}, check_results=results(TABLE, evaluate(con, TABLE)))
            return
        with transaction(con):
            rows = rebuild_table(con, "marts/ledger_discrepancies")
        # The table reports disagreements, so it is committed before its contracts run: a
        # failing contract stops the step and the downstream assets, and leaves the rows (and
        # the materialization) for the user to read.
        outcomes = evaluate(con, TABLE)
        severities = dict(run(con, f"SELECT severity, count(*) FROM {TABLE} GROUP BY 1"))
        context.log.info(f"{rows} discrepancies: {severities}")
        yield table_result(con, TABLE, order_by=steps[0].mart.preview_order,
                           extra={f"{k}s": dg.MetadataValue.int(v)
                                  for k, v in severities.items()},
                           check_results=results(TABLE, outcomes))
    failed = blocking(outcomes)
    if failed:
        raise failure(TABLE, failed)
