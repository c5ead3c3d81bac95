"""The Census answer reader on every real API answer in ../shared/data/census."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.census import reader as census
from pipelines.lib.warehouse import ensure_schemas, run, transaction

pytestmark = pytest.mark.shared


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schemas(con)
    yield con
    con.close()


def _answer_files(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "census").glob("*.json"))
    assert len(files) == 9
    return files


def test_every_real_answer_reads_with_its_own_header(shared_data, con):
    for path in _answer_files(shared_data):
        answer = json.loads(path.read_text())
        header = tuple(answer[0])
        endpoint = "exports_hs" if "E_COMMODITY" in header else "imports_hs"
        rows = census.read_answers(con, endpoint, [path], header)
        assert rows == len(answer) - 1, path.name
        # Values come back by header position, whatever the column order of the answer.
        value_column = next(v for v in header if v.endswith(("_VAL_YR", "_VAL_MO")))
        total = run(con, "SELECT sum(a.r[list_position(h.header, $v)]::BIGINT) FROM _census_rows a "
                         "JOIN _census_headers h USING (filename) WHERE a.r <> h.header",
                    {"v": value_column})[0][0]
        position = header.index(value_column)
        assert total == sum(int(r[position]) for r in answer[1:]), path.name


def test_real_exports_load_month_by_month(shared_data, con, tmp_path):
    source = shared_data / "census" / "exports_hs10_monthly_2024-01_2026-01_cty4419.json"
    answer = json.loads(source.read_text())
    month_dir = tmp_path / "census" / "exports_hs" / "2025-03"
    month_dir.mkdir(parents=True)
    # One month of the real answer in the snapshot layout: header plus that month's rows.
    time_at = answer[0].index("time")
    rows = [answer[0]] + [r for r in answer[1:] if r[time_at] == "2025-03"]
    (month_dir / "CTY_CODE=4419.json").write_text(json.dumps(rows))
    with transaction(con):
        raw = census.load_raw_month(con, "exports_hs", "2025-03",
                                    [month_dir / "CTY_CODE=4419.json"], tmp_path)
        staged, quarantined = census.build_staging_month(con, "exports_hs", "2025-03", 0.0)
    assert raw == staged == len(rows) - 1 and quarantined == 0
    value_at = answer[0].index("ALL_VAL_MO")
    assert run(con, "SELECT sum(all_val) FROM staging.exports_monthly")[0][0] == sum(
        int(r[value_at]) for r in rows[1:])
    assert run(con, "SELECT DISTINCT period::VARCHAR FROM staging.exports_monthly") == [
        ("2025-03-01",)]


def test_a_multi_month_answer_is_refused_for_one_month(shared_data, con, tmp_path):
    path = tmp_path / "census" / "exports_hs" / "2024-01" / "x.json"
    path.parent.mkdir(parents=True)
    shutil.copy(shared_data / "census" / "exports_hs10_monthly_2024-01_2026-01_cty4419.json", path)
    with pytest.raises(SourceError) as err:
        census.load_raw_month(con, "exports_hs", "2024-01", [path], tmp_path)
    assert err.value.field == "time" and "x.json" in str(err.value)
