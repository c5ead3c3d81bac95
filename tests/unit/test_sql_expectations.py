"""The plain-SQL expectations give GX's own verdicts, counts and samples, type by type."""

from __future__ import annotations

import math

import duckdb
import pytest

from pipelines.lib.quality import gx_runner, sql_expectations
from pipelines.lib.warehouse.execute import run

ROWS = [
    # s (text), n (double), i (bigint), b (double), k (text), j (bigint)
    ("1234567890", 1.0, 1, 1.0, "x", 1),
    ("12345", -2.0, -2, 3.0, "x", 1),
    (None, None, None, None, None, 2),
    ("1234567890\n", 5.0, 5, 2.0, None, 2),
    ("x", 0.0, 0, None, "y", 3),
    ("١٢٣٤٥٦٧٨٩٠", float("nan"), 7, float("nan"), "z", 4),  # Arabic-Indic digits: \d in Python
    ("-12.5", 2.5, 3, 2.5, "x", 5),
]


def _exp(type_: str, **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs,
            "meta": {"check_name": "c", "severity": "error", "description": "C."}}


CASES = [
    _exp("expect_column_values_to_match_regex", column="s", regex=r"^\d{10}$"),
    _exp("expect_column_values_to_match_regex", column="s", regex=r"^-?\d+(?:\.\d+)?$"),
    _exp("expect_column_values_to_match_regex", column="s", regex=r"^\d{10}$", mostly=0.5),
    _exp("expect_column_values_to_match_regex", column="s", regex=r"^\d{10}$", mostly=0.9),
    _exp("expect_column_values_to_match_regex", column="s", regex=r"\d"),
    _exp("expect_column_values_to_match_regex", column="k", regex=r"^(?:x|z)$"),
    _exp("expect_column_values_to_be_between", column="n", min_value=0),
    _exp("expect_column_values_to_be_between", column="n", min_value=0, max_value=4,
         strict_min=True),
    _exp("expect_column_values_to_be_between", column="i", min_value=-1, max_value=3),
    _exp("expect_column_values_to_be_between", column="n", max_value=1, strict_max=True),
    _exp("expect_column_values_to_be_in_set", column="k", value_set=["x"]),
    _exp("expect_column_values_to_be_in_set", column="j", value_set=[1, 2]),
    _exp("expect_column_values_to_be_in_set", column="k", value_set=["x", "y", "z"]),
    _exp("expect_column_values_to_be_null", column="k"),
    _exp("expect_column_values_to_be_null", column="n"),
    _exp("expect_column_values_to_not_be_null", column="k"),
    _exp("expect_column_values_to_not_be_null", column="b"),
    _exp("expect_column_values_to_not_be_null", column="j"),
    _exp("expect_column_pair_values_a_to_be_greater_than_b", column_A="n", column_B="b",
         or_equal=True),
    _exp("expect_column_pair_values_a_to_be_greater_than_b", column_A="n", column_B="b"),
    _exp("expect_column_pair_values_a_to_be_greater_than_b", column_A="n", column_B="b",
         or_equal=True, ignore_row_if="either_value_is_missing"),
    _exp("expect_column_pair_values_a_to_be_greater_than_b", column_A="i", column_B="j",
         or_equal=True, ignore_row_if="either_value_is_missing"),
    _exp("expect_compound_columns_to_be_unique", column_list=["k", "j"]),
    _exp("expect_compound_columns_to_be_unique", column_list=["k", "s"]),
    _exp("expect_compound_columns_to_be_unique", column_list=["j", "i"]),
    _exp("expect_column_values_to_be_unique", column="k"),
    _exp("expect_column_values_to_be_unique", column="s"),
]


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    run(con, "CREATE TABLE t (s VARCHAR, n DOUBLE, i BIGINT, b DOUBLE, k VARCHAR, j BIGINT)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", ROWS)
    yield con
    con.close()


def _types(con) -> dict[str, str]:
    relation = con.sql("SELECT * FROM t LIMIT 0")
    return {n: str(t) for n, t in zip(relation.columns, relation.types, strict=True)}


def _key(values: list) -> list:
    return sorted(str(gx_runner._plain(v)) for v in values)


@pytest.fixture(scope="module", params=["", "WHERE j > 100"], ids=["rows", "no rows"])
def verdicts(request, con):
    """Every case evaluated once by GX (one suite, one frame) and once in SQL."""
    where = request.param
    cases = [{**c, "meta": {**c["meta"], "check_name": f"c{i}"}} for i, c in enumerate(CASES)]
    suite = gx_runner.Suite("x.t", "x.t", None, {}, cases, None)
    theirs = gx_runner._run_gx(suite, cases, con.sql(f"SELECT * FROM t {where}").df())
    plans = [sql_expectations.plan(c, _types(con), i) for i, c in enumerate(cases)]
    assert all(plans), "every case here is one the evaluator takes"
    ours = sql_expectations.evaluate(con, f"SELECT * FROM t {where}", None, plans)
    return ours, theirs


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c['type'][7:]}-{i}" for i, c in enumerate(CASES)])
def test_sql_gives_the_verdict_of_gx(verdicts, index):
    ours, theirs = (v[f"c{index}"] for v in verdicts)
    assert theirs["error"] is None and ours["error"] is None
    assert ours["success"] == theirs["success"]
    for field in ("element_count", "unexpected_count"):
        assert ours["result"][field] == theirs["result"][field], field
    percent = theirs["result"]["unexpected_percent"]
    if percent is None:
        assert ours["result"]["unexpected_percent"] is None
    else:
        assert math.isclose(ours["result"]["unexpected_percent"], percent)
    assert _key(ours["result"]["partial_unexpected_list"]) == _key(
        theirs["result"]["partial_unexpected_list"])


@pytest.mark.parametrize("expectation", [
    _exp("expect_column_values_to_match_regex", column="s", regex=r"^\w+$"),  # Unicode \w
    _exp("expect_column_values_to_match_regex", column="s", regex=r"^a$|^b$"),  # inner $
    _exp("expect_column_values_to_match_regex", column="n", regex=r"^\d$"),  # not text
    _exp("expect_column_values_to_be_between", column="s", min_value=0),  # not numeric
    _exp("expect_column_values_to_be_in_set", column="j", value_set=["1"]),  # type mismatch
    _exp("expect_column_values_to_not_be_null", column="ghost"),  # missing column
    _exp("expect_column_values_to_be_in_type_list", column="j", type_list=["int64"]),
    _exp("expect_column_values_to_be_between", column="n", min_value=0, allow_cross_type=1),
], ids=lambda e: e["type"][7:])
def test_what_sql_cannot_say_for_certain_stays_with_gx(con, expectation):
    assert sql_expectations.plan(expectation, _types(con), 0) is None


def test_python_regexes_in_re2():
    assert sql_expectations.python_regex_to_re2(r"^\d{10}$") == r"^\p{Nd}{10}\n?$"
    assert sql_expectations.python_regex_to_re2(r"^(?:\d{4}|-)$") == r"^(?:\p{Nd}{4}|-)\n?$"
    assert sql_expectations.python_regex_to_re2(r"cost \$") == r"cost \$"
    assert sql_expectations.python_regex_to_re2(r"^(?=a)") is None
