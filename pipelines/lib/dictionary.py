"""The data dictionary, generated from the tables' DDL and ``COMMENT ON`` statements in ``sql/``.

``docs/DATA_DICTIONARY.md`` is this module's output; a test keeps the committed file in step
with the SQL, so the dictionary cannot drift from the code.
"""

from __future__ import annotations

import duckdb

from pipelines.lib.paths import sql_dir
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.sql_files import statements
from pipelines.lib.warehouse.tables import ensure_schemas

HEADER = """# Data dictionary

Generated from the DDL and `COMMENT ON` statements in `sql/` by `make dictionary`
(`python -m pipelines.cli dictionary`; do not edit by hand). Rates are decimals (0.15 = 15 %);
money is U.S. dollars. The published copy analysts query (`data/published/warehouse.duckdb`,
`make sql`) holds every `marts` and `quarantine` table, the staging tables listed in
`pipelines/lib/publish.py`, the `analyst` views (plain column names) and `meta.about`, with
these same comments (`SELECT * FROM duckdb_columns()` shows them).
"""
SCHEMA_ORDER = ("raw", "staging", "marts", "quarantine", "analyst", "meta")


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
    objects = run(con, """
        SELECT schema_name, table_name, coalesce(comment, ''), 'table' FROM duckdb_tables()
        UNION ALL
        SELECT schema_name, view_name, coalesce(comment, ''), 'view' FROM duckdb_views()
        WHERE NOT internal""")
    rank = {schema: i for i, schema in enumerate(SCHEMA_ORDER)}
    objects.sort(key=lambda o: (rank.get(o[0], len(rank)), o[0], o[1]))
    parts = [HEADER]
    for schema, table, comment, kind in objects:
        title = f"{schema}.{table}" + (" (view)" if kind == "view" else "")
        parts.append(f"\n## {title}\n\n{comment}\n\n| column | type | meaning |\n"
                     "| --- | --- | --- |")
        for column, data_type, note in run(con, """
                SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns()
                WHERE schema_name = $s AND table_name = $t ORDER BY column_index""",
                {"s": schema, "t": table}):
            parts.append(f"| `{column}` | {data_type} | {note.replace('|', '/')} |")
    con.close()
    return "\n".join(parts) + "\n"
