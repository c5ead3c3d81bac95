"""The Census answer reader on every real API answer in ../shared/data/census."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.census import reader as census
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_schemas
from pipelines.lib.warehouse.transactions import transaction

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


def _by_month(answer: list, relabel=None) -> dict[str, list]:
    """A multi-month real answer split into one answer per month (header first)."""
    header, time_at = answer[0], answer[0].index("time")
    months: dict[str, list] = {}
    for row in answer[1:]:
        months.setdefault(row[time_at], [header]).append(relabel(row) if relabel else row)
    return months


def _load_months(con, tmp_path, endpoint, name, months, plausibility) -> list[str]:
    """Load each month in order as the pipeline does (raw vintage, then staging with the
    contract's plausibility rules, no quarantine allowed); returns the months loaded."""
    for period, rows in sorted(months.items()):
        path = tmp_path / "census" / endpoint / period / name
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(rows))
        with transaction(con):
            census.load_raw_month(con, endpoint, period, [path], tmp_path)
            census.build_staging_month(con, endpoint, period, 0.0, plausibility)
    return sorted(months)


def test_real_monthly_series_pass_the_plausibility_contract(shared_data, con, tmp_path):
    """The thresholds of the staging contracts against the real monthly answers: Switzerland's
    HS10 exports 2024-01..2026-01 (gold to Switzerland in April 2025 is 917x its line's
    earlier record and 37% of the month, 3.1 bn USD: real, so it must pass) and Japan's
    chapter totals 2013-01..2021-07 read as lines (the 2020 slump and rebound included). A
    flagged row would raise: the quarantine allows none here."""
    from pipelines.defs.quality.checks import plausibility

    exports = json.loads((shared_data / "census" /
                          "exports_hs10_monthly_2024-01_2026-01_cty4419.json").read_text())
    limits = plausibility("staging.exports_monthly")
    assert len(_load_months(con, tmp_path, "exports_hs", "CTY_CODE=4419.json",
                            _by_month(exports), limits)) == 25
    # The yardsticks are what lets real jumps pass: gold bars (7108.11) in November 2025 are
    # 2,700x the line's largest other month, at 29 m USD; with a 10 m floor and no partner
    # yardstick the same rule quarantines them.
    con.begin()
    census.build_staging_month(con, "exports_hs", "2025-11", 1.0,
                               {**limits, "partner_total_factor": 0.0, "min_usd": 1e7})
    flagged = run(con, "SELECT record ->> 'e_commodity', value FROM quarantine.exports_monthly "
                       "WHERE rule = 'outside_history'")
    con.rollback()
    assert flagged == [("7108110000", "29222516")]

    japan = json.loads((shared_data / "census" /
                        "imports_hs2_monthly_2013-01_2021-07_cty5880.json").read_text())
    header = japan[0]
    at = {v: header.index(v) for v in ("I_COMMODITY", "COMM_LVL")}

    def as_line(row):
        row = list(row)
        row[at["I_COMMODITY"]] = row[at["I_COMMODITY"]] + "00000000"
        row[at["COMM_LVL"]] = "HS10"
        return row

    loaded = _load_months(con, tmp_path, "imports_hs", "CTY_CODE=5880.json",
                          _by_month(japan, as_line), plausibility("staging.imports_monthly"))
    assert len(loaded) == 103
    assert run(con, "SELECT count(*) FROM quarantine.imports_monthly")[0][0] == 0


def test_real_chapter_totals_pass_the_completeness_contract(shared_data, con, tmp_path):
    """Japan's real monthly chapter totals 2013-2021: chapters of up to 2.6 m USD come and go
    between months; none at or above the contract's min_chapter_usd vanishes. With a 1 USD
    threshold the same data fails, so the check can fail."""
    from pipelines.defs.quality.checks import check_parameters, sql_checks

    japan = json.loads((shared_data / "census" /
                        "imports_hs2_monthly_2013-01_2021-07_cty5880.json").read_text())
    months = _by_month(japan)
    for period, rows in sorted(months.items()):
        path = tmp_path / "census" / "imports_hs" / period / "CTY_CODE=5880_COMM_LVL=HS2.json"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(rows))
        census.load_raw_month(con, "imports_hs", period, [path], tmp_path)
    check = next(c for c in sql_checks()["raw.census_imports"]
                 if c.check_name == "japan_chapters_not_vanished")
    keys = [f"{m}-01" for m in sorted(months)]
    limits = check_parameters("raw.census_imports")
    binds = dict(check.binds)
    assert run(con, check.sql, {"keys": keys, **limits, **binds}) == []
    vanished = run(con, check.sql, {"keys": keys, "min_chapter_usd": 1, **binds})
    assert vanished and all("no HS10 row and no chapter total" in v for _, v in vanished)
