"""The suites run by Great Expectations' own SQL execution engine on a DuckDB file (SQLAlchemy
with duckdb-engine), for the parity test and the benchmark; the pipeline validates with
``gx_runner`` (which evaluates the plain row invariants in DuckDB itself): docs/DATA_QUALITY.md
has the measurement that decided it.

Out of the box GX 1.x cannot read DuckDB; two causes, both worked around here:

- GX fetches a query's rows after handing its connection back to the pool. duckdb-engine's
  cursor is the DuckDB connection itself, and the pool's rollback discards its pending result,
  so every metric comes back empty: ``IndexError: list index out of range`` in
  ``resolve_metric_bundle`` (GX issues #10738, #11579). The dialect ``duckdb+buffered``
  registered below fetches every result as it is executed.
- A table asset drops its schema in some metrics (``Table with name imports_monthly does not
  exist``); a query asset over ``schema.table``, which also carries the suite's derived
  columns, does not.

What remains: GX has no regular expressions for the duckdb dialect (``Regex is not supported
for dialect duckdb``), and in a suite their failure also spoils a neighbouring expectation
(a compound key then fails with no message); so ``expect_column_values_to_match_regex``
(:data:`UNSUPPORTED`) is not sent to GX and fails unevaluated here.
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

from pipelines.lib.quality import gx_runner

# Expectation types GX's SQL engine cannot evaluate on DuckDB.
UNSUPPORTED = frozenset({"expect_column_values_to_match_regex"})
_NAMES = itertools.count()


@cache
def register_dialect() -> None:
    """Register ``duckdb+buffered``: duckdb-engine with every result fetched at execution."""
    from duckdb_engine import Dialect
    from sqlalchemy.dialects import registry
    from sqlalchemy.engine import cursor

    class BufferedContext(Dialect.execution_ctx_cls):
        def post_exec(self):
            super().post_exec()
            if self.cursor.description is not None:
                self.cursor_fetch_strategy = cursor.FullyBufferedCursorFetchStrategy(
                    self.cursor)

    class BufferedDialect(Dialect):
        execution_ctx_cls = BufferedContext
        supports_statement_cache = False  # as duckdb-engine; said so SQLAlchemy stays quiet

    globals()["BufferedDialect"] = BufferedDialect
    registry.register("duckdb.buffered", __name__, "BufferedDialect")


@cache
def _context():
    gx = gx_runner._gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False,
                                                         metric_calculations=False)
    return context


def validate_tables(path: Path, suites: list[gx_runner.Suite]
                    ) -> dict[str, list[gx_runner.ExpectationOutcome]]:
    """Every expectation of ``suites`` on their whole tables in the DuckDB file ``path``
    (opened read-only, closed at the end), evaluated by GX's SQL execution engine: suite name
    -> outcomes in suite order."""
    register_dialect()
    source = _context().data_sources.add_sql(
        name=f"warehouse_{next(_NAMES)}",
        connection_string=f"duckdb+buffered:///{Path(path).resolve()}",
        kwargs={"connect_args": {"read_only": True}})
    try:
        return {suite.name: _validate(source, suite) for suite in suites}
    finally:
        source.get_engine().dispose()
        _context().data_sources.delete(source.name)


def _validate(source, suite: gx_runner.Suite) -> list[gx_runner.ExpectationOutcome]:
    gx = gx_runner._gx()
    table = gx_runner._table_sql(suite.table)
    derived = "".join(f", ({sql}) AS {gx_runner._quote(name)}"
                      for name, sql in suite.derived_columns.items())
    asset = source.add_query_asset(name=suite.name, query=f"SELECT *{derived} FROM {table}")
    batch = asset.add_batch_definition_whole_table("whole_table").get_batch()
    found = {e["meta"]["check_name"]: {"success": False, "result": {},
                                       "error": "GX has no regular expressions for DuckDB"}
             for e in suite.expectations if e["type"] in UNSUPPORTED}
    built = [gx_runner._gx_expectation(e) for e in suite.expectations
             if e["type"] not in UNSUPPORTED]
    if built:
        results = batch.validate(gx.ExpectationSuite(name=suite.name, expectations=built),
                                 result_format=gx_runner._RESULT_FORMAT).results
        found.update({r.expectation_config.meta["check_name"]: {
            "success": bool(r.success), "result": dict(r.result or {}),
            "error": gx_runner._exception_message(r.exception_info)} for r in results})
    rows = next((int(f["result"]["element_count"]) for f in found.values()
                 if "element_count" in f["result"]), 0)
    return [gx_runner._outcome(e, found[e["meta"]["check_name"]], rows)
            for e in suite.expectations]
