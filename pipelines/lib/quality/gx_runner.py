"""Great Expectations suites (``expectations/<schema>.<table>.json``) run on DuckDB tables.

GX's SQL datasource cannot read DuckDB (every expectation fails in ``resolve_metric_bundle``,
GX issues #10738 and #11579), so a table is read into a pandas frame with only the columns its
expectations use, plus the suite's derived columns computed by DuckDB, and validated as one
whole-dataframe batch of an ephemeral GX context. Column-presence contracts
(``expect_table_columns_to_match_set`` and kin) are validated on a zero-row ``SELECT *`` of the
table, so they see every column without fetching any.

A suite file is a GX 1.x ``ExpectationSuite`` JSON. Its top-level ``meta.tariff_audit`` holds
``table``, ``partition_column`` and ``derived_columns`` (name -> DuckDB SQL expression); every
expectation's ``meta`` holds ``check_name`` (``[a-z0-9_]+``, unique in the suite), ``severity``
(``error`` blocks downstream assets, ``warning`` only reports) and ``description`` (one
sentence for the reader of the check).

Nothing GX leaves this module: results come back as plain ``ExpectationOutcome`` objects.
GX is imported on first use (importing it takes ~2 s), not when this module is imported.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from pipelines.lib.paths import project_root
from pipelines.lib.quality import sql_expectations

SEVERITIES = ("error", "warning")
SAMPLE_SIZE = 10
# Expectations about which columns a table has: they need every column, but no row.
SCHEMA_EXPECTATIONS = frozenset({
    "expect_table_columns_to_match_set",
    "expect_table_columns_to_match_ordered_list",
    "expect_table_column_count_to_equal",
    "expect_table_column_count_to_be_between",
})
_COLUMN_KWARGS = ("column", "column_A", "column_B")
_COLUMN_LIST_KWARGS = ("column_list",)
_REGEX_KWARGS = ("regex",)
_REGEX_LIST_KWARGS = ("regex_list",)
_CHECK_NAME = re.compile(r"^[a-z0-9_]+$")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_TABLE = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
# SUMMARY gives counts and a short list of offending values without materialising them all.
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_SIZE}
# GX's execution engine keeps the active batch per data source: one validation at a time.
_LOCK = threading.Lock()


def suites_dir() -> Path:
    return project_root() / "expectations"


@dataclass(frozen=True)
class Suite:
    """One table's contracts, as read from its suite file."""

    name: str  # "staging.imports_monthly" (= the table)
    table: str
    partition_column: str | None  # "period", "release"; None for unpartitioned tables
    derived_columns: dict[str, str]  # name -> DuckDB SQL expression over the table's columns
    expectations: list[dict]  # raw GX expectation configs (type, kwargs, meta)
    path: Path
    # The whole meta.tariff_audit block: the three settings above and any others a caller
    # reads (e.g. quarantine_max_share).
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExpectationOutcome:
    """The result of one expectation on one frame, free of GX objects."""

    check_name: str
    expectation_type: str
    column: str | None
    severity: str  # "error" (blocking) or "warning"
    description: str
    success: bool
    element_count: int
    unexpected_count: int | None
    unexpected_percent: float | None
    sample: list  # up to SAMPLE_SIZE offending values (str, int, float or None)
    # Why a failure has no offending row to show: "no rows" (an empty batch failing an
    # expectation that demands rows), what was observed against what was expected (a
    # table-level expectation), or why it could not be evaluated. None when it passed or when
    # its unexpected rows say it.
    reason: str | None = None


# --- loading ------------------------------------------------------------------------------


def load_suite(path: Path) -> Suite:
    """Read and check one suite file; raise ``ValueError`` naming the file when it is not a GX
    1.x suite with our metadata (unknown expectation types and bad kwargs included)."""
    path = Path(path)

    def bad(message: str) -> ValueError:
        return ValueError(f"{path}: {message}")

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"not a readable JSON file ({exc})") from exc
    if not isinstance(doc, dict):
        raise bad("a suite is a JSON object")
    if "expectation_suite_name" in doc:
        raise bad("GX 0.x suite ('expectation_suite_name'); GX 1.x suites have 'name'")
    name = doc.get("name")
    if not isinstance(name, str) or name != path.stem:
        raise bad(f"'name' must be the file's name without .json ({path.stem!r}), got {name!r}")
    meta = (doc.get("meta") or {}).get("tariff_audit")
    if not isinstance(meta, dict):
        raise bad("missing meta.tariff_audit {table, partition_column, derived_columns}")
    table = meta.get("table")
    if not isinstance(table, str) or not _TABLE.match(table) or table != name:
        raise bad(f"meta.tariff_audit.table must be the suite name {name!r} (schema.table)")
    partition_column = meta.get("partition_column")
    if partition_column is not None and (
            not isinstance(partition_column, str) or not _IDENTIFIER.match(partition_column)):
        raise bad(f"meta.tariff_audit.partition_column is not a column name: {partition_column!r}")
    derived = meta.get("derived_columns") or {}
    if not isinstance(derived, dict) or not all(
            isinstance(k, str) and _IDENTIFIER.match(k) and isinstance(v, str) and v.strip()
            for k, v in derived.items()):
        raise bad("meta.tariff_audit.derived_columns must map column names to SQL expressions")
    expectations = doc.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise bad("'expectations' must be a non-empty list")

    seen: set[str] = set()
    for i, expectation in enumerate(expectations):
        where = f"expectation #{i + 1}"
        if not isinstance(expectation, dict):
            raise bad(f"{where} is not an object")
        if "expectation_type" in expectation:
            raise bad(f"{where}: GX 0.x 'expectation_type'; GX 1.x expectations have 'type'")
        if not isinstance(expectation.get("type"), str):
            raise bad(f"{where} has no 'type'")
        if not isinstance(expectation.get("kwargs"), dict):
            raise bad(f"{where} ({expectation['type']}) has no 'kwargs' object")
        emeta = expectation.get("meta")
        if not isinstance(emeta, dict):
            raise bad(f"{where} ({expectation['type']}) has no 'meta' with check_name, "
                      "severity and description")
        check = emeta.get("check_name")
        if not isinstance(check, str) or not _CHECK_NAME.match(check):
            raise bad(f"{where} ({expectation['type']}): meta.check_name must match "
                      f"[a-z0-9_]+, got {check!r}")
        where = f"check {check!r}"
        if check in seen:
            raise bad(f"duplicate check_name {check!r}")
        seen.add(check)
        if emeta.get("severity") not in SEVERITIES:
            raise bad(f"{where}: meta.severity must be 'error' or 'warning', "
                      f"got {emeta.get('severity')!r}")
        description = emeta.get("description")
        if not isinstance(description, str) or not description.strip():
            raise bad(f"{where}: meta.description must be a sentence for the reader")
        _check_regexes(expectation["kwargs"], bad, where)
        try:
            _gx_expectation(expectation)
        except Exception as exc:  # GX raises pydantic, GX and plain errors alike
            raise bad(f"{where}: GX rejects {expectation['type']}: "
                      f"{_one_line(str(exc))}") from exc

    try:
        _gx_suite_schema().load(doc)
    except Exception as exc:
        raise bad(f"not a GX 1.x ExpectationSuite: {_one_line(str(exc))}") from exc
    return Suite(name=name, table=table, partition_column=partition_column,
                 derived_columns=dict(derived), expectations=expectations, path=path,
                 meta=meta)


def load_suites(directory: Path | None = None) -> dict[str, Suite]:
    """Every ``*.json`` suite of ``directory`` (default ``<repo>/expectations``), by name."""
    found: dict[str, Suite] = {}
    for path in sorted(Path(directory or suites_dir()).glob("*.json")):
        suite = load_suite(path)
        if suite.name in found:
            raise ValueError(f"{path}: suite {suite.name!r} is also in {found[suite.name].path}")
        found[suite.name] = suite
    return found


def _check_regexes(kwargs: dict, bad, where: str) -> None:
    # GX only compiles a regex while validating (then every run fails); catch it at load time.
    patterns = [kwargs[k] for k in _REGEX_KWARGS if k in kwargs]
    patterns += [p for k in _REGEX_LIST_KWARGS for p in kwargs.get(k) or []]
    for pattern in patterns:
        try:
            groups = re.compile(pattern).groups
        except (re.error, TypeError) as exc:
            raise bad(f"{where}: invalid regex {pattern!r} ({exc})") from exc
        if groups:
            # pandas warns on every validation of a pattern with capturing groups
            raise bad(f"{where}: regex {pattern!r} has a capturing group; write (?:...)")


# --- columns ------------------------------------------------------------------------------


def needed_columns(suite: Suite) -> list[str]:
    """Table columns the row-level expectations read (derived columns excluded), in order of
    first use. Column-presence expectations are not counted: they read the table's schema."""
    columns: list[str] = []
    for expectation in suite.expectations:
        if expectation["type"] in SCHEMA_EXPECTATIONS:
            continue
        kwargs = expectation["kwargs"]
        names = [kwargs[k] for k in _COLUMN_KWARGS if isinstance(kwargs.get(k), str)]
        names += [c for k in _COLUMN_LIST_KWARGS for c in kwargs.get(k) or []]
        for name in names:
            if name not in suite.derived_columns and name not in columns:
                columns.append(name)
    return columns


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _table_sql(table: str) -> str:
    return ".".join(_quote(part) for part in table.split("."))


# --- validation ---------------------------------------------------------------------------


def validate_table(
    con: duckdb.DuckDBPyConnection, suite: Suite, partition_keys: list[str] | None = None
) -> list[ExpectationOutcome]:
    """Validate ``suite`` on its table as ``con`` sees it (uncommitted rows included), restricted
    to ``partition_keys`` (compared as text with the partition column) when given.

    A missing table or column fails the expectations that need it (with DuckDB's message)
    rather than raising: such planning errors leave the caller's transaction usable."""
    if partition_keys is not None and suite.partition_column is None:
        raise ValueError(f"{suite.path}: {suite.table} is not partitioned, "
                         f"yet partition keys {partition_keys[:3]} were given")
    table = _table_sql(suite.table)
    try:
        # .df() fetches the whole result: duckdb 2 refuses new work while one is unfinished.
        schema = con.sql(f"SELECT * FROM {table} LIMIT 0").df()
    except duckdb.CatalogException as exc:
        return _validate(suite, None, None, _one_line(str(exc)))
    where, params = "", None
    if partition_keys is not None:
        where = (f" WHERE {_quote(suite.partition_column)}::VARCHAR"
                 " IN (SELECT unnest($keys::VARCHAR[]))")
        params = {"keys": [str(k) for k in partition_keys]}
    derived = [f"({sql}) AS {_quote(name)}" for name, sql in suite.derived_columns.items()]
    # Columns the table lacks are left out: their expectations then fail in GX, one by one.
    present = [c for c in needed_columns(suite) if c in schema.columns]
    # Plain row invariants are evaluated by DuckDB where the rows are (sql_expectations);
    # GX gets a frame of only the columns its remaining expectations read.
    base = f"SELECT {', '.join([_quote(c) for c in present] + derived) or '1 AS _row'} FROM {table}"
    try:
        relation = con.sql(f"{base} LIMIT 0")
        types = {n: str(t) for n, t in zip(relation.columns, relation.types, strict=True)}
    except duckdb.BinderException as exc:  # e.g. a derived column names a dropped column
        return _validate(suite, None, schema, _one_line(str(exc)))
    row_part = [e for e in suite.expectations if e["type"] not in SCHEMA_EXPECTATIONS]
    plans = [sql_expectations.plan(e, types, i) for i, e in enumerate(row_part)]
    done: dict[str, dict] = {}
    if any(plans):
        try:
            done = sql_expectations.evaluate(con, base + where, params, [p for p in plans if p])
        except duckdb.Error:  # anything DuckDB cannot evaluate goes to GX as before
            done = {}
    left = [e for e in row_part if e["meta"]["check_name"] not in done]
    if done and not left:
        return _validate(suite, None, schema, done=done,
                         rows=next(iter(done.values()))["result"]["element_count"])
    reduced = Suite(suite.name, suite.table, suite.partition_column, suite.derived_columns,
                    left, suite.path, suite.meta)
    select = [_quote(c) for c in needed_columns(reduced) if c in schema.columns]
    select += [f"({sql}) AS {_quote(name)}" for name, sql in suite.derived_columns.items()
               if name in _columns_of(left)]
    # A suite of table-level expectations only (row counts) still needs one column per row.
    query = f"SELECT {', '.join(select) or '1 AS _row'} FROM {table}{where}"
    try:
        frame = con.sql(query, params=params).df()
    except duckdb.BinderException as exc:
        return _validate(suite, None, schema, _one_line(str(exc)))
    return _validate(suite, frame, schema, done=done)


def _columns_of(expectations: list[dict]) -> set[str]:
    names: set[str] = set()
    for expectation in expectations:
        kwargs = expectation["kwargs"]
        names |= {kwargs[k] for k in _COLUMN_KWARGS if isinstance(kwargs.get(k), str)}
        names |= {c for k in _COLUMN_LIST_KWARGS for c in kwargs.get(k) or []}
    return names


def validate_frame(suite: Suite, frame: pd.DataFrame) -> list[ExpectationOutcome]:
    """Validate ``suite`` on ``frame``: the table's columns plus the suite's derived columns,
    already computed. Column-presence expectations see the frame's columns less the derived
    ones, so a frame of ``needed_columns`` only fails them."""
    schema = frame.drop(columns=[c for c in suite.derived_columns if c in frame.columns]).iloc[:0]
    return _validate(suite, frame, schema)


def _validate(
    suite: Suite, frame: pd.DataFrame | None, schema: pd.DataFrame | None,
    read_error: str | None = None, done: dict[str, dict] | None = None,
    rows: int | None = None,
) -> list[ExpectationOutcome]:
    """Outcomes in suite order; ``done`` holds results already evaluated (in SQL), GX evaluates
    the others; expectations on data that could not be read fail with ``read_error``."""
    done = done or {}
    if rows is None:
        rows = 0 if frame is None else len(frame)
    by_name = {e["meta"]["check_name"]: e for e in suite.expectations}
    schema_part = [e for e in suite.expectations if e["type"] in SCHEMA_EXPECTATIONS]
    row_part = [e for e in suite.expectations if e["type"] not in SCHEMA_EXPECTATIONS
                and e["meta"]["check_name"] not in done]
    results: dict[str, dict] = dict(done)
    for part, data in ((schema_part, schema), (row_part, frame)):
        if not part:
            continue
        if data is None:
            unread = {"success": False, "result": {}, "error": f"table not read: {read_error}"}
            results.update({e["meta"]["check_name"]: unread for e in part})
        else:
            results.update(_run_gx(suite, part, data))
    return [_outcome(by_name[name], results[name], rows) for name in by_name]


def _run_gx(suite: Suite, expectations: list[dict], frame: pd.DataFrame) -> dict[str, dict]:
    """check_name -> {success, result, error} for ``expectations`` on ``frame``."""
    gx = _gx()
    out: dict[str, dict] = {}
    built = []
    for expectation in expectations:
        name = expectation["meta"]["check_name"]
        try:
            built.append(_gx_expectation(expectation))
        except Exception as exc:  # a suite edited after loading: report, do not crash
            out[name] = {"success": False, "result": {}, "error": _one_line(str(exc))}
    if not built:
        return out
    with _LOCK:
        batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
        try:
            gx_suite = gx.ExpectationSuite(name=suite.name, expectations=built)
            results = batch.validate(gx_suite, result_format=_RESULT_FORMAT).results
        except Exception:
            # One expectation broke the whole run: validate them one by one to isolate it.
            results = []
            for expectation in built:
                try:
                    results.append(batch.validate(
                        copy.copy(expectation), result_format=_RESULT_FORMAT))
                except Exception as exc:
                    out[expectation.meta["check_name"]] = {
                        "success": False, "result": {}, "error": _one_line(str(exc))}
    # GX does not keep the suite's order: results are matched back by check_name.
    for result in results:
        name = result.expectation_config.meta["check_name"]
        out[name] = {"success": bool(result.success), "result": dict(result.result or {}),
                     "error": _exception_message(result.exception_info)}
    return out


def _outcome(expectation: dict, found: dict, rows: int) -> ExpectationOutcome:
    meta, kwargs, result = expectation["meta"], expectation["kwargs"], found["result"]
    error = found["error"]
    description = meta["description"]
    if error:
        description = f"{description} (could not be evaluated: {error})"
    column = kwargs.get("column")
    if column is None and "column_A" in kwargs:
        column = f"{kwargs['column_A']}, {kwargs['column_B']}"
    if column is None and kwargs.get("column_list"):
        column = ", ".join(kwargs["column_list"])
    percent = result.get("unexpected_percent")
    success = found["success"] and not error
    elements = int(result.get("element_count", rows))
    unexpected = (None if result.get("unexpected_count") is None
                  else int(result["unexpected_count"]))
    sample = [] if success else _sample(result)
    return ExpectationOutcome(
        check_name=meta["check_name"],
        expectation_type=expectation["type"],
        column=column,
        severity=meta["severity"],
        description=description,
        success=success,
        element_count=elements,
        unexpected_count=unexpected,
        unexpected_percent=None if percent is None else float(percent),
        sample=sample,
        reason=None if success or unexpected else _reason(expectation, error, rows, sample),
    )


def _reason(expectation: dict, error: str | None, rows: int, sample: list) -> str:
    """Why an expectation failed with no unexpected row to show. Row-level expectations pass
    on an empty batch (nothing is unexpected), so an empty batch that fails one demands rows:
    its reason is "no rows"."""
    if error:
        return f"not evaluated: {error}"
    wanted = ", ".join(f"{k}={v}" for k, v in expectation["kwargs"].items()
                       if k not in _COLUMN_KWARGS + _COLUMN_LIST_KWARGS)
    expects = f" ({expectation['type']}: {wanted})" if wanted else f" ({expectation['type']})"
    if rows == 0 and expectation["type"] not in SCHEMA_EXPECTATIONS:
        return "no rows" + expects
    if sample:
        return f"observed {', '.join(_text(v) for v in sample)}{expects}"
    return "failed with nothing unexpected reported" + expects


def _sample(result: dict) -> list:
    if "partial_unexpected_list" in result:
        values = result["partial_unexpected_list"]
    elif isinstance((result.get("details") or {}).get("mismatched"), dict):
        mismatched = result["details"]["mismatched"]
        values = [f"{kind}: {c}" for kind in ("missing", "unexpected")
                  for c in mismatched.get(kind) or []]
    elif "observed_value" in result:
        observed = result["observed_value"]
        values = list(observed) if isinstance(observed, list | tuple) else [observed]
    else:
        values = []
    return [_plain(v) for v in values[:SAMPLE_SIZE]]


def _plain(value: Any) -> str | int | float | None:
    """A JSON value for one offending value (pairs and compound keys become text)."""
    if value is None or isinstance(value, bool | str):
        return value
    if pd.api.types.is_scalar(value) and pd.isna(value):  # NaN, NaT, pd.NA
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        midnight = value.hour == value.minute == value.second == value.microsecond == 0
        return value.date().isoformat() if midnight else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return ", ".join(f"{k}={_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_text(v) for v in value) + ")"
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:  # numpy scalars
        return _plain(value.item())
    if isinstance(value, int | float):
        return value
    return str(value)


def _text(value: Any) -> str:
    plain = _plain(value)
    return "NULL" if plain is None else str(plain)


def _exception_message(info: dict | None) -> str | None:
    """The error of a result's ``exception_info``: either one ``{raised_exception, ...}`` or,
    when a metric failed, ``{metric id: {raised_exception, exception_message, ...}}``."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    messages = [_one_line(str(e.get("exception_message") or "error"))
                for e in entries if isinstance(e, dict) and e.get("raised_exception")]
    return "; ".join(dict.fromkeys(messages)) or None


def _one_line(text: str) -> str:
    return " ".join(text.split())[:500]


# --- GX -----------------------------------------------------------------------------------


def _gx_expectation(expectation: dict):
    """A fresh GX Expectation for one config (validates type and kwargs)."""
    _gx()
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    return ExpectationConfiguration(
        type=expectation["type"], kwargs=expectation["kwargs"], meta=expectation["meta"]
    ).to_domain_obj()


def _gx_suite_schema():
    _gx()
    from great_expectations.core.expectation_suite import expectationSuiteSchema

    return expectationSuiteSchema


@cache
def _gx():
    """great_expectations, imported on first use and made quiet."""
    import great_expectations as gx

    # On import GX pins one of its loggers at INFO (a line per context about a temporary docs
    # directory) and sends every Python warning of the process to logging
    # (logging.captureWarnings(True)): undo both so pipeline logs stay as they were.
    logging.captureWarnings(False)
    for name in list(logging.root.manager.loggerDict):
        if name == "great_expectations" or name.startswith("great_expectations."):
            logging.getLogger(name).setLevel(logging.WARNING)
    return gx


@cache
def _batch_definition():
    """The process's one ephemeral GX context, reduced to a whole-dataframe batch definition
    (the dataframe is passed per validation)."""
    gx = _gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # tqdm "Calculating Metrics" bars would otherwise go to stderr, i.e. the pipeline's logs.
    context.variables.progress_bars = ProgressBarsConfig(globally=False,
                                                         metric_calculations=False)
    source = context.data_sources.add_pandas(name="tariff_audit")
    asset = source.add_dataframe_asset(name="table")
    return asset.add_batch_definition_whole_dataframe(name="whole_table")
