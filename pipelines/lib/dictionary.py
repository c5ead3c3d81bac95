"""The data dictionary, generated from the tables' DDL and ``COMMENT ON`` statements in ``sql/``.

``docs/DATA_DICTIONARY.md`` is this module's output; a test keeps the committed file in step
with the SQL, so the dictionary cannot drift from the code.
"""

from __future__ import annotations

import duckdb

from pipelines.lib.warehouse import ensure_schemas, run, sql_dir, statements

HEADER = """# Data dictionary

Generated from the DDL and `COMMENT ON` statements in `sql/` by
`python -m pipelines.cli dictionary` (do not edit by hand). Rates are decimals (0.15 = 15 %);
money is U.S. dollars.
"""


def ddl_names() -> list[str]:
    """``schema/table`` of every SQL file that has a ``ddl`` statement, in schema order."""
    order = {"raw": 0, "staging": 1, "marts": 2}
    names = [f"{p.parent.name}/{p.stem}" for p in sql_dir().glob("*/*.sql")]
    return sorted((n for n in names if "ddl" in statements(n)),
                  key=lambda n: (order.get(n.split("/")[0], 9), n))


def render() -> str:
    """The dictionary as markdown."""
    con = duckdb.connect()
    ensure_schemas(con)
    for name in ddl_names():
        run(con, statements(name)["ddl"])
    tables = run(con, """
        SELECT schema_name, table_name, coalesce(comment, '') FROM duckdb_tables()
        ORDER BY CASE schema_name WHEN 'raw' THEN 0 WHEN 'staging' THEN 1 ELSE 2 END,
                 table_name""")
    parts = [HEADER]
    for schema, table, comment in tables:
        parts.append(f"\n## {schema}.{table}\n\n{comment}\n\n| column | type | meaning |\n"
                     "| --- | --- | --- |")
        for column, data_type, note in run(con, """
                SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns()
                WHERE schema_name = $s AND table_name = $t ORDER BY column_index""",
                {"s": schema, "t": table}):
            parts.append(f"| `{column}` | {data_type} | {note.replace('|', '/')} |")
    con.close()
    return "\n".join(parts) + "\n"
