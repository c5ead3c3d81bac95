"""marts.line_rates on real lines of the real USITC releases: each corrected fact of the ledger
(refundable IEEPA duties, the Supreme Court's ruling, Section 122, the Section 301 action,
Proclamation 11020 on pharmaceuticals, Proclamation 11002 on semiconductors) asserted on dates
on both sides of the change, with the headings and instruments that carry it."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.rules import audit
from pipelines.lib.rules.ledger.loader import ledger
from pipelines.lib.sources.hts import reader as hts
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import transaction

pytestmark = pytest.mark.shared

# (file, release name, first day in force): the basic editions and the releases where a
# heading this test reads first appears; the law itself comes from the ledger's regimes
RELEASES = [("hts_2025_basic.json.gz", "2025HTSBasic", date(2025, 1, 1)),
            ("hts_2025_rev_23.json.gz", "2025HTSRev23", date(2025, 9, 16)),
            ("hts_2026_basic.json.gz", "2026HTSBasic", date(2026, 1, 1)),
            ("hts_2026_rev_10.json.gz", "2026HTSRev10", date(2026, 6, 8))]
TEXTILE = "5208114020"   # cotton poplin, column 1 9 %
CAR = "8703230190"       # passenger car, 2.5 % (Section 232 autos)
SWEATER = "6110202010"   # 16.5 %: at or above the 15 % floor
BEEF = "0201308090"      # 26.4 %
MEDICINE = "3004909210"  # Free (chapter 30, Proclamation 11020)
CHIPS = "8471500150"     # processing units, Free (Proclamation 11002)


@pytest.fixture(scope="module")
def rates(shared_data: Path, tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("rates") / "w.duckdb"))
    for name in ("raw/hts_records", "raw/hts_releases", "staging/imports_monthly"):
        ensure_table(con, name)
    with transaction(con):
        for file, release, start in RELEASES:
            hts.load_release_records(con, shared_data / "hts" / file, release, file)
            run(con, "INSERT INTO raw.hts_releases (release, release_start_date) VALUES (?, ?)",
                [release, start])
        hts.build_lines(con, [release for _, release, _ in RELEASES])
        audit.load_ledger_tables(con, ledger())
        audit.build_line_rates(con, ledger())
    yield con
    con.close()


def on(con, hs10: str, day: date) -> dict:
    cursor = con.execute("SELECT * FROM marts.line_rates WHERE hs10 = ? AND ? BETWEEN valid_from "
                         "AND valid_to", [hs10, day])
    names = [d[0] for d in cursor.description]
    (row,) = cursor.fetchall()
    return dict(zip(names, row, strict=True))


def test_intervals_cover_each_line_without_gaps_or_overlaps(rates):
    assert run(rates, """
        SELECT count(*) FROM (
            SELECT hs10, valid_from, lag(valid_to) OVER (PARTITION BY hs10 ORDER BY valid_from)
                AS before
            FROM marts.line_rates)
        WHERE before IS NOT NULL AND valid_from <> before + 1""") == [(0,)]
    first, last = run(rates, "SELECT min(valid_from), max(valid_to) FROM marts.line_rates")[0]
    assert first == date(2024, 1, 1) and last == ledger().as_of


@pytest.mark.parametrize(("day", "statutory", "agreement", "refundable", "heading"), [
    # reciprocal 10 % on top of column 1 (IEEPA): all of it refundable after the ruling
    (date(2025, 4, 20), 0.19, None, 0.10, "9903.01.25"),
    # stacking window: the law made retroactive owes max(15 %, m); its IEEPA part refundable
    (date(2025, 8, 20), 0.15, 0.15, 0.06, "9903.02.30"),
    (date(2025, 10, 15), 0.15, 0.15, 0.06, "9903.02.73"),
    # the last day of IEEPA duties, and the first day of Section 122 (not refundable)
    (date(2026, 2, 23), 0.15, 0.15, 0.06, "9903.02.73"),
    (date(2026, 2, 24), 0.19, 0.15, 0.0, "9903.03.01"),
    # Section 301 from 24 Jul 2026: column 1 topped up to 12.5 % (9903.05.49)
    (date(2026, 7, 23), 0.19, 0.15, 0.0, "9903.03.01"),
    (date(2026, 7, 24), 0.125, 0.15, 0.0, "9903.05.49"),
])
def test_a_general_line_below_the_floor(rates, day, statutory, agreement, refundable, heading):
    got = on(rates, TEXTILE, day)
    assert got["category"] == "general" and got["column1_rate"] == pytest.approx(0.09)
    assert got["statutory_rate"] == pytest.approx(statutory)
    assert got["agreement_rate"] == (None if agreement is None else pytest.approx(agreement))
    assert got["refundable_rate"] == pytest.approx(refundable)
    assert got["headings"] == [heading]


def test_the_section_301_days_come_from_the_instrument_not_a_loaded_release(rates):
    before, after = on(rates, TEXTILE, date(2026, 7, 23)), on(rates, TEXTILE, date(2026, 7, 24))
    assert (before["law_source"], after["law_source"]) == ("hts_release", "instrument")
    assert after["hts_release"] == "2026HTSRev10" and "s301-forced-labor" in after["instruments"]
    assert on(rates, TEXTILE, date(2024, 6, 1))["law_source"] == "earliest_release"


def test_section_232_autos_and_column_1_are_never_refundable(rates):
    # 25 % + m until 15 Sep 2025, then the agreement's 15 % under Section 232 (9903.94.41)
    assert on(rates, CAR, date(2025, 9, 15))["statutory_rate"] == pytest.approx(0.275)
    car = on(rates, CAR, date(2025, 9, 16))
    assert (car["statutory_rate"], car["agreement_rate"]) == (pytest.approx(0.15),
                                                              pytest.approx(0.15))
    assert car["refundable_rate"] == 0 and car["headings"] == ["9903.94.41"]
    # lines at or above the floor pay column 1 only: nothing above it to refund
    for hs10 in (SWEATER, BEEF):
        line = on(rates, hs10, date(2025, 10, 15))
        assert line["statutory_rate"] == pytest.approx(line["column1_rate"])
        assert line["refundable_rate"] == 0


def test_pharmaceuticals_under_proclamation_11020(rates):
    # exempt from Section 301 (9903.05.89) until Proclamation 11020 takes effect on 31 Jul 2026
    before = on(rates, MEDICINE, date(2026, 7, 30))
    assert before["category"] == "pharma" and before["statutory_rate"] == 0
    assert before["headings"] == ["9903.05.89"]
    # then up to 15 % including column 1 (9903.04.62), generics at column 1 (9903.04.67);
    # the promise is the most favourable treatment of any other country: the UK's column 1
    after = on(rates, MEDICINE, date(2026, 8, 15))
    assert (after["statutory_low_rate"], after["statutory_rate"]) == (0, pytest.approx(0.15))
    assert after["headings"] == ["9903.04.62", "9903.04.67"]
    assert after["agreement_rate"] == 0 and after["agreement_rule"] == "m"
    assert after["statutory_rule"] == "range(m, max(0.15, m))"


def test_semiconductors_under_proclamation_11002(rates):
    assert on(rates, CHIPS, date(2026, 1, 14))["statutory_rate"] == 0   # Annex II, exempt
    # 25 % on covered chips; chips excepted by use still owe Japan's 15 % reciprocal floor
    during = on(rates, CHIPS, date(2026, 2, 1))
    assert during["category"] == "semiconductors_232"
    assert (during["statutory_low_rate"], during["statutory_rate"]) == (pytest.approx(0.15),
                                                                        pytest.approx(0.25))
    # after the ruling, excepted chips owe column 1 only
    after = on(rates, CHIPS, date(2026, 3, 1))
    assert (after["statutory_low_rate"], after["statutory_rate"]) == (0, pytest.approx(0.25))
