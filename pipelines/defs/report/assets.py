"""The audit report: one self-contained HTML page from the marts (pipelines/lib/report)."""

import time
from datetime import UTC, datetime

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from pipelines.defs.metadata import source_label, warehouse_source
from pipelines.defs.quality.checks import SUITE_CHECK, suite_contracts, suites
from pipelines.defs.quality.checks import specs as table_specs
from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.lib.paths import sql_dir
from pipelines.lib.quality.sql_checks import sql_checks
from pipelines.lib.report import render
from pipelines.lib.report.queries import PROVIDERS
from pipelines.lib.report.sections import CheckRun
from pipelines.lib.rules.ledger.loader import ledger

# The report follows every mart it reads that this code location builds (a mart is built here
# when its SQL file exists); a section whose mart is absent says what is missing.
MARTS = [table.split(".", 1)[1] for table in PROVIDERS
         if table.startswith("marts.") and (sql_dir() / f"{table.replace('.', '/')}.sql").exists()]


@dg.asset(key=["report", "audit_report"], group_name="report", kinds={"html"}, pool="duckdb",
          deps=[dg.AssetKey(["marts", m]) for m in MARTS])
def audit_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                 source: SourceResource) -> dg.MaterializeResult:
    """The audit report: the verdict per commitment, the charts behind it, data quality and
    method, as one HTML page that opens offline (data/reports/latest.html)."""
    started = time.monotonic()
    checks = check_runs(context)
    with warehouse.get_connection() as con:
        mode = warehouse_source(con, source.mode())  # what the figures are, whoever asked
        provenance = render.Provenance(mode.kind, render.snapshot_label(mode.root))
        report = render.build(con, provenance, ledger().audit.country_code, checks)
    html = render.render(report, datetime.now(UTC))
    dated, latest = render.write(html, render.reports_dir(), report.slug)
    seconds = time.monotonic() - started
    context.log.info(f"report written to {dated} ({len(html.encode()) / 1e6:.2f} MB, "
                     f"{seconds:.1f} s)")
    for missing in report.missing:
        context.log.warning(f"report section without its mart or source: {missing}")
    metadata = {
        "path": dg.MetadataValue.path(str(dated)),
        "latest": dg.MetadataValue.path(str(latest)),
        "open": dg.MetadataValue.url(dated.resolve().as_uri()),
        "size_bytes": dg.MetadataValue.int(len(html.encode())),
        "build_seconds": dg.MetadataValue.float(round(seconds, 2)),
        "source_mode": source_label(mode),
    }
    for key, value in report.headline.items():
        metadata[key] = (dg.MetadataValue.int(value) if isinstance(value, int)
                         and not isinstance(value, bool) else dg.MetadataValue.text(str(value)))
    return dg.MaterializeResult(metadata=metadata)


def check_runs(context: dg.AssetExecutionContext) -> list[CheckRun]:
    """The latest evaluation of every data contract of the code location, from the instance:
    the contracts of a table's ``expectations`` check one by one, from its metadata."""
    specs = {spec.key: spec for table in sorted(set(suites()) | set(sql_checks()))
             for spec in table_specs(table)}
    records = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(
        list(specs))
    out = []
    for key, spec in specs.items():
        asset = key.asset_key.to_user_string()
        table = ".".join(key.asset_key.path)
        record = records.get(key)
        evaluation = None
        if record is not None and record.status != AssetCheckExecutionRecordStatus.PLANNED:
            evaluation = record.event.dagster_event.event_specific_data
        at = (None if evaluation is None else
              datetime.fromtimestamp(record.event.timestamp, UTC).replace(tzinfo=None))
        run_id = record.run_id if record else ""
        if key.name == SUITE_CHECK:
            found = evaluation.metadata.get("results") if evaluation is not None else None
            by_name = {r["contract"]: r for r in (found.value if found is not None else [])}
            for name, severity, _ in suite_contracts(table):
                r = by_name.get(name)
                out.append(CheckRun(asset, name, severity, "not evaluated", None, run_id, None)
                           if r is None else
                           CheckRun(asset, name, r["severity"],
                                    "passed" if r["passed"] else "failed",
                                    r["unexpected_count"], run_id, at))
            continue
        severity = "error" if spec.blocking else "warning"
        if evaluation is None:
            out.append(CheckRun(asset, key.name, severity, "not evaluated", None, run_id, None))
            continue
        unexpected = evaluation.metadata.get("unexpected_count")
        out.append(CheckRun(
            asset, key.name,
            "error" if evaluation.severity == dg.AssetCheckSeverity.ERROR else "warning",
            "passed" if evaluation.passed else "failed",
            unexpected.value if unexpected is not None else None, run_id, at))
    return sorted(out, key=lambda c: (c.asset, c.check))
