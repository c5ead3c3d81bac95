"""Adding a mart is one SQL file and one suite: in a copy of the project with nothing else
edited, the new mart is an asset reading what its header declares, it is built, its contracts
run as checks, and the published copy holds it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
NAME = "instrument_kinds"
SQL = f"""-- marts.{NAME}: how many legal instruments of each kind the ledger holds
-- group: legal
-- reads: staging.ledger_instruments
-- preview: ORDER BY instruments DESC
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.{NAME} (
    kind VARCHAR NOT NULL,
    instruments INTEGER NOT NULL
);
COMMENT ON TABLE marts.{NAME} IS 'The ledger''s instruments counted by kind.';
COMMENT ON COLUMN marts.{NAME}.kind IS 'The instrument''s kind (staging.ledger_instruments).';
COMMENT ON COLUMN marts.{NAME}.instruments IS 'How many instruments of that kind.';
-- name: insert
INSERT INTO marts.{NAME} (kind, instruments)
SELECT coalesce(kind, 'unknown'), count(*) FROM staging.ledger_instruments GROUP BY ALL;
"""
SUITE = {
    "name": f"marts.{NAME}",
    "meta": {"tariff_audit": {"table": f"marts.{NAME}", "partition_column": None,
                              "derived_columns": {}}},
    "expectations": [
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "kind"},
         "meta": {"check_name": "kind_unique", "severity": "error",
                  "description": "One row per kind."}},
        {"type": "expect_column_values_to_be_between",
         "kwargs": {"column": "instruments", "min_value": 1, "max_value": None},
         "meta": {"check_name": "instruments_positive", "severity": "warning",
                  "description": "A kind has at least one instrument."}},
    ],
}
# Run in the copy, in-process: the ledger's tables, the new mart, the published copy.
SCRIPT = f"""
import json
import dagster as dg
import pipelines
from pipelines.definitions import defs
from pipelines.defs.legal.assets import ledger

key = dg.AssetKey(["marts", "{NAME}"])
graph = defs.resolve_asset_graph()
node = graph.get(key)
job = defs.resolve_implicit_global_asset_job_def()
result = job.execute_in_process(
    asset_selection=[*ledger.keys, key, dg.AssetKey(["published", "warehouse"])])
evaluations = [e.asset_check_evaluation_data for e in result.all_events
               if e.event_type_value == "ASSET_CHECK_EVALUATION"
               and e.asset_check_evaluation_data.asset_key == key]
checks = {{c.check_name: c.passed for c in evaluations}}
# the suite is one check; its metadata carries every expectation's result
contracts = {{r["contract"]: r["passed"] for c in evaluations if "results" in c.metadata
             for r in c.metadata["results"].value}}
print(json.dumps({{
    "package": pipelines.__file__, "success": result.success, "group": node.group_name,
    "description": node.description,
    "deps": sorted(p.to_user_string() for p in node.parent_keys),
    "code_version": node.code_version, "checks": checks, "contracts": contracts,
    "published_deps": key in graph.get(dg.AssetKey(["published", "warehouse"])).parent_keys,
}}))
"""


def test_a_new_mart_is_its_sql_file_and_its_suite(tmp_path):
    project = tmp_path / "project"
    for folder in ("pipelines", "sql", "expectations"):
        shutil.copytree(ROOT / folder, project / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", project)  # dg finds the definitions from [tool.dg]
    (project / "sql" / "marts" / f"{NAME}.sql").write_text(SQL, encoding="utf-8")
    (project / "expectations" / f"marts.{NAME}.json").write_text(json.dumps(SUITE, indent=2),
                                                               encoding="utf-8")
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TARIFF_AUDIT_")}
    env.update(PYTHONPATH=str(project), TARIFF_AUDIT_DATA=str(data), DAGSTER_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(found["package"]).is_relative_to(project)  # the copy, not this checkout
    assert found["success"]
    assert found["group"] == "legal"
    assert found["deps"] == ["staging/ledger_instruments"]
    assert found["description"] == "How many legal instruments of each kind the ledger holds."
    assert found["code_version"]
    assert found["checks"] == {"expectations": True}
    assert found["contracts"] == {"columns_match_ddl": True, "kind_unique": True,
                                  "instruments_positive": True}
    assert found["published_deps"]

    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        live = con.execute(f"SELECT kind, instruments FROM marts.{NAME} ORDER BY 1").fetchall()
        expected = con.execute("SELECT coalesce(kind, 'unknown'), count(*) FROM "
                               "staging.ledger_instruments GROUP BY ALL ORDER BY 1").fetchall()
    assert live == expected and sum(n for _, n in live) > 10
    published = data / "published" / "warehouse.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute(f"SELECT kind, instruments FROM marts.{NAME} ORDER BY 1"
                           ).fetchall() == live
        assert con.execute("SELECT comment FROM duckdb_columns() WHERE table_name = $t AND "
                           "column_name = 'instruments'", {"t": NAME}).fetchall() == [
            ("How many instruments of that kind.",)]
