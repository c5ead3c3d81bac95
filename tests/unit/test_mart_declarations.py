"""Each mart is declared once, in its SQL file's header: the parser reads every real file, and
a malformed header names its file and what is wrong."""

from pathlib import Path

import pytest

from pipelines.defs.marts.factory import mart_keys
from pipelines.lib.marts import DeclarationError, declared_marts, read_mart


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


def test_the_mart_keys_come_in_build_order():
    keys = mart_keys()
    marts = declared_marts()
    assert sorted(keys) == sorted(f"marts/{n}" for n in marts)
    for position, key in enumerate(keys):
        for table in marts[key.split("/")[1]].tables:
            if table.startswith("marts."):
                assert keys.index(table.replace(".", "/")) < position, (key, table)
