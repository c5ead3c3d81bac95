"""Each mart is declared once, in its SQL file's header: the parser reads every real file, a
malformed header names its file, and a mart's code version (and so its rebuild) follows its own
SQL and nothing else."""

import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.defs.marts.factory import _steps, mart_keys
from pipelines.lib import incremental
from pipelines.lib.marts import DeclarationError, declared_marts, read_mart
from pipelines.lib.paths import sql_dir
from pipelines.lib.warehouse.execute import run


def test_every_mart_file_declares_its_group_reads_and_description():
    marts = declared_marts()
    assert len(marts) >= 18
    for name, mart in marts.items():
        assert mart.table == f"marts.{name}"
        assert mart.group and mart.tables and len(mart.description) > 20, name
    line_audit = marts["japan_line_audit"]
    assert line_audit.inputs["staging.imports_monthly"] == "cty_code = $country"
    assert line_audit.inputs["staging.hts_lines"] is None
    assert marts["effective_rates_monthly"].preview_where == "cty_code = '5880' AND sector = 'all'"
    assert marts["effective_rates_monthly"].preview_order == "ORDER BY period DESC"
    # the scorecard reads what its measure files read
    scorecard = marts["implementation_scorecard"]
    assert {p.parent.name for p in scorecard.includes} == {"scorecard"}
    assert "marts.japan_line_audit" in scorecard.tables


def _write(tmp_path: Path, text: str, name: str = "broken") -> Path:
    path = tmp_path / f"{name}.sql"
    path.write_text(text + "\n-- name: ddl\nCREATE TABLE marts.x (a INT);\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("header", "message"), [
    ("-- marts.other: wrong name\n-- group: g\n-- reads: staging.t", "first line must be"),
    ("-- marts.broken: no group here\n-- reads: staging.t", "group"),
    ("-- marts.broken: nothing read\n-- group: g", "reads"),
    ("-- marts.broken: a bad table\n-- group: g\n-- reads: staging", "not a schema.table"),
    ("-- marts.broken: filter on two\n-- group: g\n-- reads: staging.a, staging.b WHERE x = 1",
     "names one table"),
])
def test_a_malformed_header_names_the_file_and_what_is_wrong(tmp_path, header, message):
    path = _write(tmp_path, header)
    with pytest.raises(DeclarationError, match=message) as raised:
        read_mart(path)
    assert str(path) in str(raised.value)


def test_a_header_ends_at_the_first_statement(tmp_path):
    path = _write(tmp_path, "-- marts.broken: only the header counts\n-- group: g\n"
                            "-- reads: staging.a\n-- preview: ORDER BY a")
    path.write_text(path.read_text() + "-- reads: staging.not_this\n", encoding="utf-8")
    mart = read_mart(path)
    assert mart.tables == ["staging.a"] and mart.description == "Only the header counts."
    assert (mart.preview_where, mart.preview_order) == ("", "ORDER BY a")


def _copy_sql(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(sql_dir(), root)
    return root


def test_editing_one_marts_sql_changes_only_its_code_version_and_rebuild(tmp_path):
    before = {n: s.code_version for n, (s, _) in _steps(_copy_sql(tmp_path, "a")).items()}
    edited = _copy_sql(tmp_path, "b")
    path = edited / "marts" / "hts_revision_changes.sql"
    path.write_text(path.read_text() + "\n-- a comment\n", encoding="utf-8")
    after = {n: s.code_version for n, (s, _) in _steps(edited).items()}
    assert before.keys() == after.keys()
    assert [n for n in before if before[n] != after[n]] == ["hts_revision_changes"]
    # an included file is the including mart's code: a scorecard measure
    measure = edited / "marts" / "scorecard" / "ledger_only.sql"
    measure.write_text(measure.read_text() + "\n-- a comment\n", encoding="utf-8")
    assert read_mart(edited / "marts" / "implementation_scorecard.sql").code_version() != \
        read_mart(sql_dir() / "marts" / "implementation_scorecard.sql").code_version()

    con = duckdb.connect()
    builds = []

    def rebuild(name: str, versions: dict) -> bool:
        def build():
            builds.append(name)
            run(con, f"CREATE OR REPLACE TABLE marts.{name} AS SELECT 1 AS x")
        return incremental.rebuild_if_changed(con, f"marts/{name}", {}, build,
                                              code_version=versions[name])

    names = ("hts_revision_changes", "provision_timeline")
    run(con, "CREATE SCHEMA marts")
    assert all(rebuild(n, before) for n in names)
    assert not any(rebuild(n, before) for n in names)
    assert [n for n in names if rebuild(n, after)] == ["hts_revision_changes"]


def test_the_mart_keys_come_in_build_order():
    keys = mart_keys()
    marts = declared_marts()
    assert sorted(keys) == sorted(f"marts/{n}" for n in marts)
    for position, key in enumerate(keys):
        for table in marts[key.split("/")[1]].tables:
            if table.startswith("marts."):
                assert keys.index(table.replace(".", "/")) < position, (key, table)
