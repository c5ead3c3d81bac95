from pathlib import Path

import duckdb

from pipelines.lib.dictionary import ddl_names, render
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.sql_files import statements
from pipelines.lib.warehouse.tables import ensure_schemas

ROOT = Path(__file__).resolve().parents[2]


def test_committed_dictionary_matches_the_sql():
    committed = (ROOT / "docs" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert committed == render(), (
        "docs/DATA_DICTIONARY.md is stale: run "
        "`.venv/bin/python -m pipelines.cli dictionary > docs/DATA_DICTIONARY.md`")


def test_every_table_and_column_is_described():
    con = duckdb.connect()
    ensure_schemas(con)
    for name in ddl_names():
        run(con, statements(name)["ddl"])
    n_tables = run(con, "SELECT count(*) FROM duckdb_tables()")[0][0]
    tables = run(con, "SELECT schema_name || '.' || table_name FROM duckdb_tables() "
                      "WHERE coalesce(trim(comment), '') = '' ORDER BY 1")
    # duckdb_columns() also lists the columns of DuckDB's own catalog views: keep the tables'
    views = run(con, "SELECT schema_name || '.' || view_name FROM duckdb_views() "
                     "WHERE NOT internal AND coalesce(trim(comment), '') = ''")
    columns = run(con, """
        SELECT c.schema_name || '.' || c.table_name || '.' || c.column_name
        FROM duckdb_columns() c
        WHERE c.table_oid IN (SELECT table_oid FROM duckdb_tables()
                              UNION ALL SELECT view_oid FROM duckdb_views() WHERE NOT internal)
          AND coalesce(trim(c.comment), '') = '' ORDER BY 1""")
    con.close()
    assert n_tables >= len(ddl_names())
    assert not tables, f"tables without COMMENT ON TABLE: {[t for (t,) in tables]}"
    assert not views, f"views without COMMENT ON VIEW: {[v for (v,) in views]}"
    assert not columns, f"columns without COMMENT ON COLUMN: {[c for (c,) in columns]}"


def test_the_data_quality_doc_lists_every_contract():
    from pipelines.lib.quality.contracts_doc import DOC, splice

    text = DOC.read_text(encoding="utf-8")
    assert text == splice(text), (
        "docs/DATA_QUALITY.md's contract list is stale: run `.venv/bin/tariff-audit contracts`")
