"""Great Expectations' own SQL execution engine agrees with the pipeline's evaluator
(``gx_runner`` with ``sql_expectations``) on every expectation of every suite, on the
warehouse built from the sample. The expectations GX's SQL engine cannot evaluate on DuckDB
(regular expressions) are compared with GX's pandas engine instead."""

import shutil

import duckdb

from pipelines.lib.quality import gx_runner, gx_sql


def test_gx_agrees_with_the_pipeline_on_every_expectation(built, tmp_path):
    _, _, warehouse = built
    path = tmp_path / "warehouse.duckdb"  # GX's engine holds its own connections: a copy
    shutil.copy(warehouse, path)
    ours, in_pandas = {}, {}
    with duckdb.connect(str(path), read_only=True) as con:
        # the fixture builds every table but the optional Federal Register's
        present = {f"{s}.{t}" for s, t in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()").fetchall()}
        suites = {n: s for n, s in gx_runner.load_suites().items() if s.table in present}
        assert len(suites) >= 40, sorted(set(gx_runner.load_suites()) - present)
        for name, suite in suites.items():
            ours[name] = gx_runner.validate_table(con, suite)
            regex = [e for e in suite.expectations if e["type"] in gx_sql.UNSUPPORTED]
            if regex:
                only = gx_runner.Suite(suite.name, suite.table, suite.partition_column,
                                       suite.derived_columns, regex, suite.path, suite.meta)
                columns = ", ".join(f'"{c}"' for c in gx_runner.needed_columns(only))
                frame = con.sql(f"SELECT {columns} FROM {suite.table}").df()
                in_pandas[name] = {o.check_name: o for o in gx_runner.validate_frame(only, frame)}
    in_sql = gx_sql.validate_tables(path, list(suites.values()))
    compared, disagree, failing = {"sql": 0, "pandas": 0}, [], []
    for name, suite in suites.items():
        for expectation, mine, theirs in zip(suite.expectations, ours[name], in_sql[name],
                                             strict=True):
            if expectation["type"] in gx_sql.UNSUPPORTED:
                assert not theirs.success and "no regular expressions" in theirs.reason
                theirs, engine = in_pandas[name][mine.check_name], "pandas"
            else:
                assert theirs.reason is None or not theirs.reason.startswith("not evaluated"), (
                    name, theirs.check_name, theirs.reason)
                engine = "sql"
            compared[engine] += 1
            failing += [(name, mine.check_name)] if not mine.success else []
            # GX reports no count on an empty table, where ours says 0
            if mine.success != theirs.success or theirs.unexpected_count not in (
                    None, mine.unexpected_count):
                disagree.append((name, mine.check_name, engine, mine.success,
                                 theirs.success, mine.unexpected_count,
                                 theirs.unexpected_count))
    assert not disagree, disagree
    assert compared["sql"] >= 150 and compared["pandas"] >= 50, compared
    assert failing, "the sample's warnings: the comparison covers failures too"
