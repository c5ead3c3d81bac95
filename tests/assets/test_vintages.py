"""Census revisions: every fetch of a month is kept as a vintage, staging and the marts use the
latest, and marts.data_revisions shows what the new vintage changed."""

import json
import os
from datetime import datetime

import duckdb

from pipelines.stages import MARTS
from tests.assets.conftest import JAPAN_AUTOS


def test_a_new_vintage_is_kept_used_and_explained(case):
    rows = case.answer()
    header = rows[0]
    at = {name: header.index(name) for name in ("I_COMMODITY", "CON_VAL_MO", "CAL_DUT_MO", "RP",
                                                 "LAST_UPDATE")}
    revised = rows[1]
    old_value, old_duty = revised[at["CON_VAL_MO"]], revised[at["CAL_DUT_MO"]]
    revised[at["CON_VAL_MO"]] = str(int(old_value) + 1_000_000)
    # Census revised the month (a newer LAST_UPDATE on every row of the answer), but the file
    # carries an older modification time than the month's other answers: the source's own
    # date decides which vintage is the latest, never the file's mtime.
    for row in rows[1:]:
        row[at["LAST_UPDATE"]] = "2026-07-02"
    dropped = rows.pop(2)
    path = case.write(JAPAN_AUTOS, json.dumps(rows).encode())
    earlier = path.stat().st_mtime - 30 * 86_400
    os.utime(path, (earlier, earlier))

    assert case.run_month().success
    assert case.run(MARTS).success

    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        vintages, latest = con.execute(
            "SELECT count(DISTINCT vintage), max(vintage) FROM raw.census_imports "
            "WHERE period = DATE '2025-10-01'").fetchone()
        staged = con.execute(
            "SELECT con_val, cal_dut FROM staging.imports_monthly WHERE period = "
            "DATE '2025-10-01' AND cty_code = '5880' AND hs10 = ? AND rate_provision = ?",
            [revised[at["I_COMMODITY"]], revised[at["RP"]]]).fetchall()
        revisions = con.execute(
            "SELECT hs10, field, old_value, new_value FROM marts.data_revisions "
            "WHERE period = DATE '2025-10-01' AND cty_code = '5880' ORDER BY ALL").fetchall()
        dates = con.execute(
            "SELECT cty_code, hs10, old_value, new_value FROM marts.data_revisions "
            "WHERE period = DATE '2025-10-01' AND field = 'LAST_UPDATE'").fetchall()
        audited = con.execute(
            "SELECT sum(con_val) FROM marts.japan_line_audit WHERE period = DATE '2025-10-01' "
            "AND hs10 = ?", [revised[at["I_COMMODITY"]]]).fetchone()[0]
    assert vintages == 2
    assert latest == datetime(2026, 7, 2)
    assert staged == [(int(old_value) + 1_000_000, int(old_duty))]
    assert (revised[at["I_COMMODITY"]], "CON_VAL_MO", old_value,
            revised[at["CON_VAL_MO"]]) in revisions
    assert (dropped[at["I_COMMODITY"]], "row", "present", None) in revisions
    # Issue 20: the revision date was recorded as a changed value of every row of the month
    # (170,632 rows for a 33-month revision changing 32 values); it is the month's, once
    assert dates == [(None, None, "2026-06-04", "2026-07-02")]
    assert {field for _, field, _, _ in revisions} == {"CON_VAL_MO", "row"}
    assert audited >= int(old_value) + 1_000_000


def test_a_revision_seen_only_in_a_later_row_is_loaded(case, monkeypatch):
    """Issue 20: the incremental run dated a month by the first row of each answer, so a
    revised LAST_UPDATE (and value) in a later row was never loaded. A month whose answer
    files are not those it was last loaded from is loaded; the load dates it by every row."""
    from pipelines.runner import partitions_to_load

    rows = case.answer()
    at = {name: rows[0].index(name) for name in ("I_COMMODITY", "RP", "CON_VAL_MO",
                                                 "LAST_UPDATE")}
    revised = rows[5]
    revised[at["LAST_UPDATE"]] = "2026-08-06"
    revised[at["CON_VAL_MO"]] = str(int(revised[at["CON_VAL_MO"]]) + 1000)
    case.write_answer(rows)
    monkeypatch.setenv("TARIFF_AUDIT_WAREHOUSE", str(case.warehouse))
    loaded = ["2025-08-01", "2025-09-01", "2025-10-01", "2025-11-01"]
    assert partitions_to_load([], loaded, case.root, live=False)[1] == ["2025-10-01"]
    assert case.run_month().success
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        staged = con.execute(
            "SELECT max(vintage), sum(con_val) FILTER (WHERE hs10 = ? AND rate_provision = ?) "
            "FROM staging.imports_monthly WHERE period = DATE '2025-10-01' "
            "AND cty_code = '5880'", [revised[at["I_COMMODITY"]], revised[at["RP"]]]).fetchone()
    assert staged == (datetime(2026, 8, 6), int(revised[at["CON_VAL_MO"]]))
    assert partitions_to_load([], loaded, case.root, live=False)[1] == []  # loaded: nothing new now
