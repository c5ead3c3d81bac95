"""The plain-SQL expectations of a GX suite, evaluated by DuckDB where the table is.

Most of the suites' expectations are row invariants (a regex, a range, a set, nulls, a pair of
columns, a unique key). Copying a month of a national table into pandas for GX to check them
cost more than the load itself (benchmarks/national.py), so the runner evaluates these types
here, as one aggregate query over the rows (plus one per uniqueness check), with GX's exact
semantics for the pandas engine, checked expectation by expectation against GX itself in
``tests/unit/test_sql_expectations.py``:

- nulls are skipped except by the null checks; ``unexpected_percent`` is over the rows looked
  at (non-null values, or rows not ignored); ``mostly`` compares the share of expected ones;
  an empty set of rows succeeds with no percentage;
- regexes are Python's: ``re.search``, ``$`` also before a final newline, ``\\d`` any Unicode
  digit (a pattern with other escapes that differ in RE2 stays with GX);
- NaN counts as missing, as pandas does.

An expectation whose columns are missing or of another type than the evaluator expects, or
whose kwargs it does not know, stays with GX (``plan`` returns None), so GX keeps its own
error messages. The suite file stays the single definition of every contract.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

SAMPLE_SIZE = 10
_PARAMETER = re.compile(r"\$(\w+)")
_NUMERIC = re.compile(r"^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|"
                      r"UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$")
_FLOAT = ("FLOAT", "DOUBLE")
# escapes whose meaning differs between Python's re (Unicode) and RE2, other than \d
_UNSAFE_ESCAPE = re.compile(r"\\[wWsSbBAZ]|\(\?[=!<]|\\[1-9]")
_KNOWN_KWARGS = {
    "expect_column_values_to_match_regex": {"column", "regex", "mostly"},
    "expect_column_values_to_be_between": {"column", "min_value", "max_value", "strict_min",
                                           "strict_max", "mostly"},
    "expect_column_values_to_be_in_set": {"column", "value_set", "mostly"},
    "expect_column_values_to_be_null": {"column", "mostly"},
    "expect_column_values_to_not_be_null": {"column", "mostly"},
    "expect_column_values_to_be_unique": {"column", "mostly"},
    "expect_compound_columns_to_be_unique": {"column_list", "ignore_row_if", "mostly"},
    "expect_column_pair_values_a_to_be_greater_than_b": {"column_A", "column_B", "or_equal",
                                                         "ignore_row_if", "mostly"},
}


@dataclass
class Plan:
    """One expectation as SQL over the relation ``base``."""

    check_name: str
    considered: str  # rows looked at (SQL condition)
    unexpected: str  # rows that break the expectation (SQL condition, among ``considered``)
    sample: list[str]  # SQL expressions of the value(s) shown for an offending row
    mostly: float | None
    percent_of_all: bool = False  # the null checks: percentage of every row
    duplicates_of: list[str] | None = None  # uniqueness: the key columns
    params: dict = field(default_factory=dict)


def _q(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _value(column: str, types: dict[str, str]) -> str:
    """The column as pandas sees it: NaN is missing."""
    if types[column] in _FLOAT:
        return f"CASE WHEN isnan({_q(column)}) THEN NULL ELSE {_q(column)} END"
    return _q(column)


def python_regex_to_re2(pattern: str) -> str | None:
    """``pattern`` with Python's meaning in RE2, or None when that is not certain."""
    if _UNSAFE_ESCAPE.search(pattern):
        return None
    body = pattern[:-1] if pattern.endswith("$") and not pattern.endswith("\\$") else None
    if "$" in (pattern if body is None else body).replace("\\$", ""):
        return None  # a $ inside the pattern: its newline rule is not worth translating
    translated = (pattern if body is None else body).replace("\\d", "\\p{Nd}")
    return translated if body is None else translated + "\\n?$"


def plan(expectation: dict, types: dict[str, str], index: int) -> Plan | None:
    """The SQL of one expectation, or None when GX must evaluate it."""
    kind, kwargs = expectation["type"], expectation["kwargs"]
    if kind not in _KNOWN_KWARGS or not set(kwargs) <= _KNOWN_KWARGS[kind]:
        return None
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
    columns += list(kwargs.get("column_list") or [])
    if not columns or any(not isinstance(c, str) or c not in types for c in columns):
        return None
    name = expectation["meta"]["check_name"]
    mostly = kwargs.get("mostly")
    p = f"p{index}_"
    if "column" in kwargs:
        column = kwargs["column"]
        value = _value(column, types)
        present = f"{value} IS NOT NULL"
    if kind == "expect_column_values_to_match_regex":
        regex = python_regex_to_re2(kwargs["regex"]) if isinstance(kwargs["regex"], str) else None
        if regex is None or types[column] != "VARCHAR":
            return None
        return Plan(name, present, f"NOT regexp_matches({value}, ${p}re)", [value], mostly,
                    params={f"{p}re": regex})
    if kind == "expect_column_values_to_be_between":
        if not _NUMERIC.match(types[column]):
            return None
        bounds, params = [], {}
        for key, strict_key, op, strict_op in (("min_value", "strict_min", ">=", ">"),
                                               ("max_value", "strict_max", "<=", "<")):
            bound = kwargs.get(key)
            if bound is None:
                continue
            if isinstance(bound, bool) or not isinstance(bound, int | float):
                return None
            params[f"{p}{key}"] = bound
            bounds.append(f"{value} {strict_op if kwargs.get(strict_key) else op} "
                          f"${p}{key}")
        if not bounds:
            return None
        return Plan(name, present, f"NOT ({' AND '.join(bounds)})", [value], mostly,
                    params=params)
    if kind == "expect_column_values_to_be_in_set":
        values = kwargs["value_set"]
        if not isinstance(values, list) or not values:
            return None
        numeric = _NUMERIC.match(types[column]) is not None
        if numeric != all(isinstance(v, int | float) and not isinstance(v, bool)
                          for v in values):
            return None
        if not numeric and (types[column] != "VARCHAR"
                            or not all(isinstance(v, str) for v in values)):
            return None
        return Plan(name, present, f"NOT list_contains(${p}set, {value})", [value], mostly,
                    params={f"{p}set": values})
    if kind == "expect_column_values_to_be_null":
        return Plan(name, "true", present, [value], mostly, percent_of_all=True)
    if kind == "expect_column_values_to_not_be_null":
        return Plan(name, "true", f"{value} IS NULL", [value], mostly, percent_of_all=True)
    if kind == "expect_column_values_to_be_unique":
        return Plan(name, present, "", [value], mostly, duplicates_of=[column])
    if kind == "expect_compound_columns_to_be_unique":
        ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
        values = [_value(c, types) for c in columns]
        if ignore == "all_values_are_missing":
            considered = "NOT (" + " AND ".join(f"{v} IS NULL" for v in values) + ")"
        elif ignore == "any_value_is_missing":
            considered = " AND ".join(f"{v} IS NOT NULL" for v in values)
        elif ignore == "never":
            considered = "true"
        else:
            return None
        return Plan(name, considered, "", values, mostly, duplicates_of=columns)
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = _value(kwargs["column_A"], types), _value(kwargs["column_B"], types)
        if not (_NUMERIC.match(types[kwargs["column_A"]])
                and _NUMERIC.match(types[kwargs["column_B"]])):
            return None
        ignore = kwargs.get("ignore_row_if", "both_values_are_missing")
        considered = {"both_values_are_missing": f"NOT ({a} IS NULL AND {b} IS NULL)",
                      "either_value_is_missing": f"{a} IS NOT NULL AND {b} IS NOT NULL",
                      "neither": "true"}.get(ignore)
        if considered is None:
            return None
        op = ">=" if kwargs.get("or_equal") else ">"
        return Plan(name, considered, f"NOT coalesce({a} {op} {b}, false)", [a, b], mostly)
    return None


def evaluate(con: duckdb.DuckDBPyConnection, base: str, params: dict | None,
             plans: list[Plan]) -> dict[str, dict]:
    """check_name -> {success, result, error} (GX's result fields) for ``plans`` on the rows of
    ``base`` (a SELECT). One aggregate query, one query per uniqueness check, and a sample
    query for each failing expectation."""
    params = dict(params or {})
    out: dict[str, dict] = {}
    columns = ["count(*)"]
    for plan_ in plans:
        params.update(plan_.params)
        columns.append(f"count(*) FILTER (WHERE {plan_.considered})")
        if plan_.duplicates_of is None:
            columns.append(
                f"count(*) FILTER (WHERE ({plan_.considered}) AND ({plan_.unexpected}))")
        else:
            columns.append("0")
    def query(sql: str) -> list[tuple]:
        # DuckDB refuses parameters a statement does not use
        return con.execute(sql, {k: params[k] for k in set(_PARAMETER.findall(sql))
                                 if k in params}).fetchall()

    row = query(f"WITH base AS ({base}) SELECT {', '.join(columns)} FROM base")[0]
    total = row[0]
    for i, plan_ in enumerate(plans):
        considered, unexpected = row[1 + 2 * i], row[2 + 2 * i]
        sample_where = f"({plan_.considered}) AND ({plan_.unexpected})"
        if plan_.duplicates_of is not None:
            key = ", ".join(_q(c) for c in plan_.duplicates_of)
            dup = (f"WITH base AS ({base}), considered AS (SELECT * FROM base WHERE "
                   f"{plan_.considered}), counted AS (SELECT *, count(*) OVER (PARTITION BY "
                   f"{key}) AS _n FROM considered)")
            unexpected = query(f"{dup} SELECT count(*) FROM counted WHERE _n > 1")[0][0]
            sample_sql = (f"{dup} SELECT {', '.join(plan_.sample)} FROM counted WHERE _n > 1 "
                          f"LIMIT {SAMPLE_SIZE}")
        else:
            sample_sql = (f"WITH base AS ({base}) SELECT {', '.join(plan_.sample)} FROM base "
                          f"WHERE {sample_where} LIMIT {SAMPLE_SIZE}")
        denominator = total if plan_.percent_of_all else considered
        if denominator == 0:
            success, percent = True, None
        else:
            percent = 100 * unexpected / denominator
            if plan_.mostly is None:
                success = unexpected == 0
            else:
                success = (denominator - unexpected) / denominator >= plan_.mostly
        sample = []
        if unexpected:
            found = query(sample_sql)
            if len(plan_.sample) == 1:
                sample = [r[0] for r in found]
            elif plan_.duplicates_of is not None:  # GX shows a compound key as a mapping
                sample = [dict(zip(plan_.duplicates_of, r, strict=True)) for r in found]
            else:
                sample = [tuple(r) for r in found]
        out[plan_.check_name] = {
            "success": success, "error": None,
            "result": {"element_count": total, "unexpected_count": unexpected,
                       "unexpected_percent": percent, "partial_unexpected_list": sample}}
    return out
