"""The HTS parser on every real USITC export in ../shared/data/hts (2025 and 2026 revisions)."""

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.rules import audit
from pipelines.lib.rules.ledger.loader import ledger
from pipelines.lib.sources.hts import reader as hts
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_schemas, ensure_table
from pipelines.lib.warehouse.transactions import transaction

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def loaded(shared_data: Path, tmp_path_factory) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path_factory.mktemp("hts") / "w.duckdb"))
    ensure_schemas(con)
    files = sorted((shared_data / "hts").glob("*.json.gz"))
    releases = []
    with transaction(con):
        for path in files:
            release = hts.release_name(path)
            releases.append(release)
            _, collapsed = hts.load_release_records(con, path, release, path.name)
            # no real release repeats an HTS number (with another rate or identically)
            assert collapsed == [], (release, collapsed)
        hts.build_lines(con, releases)
        hts.build_chapter99(con, releases)
        ensure_table(con, "raw/hts_releases")  # no releaseList here: order comes from names
        audit.load_ledger_tables(con, ledger())
        audit.build_provision_timeline(con)
        audit.build_revision_changes(con)
    yield con
    con.close()


def test_every_release_loads(loaded, shared_data):
    files = sorted((shared_data / "hts").glob("*.json.gz"))
    assert len(files) == 44
    per_release = dict(run(loaded, "SELECT release, count(*) FROM raw.hts_records GROUP BY 1"))
    assert len(per_release) == 44
    assert all(35_000 <= n <= 37_000 for n in per_release.values()), per_release


def test_every_line_carries_rate_text_and_98_percent_parse(loaded):
    rows = run(loaded, """
        SELECT release, count(*) AS lines,
               count(*) FILTER (WHERE general_text IS NULL) AS without_text,
               count(*) FILTER (WHERE rate_kind <> 'other') / count(*) AS numeric_share
        FROM staging.hts_lines WHERE chapter <= '97' GROUP BY 1 ORDER BY 1""")
    assert len(rows) == 44
    for release, lines, without_text, share in rows:
        assert lines > 19_000, release
        assert without_text == 0, f"{release}: {without_text} lines without rate text"
        assert share >= 0.98, f"{release}: only {share:.3%} parsed into numbers"


def test_numbers_match_the_text(loaded):
    # Spot checks of well-known lines in the 2025 basic edition.
    got = {r[0]: r[1:] for r in run(loaded, """
        SELECT hs10, rate_kind, ad_valorem, specific_amount, specific_unit, rate_source
        FROM staging.hts_lines WHERE release = '2025HTSBasic'
          AND hs10 IN ('8703230190', '0201308090', '2709002090', '8486200000', '0101210010')""")}
    assert got["8703230190"][:2] == ("ad_valorem", 0.025)
    assert got["0201308090"][:2] == ("ad_valorem", 0.264)
    assert got["2709002090"][0] == "specific" and got["2709002090"][2:4] == (0.105, "bbl")
    assert got["8486200000"][-1] == "own"  # a 10-digit line with no 8-digit record
    assert got["0101210010"][:2] == ("free", 0.0) and got["0101210010"][-1] == "hs8"


def test_other_keeps_its_text(loaded):
    missing = run(loaded, "SELECT count(*) FROM staging.hts_lines WHERE chapter <= '97' "
                          "AND rate_kind = 'other' AND general_text IS NULL")[0][0]
    assert missing == 0


def test_deal_headings_first_appear_in_revision_23(loaded):
    first = dict(run(loaded, """
        SELECT c.heading, min_by(c.release, r.ordinal_release)
        FROM staging.hts_chapter99 c
        JOIN (SELECT release,
                     left(release, 4) || CASE WHEN release LIKE '%Basic' THEN '000'
                         ELSE lpad(split_part(release, 'Rev', 2), 3, '0') END AS ordinal_release
              FROM (SELECT DISTINCT release FROM staging.hts_chapter99)) r USING (release)
        WHERE c.heading IN ('9903.02.72', '9903.02.73', '9903.94.40', '9903.94.41',
                            '9903.94.42', '9903.94.43', '9903.96.02', '9903.02.30')
        GROUP BY 1"""))
    assert first.pop("9903.02.30") == "2025HTSRev18"
    assert set(first.values()) == {"2025HTSRev23"}, first
    assert len(first) == 7


def test_chapter99_effects_of_the_japan_headings(loaded):
    got = dict(run(loaded, """
        SELECT heading, effect || coalesce(':' || ad_valorem, '') FROM staging.hts_chapter99
        WHERE release = '2025HTSRev23'
          AND heading IN ('9903.02.72', '9903.02.73', '9903.02.30')"""))
    assert got == {"9903.02.72": "keep", "9903.02.73": "set:0.15", "9903.02.30": "add:0.15"}


def test_provision_timeline_finds_the_first_release_in_the_data(loaded):
    first = dict(run(loaded, "SELECT heading, first_release FROM marts.provision_timeline"))
    for heading in ("9903.02.72", "9903.02.73", "9903.94.40", "9903.94.41", "9903.94.42",
                    "9903.94.43", "9903.96.02"):
        assert first[heading] == "2025HTSRev23", heading
    assert first["9903.02.30"] == "2025HTSRev18"
    assert first["9903.03.01"] == "2026HTSRev4"


def test_revision_23_adds_the_deal_headings(loaded):
    added = {r[0] for r in run(loaded, """
        SELECT hts_code FROM marts.hts_revision_changes
        WHERE release = '2025HTSRev23' AND previous_release = '2025HTSRev22'
          AND scope = 'chapter99' AND change = 'added'""")}
    assert {"9903.02.72", "9903.02.73", "9903.94.40", "9903.94.41", "9903.94.42", "9903.94.43",
            "9903.96.02"} <= added
    # Markup-only differences (m<sup>2</sup> vs m2) are not changes.
    markup = run(loaded, "SELECT count(*) FROM marts.hts_revision_changes "
                         "WHERE change = 'changed' AND before_text = after_text")[0][0]
    assert markup == 0


# --- the coverage contract of the law and the product lists, on every real release -----------

def test_every_chapter99_heading_of_every_release_is_accounted_for(loaded):
    with transaction(loaded):
        audit.build_unmodelled_provisions(loaded)
    coverage = dict(run(loaded, "SELECT coverage, count(DISTINCT heading) "
                                "FROM marts.unmodelled_provisions GROUP BY 1"))
    unaccounted = run(loaded, "SELECT DISTINCT heading FROM marts.unmodelled_provisions "
                              "WHERE coverage = 'unaccounted' ORDER BY 1")
    assert not unaccounted, f"headings no entry of chapter99.yaml accounts for: {unaccounted}"
    assert coverage["not_modelled"] > 0
    releases = run(loaded, "SELECT count(DISTINCT release) FROM marts.unmodelled_provisions")
    assert releases == [(44,)]
    # The SQL contracts of the mart pass on the real releases too.
    from pipelines.lib.quality.sql_checks import load_sql_checks
    for check in load_sql_checks(Path("sql/checks/marts.unmodelled_provisions.sql")):
        assert run(loaded, check.sql) == [], check.check_name


def test_statuses_of_the_headings_in_the_real_releases(loaded):
    # Each distinct heading of the 44 releases gets exactly one status (first matching entry).
    rows = dict(run(loaded, """
        WITH headings AS (SELECT DISTINCT trim(htsno) AS heading FROM raw.hts_records
                          WHERE regexp_full_match(trim(htsno), '99\\d\\d\\.\\d\\d\\.\\d\\d')),
        matched AS (
            SELECT h.heading, c.status FROM headings h JOIN staging.ledger_chapter99 c
              ON CASE WHEN c.is_prefix THEN starts_with(h.heading, c.heading_from)
                      ELSE h.heading BETWEEN c.heading_from AND c.heading_to END
            QUALIFY row_number() OVER (PARTITION BY h.heading ORDER BY c.entry) = 1)
        SELECT status, count(*) FROM matched GROUP BY 1"""))
    print(f"\nChapter 99 headings of the 44 releases by status: {rows}")
    assert set(rows) == {"modelled", "not_applicable", "not_modelled"}
    # Every heading that names Japan is modelled or a documented gap, never dismissed.
    japan = run(loaded, """
        SELECT DISTINCT trim(htsno) FROM raw.hts_records
        WHERE regexp_full_match(trim(htsno), '9903\\.\\d\\d\\.\\d\\d')
          AND regexp_matches(description, '\\bJapan\\b')""")
    assert {h for (h,) in japan} >= {"9903.02.30", "9903.02.72", "9903.02.73", "9903.76.21",
                                     "9903.94.40", "9903.94.43", "9903.96.02", "9903.82.22"}


def test_every_product_list_entry_matches_a_real_line(loaded):
    book = ledger()
    codes = {r[0] for r in run(loaded, "SELECT DISTINCT hs10 FROM staging.hts_lines")}
    for category in book.categories.categories:
        dead = [c for c in book.codes(category) if not any(h.startswith(c) for h in codes)]
        assert not dead, f"{category.id}: entries that match no line in any release: {dead}"


def test_the_lists_are_the_reference_extraction_with_its_known_defects_handled(shared_data):
    import csv

    book = ledger()
    folder = shared_data / "reference" / "tariff_lists"
    for name, listed in book.product_lists.lists.items():
        file = listed.source.split(" ")[0]
        with (folder / file).open() as handle:
            reference = [r[0].strip() for r in list(csv.reader(handle))[1:] if r and r[0].strip()]
        if name == "autos":
            reference = [c for c in reference if c.startswith(("8703", "8704"))]
        elif name == "auto_parts":
            reference = [c for c in reference if not c.startswith(("8703", "8704"))]
        if name in ("annex_ii_2025_11_agricultural", "annex_ii_2025_09_additions"):
            # The November list's codes the April list lacks: its farm goods and fertilizers
            # (13 Nov 2025), and the rest (EO 14346, 8 Sep 2025).
            with (folder / "annex-II-exemptions.csv").open() as handle:
                april = {r[0].strip()[:8] for r in list(csv.reader(handle))[1:] if r}
            farm = name == "annex_ii_2025_11_agricultural"
            reference = [c for c in reference
                         if c not in april and (c[:2] <= "24" or c[:2] == "31") == farm]
        if name == "annex_ii_2025_04":
            # Known defect: 8-digit subheadings padded with 00 - they cover every line beneath.
            assert all(len(c) == 10 and c.endswith("00") for c in reference)
            reference = [c[:8] for c in reference]
        assert sorted(set(reference) - set(listed.dropped)) == sorted(listed.codes), name
        assert set(listed.dropped) <= set(reference), name


def test_steel_by_heading_covers_what_the_chapter99_quota_headings_enumerate(loaded, shared_data):
    # Japan's in-quota headings (9903.81.25-.78) enumerate the steel mill subheadings the quota
    # covered. The ledger's steel category (by heading, as Proclamation 9705 defines it) covers
    # every one; the reference derivative list omits them (its README's known defect).
    import csv
    import re

    texts = run(loaded, """SELECT DISTINCT description FROM staging.hts_chapter99
                           WHERE heading BETWEEN '9903.81.25' AND '9903.81.78'""")
    subheadings = {s.replace(".", "") for (t,) in texts
                   for s in re.findall(r"\b7\d\d\d\.\d\d\.\d\d\b", t)}
    assert len(subheadings) > 100
    steel = ledger().categories.category("steel")
    assert all(any(s.startswith(p) for p in steel.prefixes) for s in subheadings)
    with (shared_data / "reference" / "tariff_lists" / "steel-tariffs.csv").open() as handle:
        reference = [r[0] for r in list(csv.reader(handle))[1:] if r]
    missed = {s for s in subheadings if not any(s.startswith(c) for c in reference)}
    assert {"72083900", "72139130", "72279060", "73042460"} <= missed


def test_annex_ii_padding_defect_is_handled(loaded):
    # 3002.15.00.11-style lines (not ending in 00) are exempt under the 8-digit subheading.
    codes = ledger().product_lists.lists["annex_ii_2025_04"].codes
    lines = [h for (h,) in run(loaded, "SELECT DISTINCT hs10 FROM staging.hts_lines "
                                       "WHERE release = '2025HTSRev10'")]
    covered = [h for h in lines if any(h.startswith(c) for c in codes)]
    assert sum(not h.endswith("00") for h in covered) > 100


# --- the daily statutory series on the real releases --------------------------------------------

# Japan's own 2024 HS10 answer is withheld from ../shared (kept for independent checks): the
# fixed-weight series is measured on Korea's real 2024 basket (autos, parts, machinery, steel,
# chips - the closest in shape), rated by Japan's law. The figures are printed for the closing note.
STAND_IN = "5800"
SERIES_END = "2026-09-30"


@pytest.fixture(scope="module")
def dated(loaded, shared_data):
    """The real releases with start dates, a real 2024 basket, and what is built on them: the
    daily series and the provision timeline (in a transaction rolled back afterwards)."""
    import csv

    with (shared_data / "reference" / "hts_revision_dates_budget_lab.csv").open() as handle:
        dates = {row["revision"]: row["effective_date"] for row in csv.DictReader(handle)}

    def start(release: str) -> date:
        # The public tracker's revision dates stand in for releaseList; 2026 revision 8 has no
        # date there and is taken to start the day after revision 7.
        year, rev = release[:4], release[7:]
        key = ("" if year == "2025" else f"{year}_") + ("basic" if rev == "Basic"
                                                       else f"rev_{rev.removeprefix('Rev')}")
        if key not in dates:
            return start(f"{year}HTSRev{int(rev.removeprefix('Rev')) - 1}") + timedelta(days=1)
        return date.fromisoformat(dates[key])

    book = ledger()
    book = book.model_copy(update={"audit": book.audit.model_copy(update={
        "country_code": STAND_IN, "daily_to": date.fromisoformat(SERIES_END)})})
    census = shared_data / "census" / f"imports_hs10_ytd_2024-12_cty{STAND_IN}.json"
    run(loaded, "BEGIN TRANSACTION")
    try:   # everything below is rolled back: the other tests see the module's warehouse as is
        ensure_table(loaded, "staging/imports_monthly")
        releases = [r for (r,) in run(loaded, "SELECT DISTINCT release FROM raw.hts_records")]
        run(loaded, "INSERT INTO raw.hts_releases (release, release_start_date) "
                    "SELECT unnest($r), unnest($d)::DATE",
            {"r": releases, "d": [start(r) for r in releases]})
        run(loaded, """
            INSERT INTO staging.imports_monthly (period, cty_code, cty_name, hs10, con_val,
                                                 cal_dut, rate_provision)
            WITH a AS (SELECT r FROM read_json($f, format = 'array', records = 'false',
                                               columns = {r: 'VARCHAR[]'})),
                 h AS (SELECT r AS header FROM a LIMIT 1)
            SELECT DATE '2024-12-01', r[list_position(header, 'CTY_CODE')],
                   r[list_position(header, 'CTY_NAME')], r[list_position(header, 'I_COMMODITY')],
                   r[list_position(header, 'CON_VAL_YR')]::BIGINT,
                   r[list_position(header, 'CAL_DUT_YR')]::BIGINT, ''
            FROM a, h WHERE r <> header""", {"f": str(census)})
        audit.build_statutory_rate_daily(loaded, book)
        rows = run(loaded, """
            SELECT date, statutory_rate, statutory_low_rate, agreement_rate, rated_value_share,
                   hts_release, law_regime
            FROM marts.statutory_rate_daily ORDER BY date""")
        audit.build_provision_timeline(loaded)
        lags = run(loaded, """
            SELECT heading, published_on, legal_effective_on, first_release,
                   days_law_to_schedule, days_effect_to_schedule
            FROM marts.provision_timeline ORDER BY legal_effective_on, heading""")
    finally:
        run(loaded, "ROLLBACK")
    return {"series": rows, "lags": lags}


def test_daily_series_on_the_real_releases_moves_only_with_the_law(dated):
    daily = dated["series"]
    first, last = daily[0][0], daily[-1][0]
    assert (str(first), str(last)) == ("2025-01-01", SERIES_END)
    assert len(daily) == (last - first).days + 1
    # Year-to-date answers carry no quantities: specific and compound rates stay unrated.
    assert all(row[4] > 0.9 for row in daily), "rated share of the 2024 basket"
    assert all(row[2] <= row[1] + 1e-12 for row in daily)
    moves = [(today, before) for before, today in zip(daily, daily[1:], strict=False)
             if abs(today[1] - before[1]) > 1e-9]
    print(f"\nJapan's law on the real 2024 basket of {STAND_IN} (fixed weights):")
    print("  date        statutory  low      promised  rated   release        law regime")
    for row in daily:
        if row[0].day == 1:
            promised = "   n/a " if row[3] is None else f"{row[3]:7.2%}"
            print(f"  {row[0]}  {row[1]:7.2%}  {row[2]:7.2%}  {promised}  {row[4]:6.2%}  "
                  f"{row[5]:<13}  {row[6]}")
    print("  moves:")
    for today, before in moves:
        print(f"  {today[0]}  {before[1]:7.2%} -> {today[1]:7.2%}  ({before[5]} -> {today[5]};"
              f" {before[6]} -> {today[6]})")
    by_day = {str(row[0]): row for row in daily}
    # Every move of the rate from one day to the next comes with a new law regime or release.
    assert moves and all(t[6] != b[6] or t[5] != b[5] for t, b in moves)
    # Autos at 25 % + m, the reciprocal baseline (+10 on what Section 232 leaves), the autos
    # floor (27.5 % -> 15 % for a car), Section 122 (m + 10 % < max(15 %, m) for the typical
    # line), and the metals annexes.
    assert by_day["2025-04-03"][1] > by_day["2025-04-02"][1] + 0.05
    assert by_day["2025-04-05"][1] > by_day["2025-04-04"][1] + 0.03
    assert by_day["2025-09-16"][1] < by_day["2025-09-15"][1] - 0.01
    assert by_day["2026-02-24"][1] < by_day["2026-02-23"][1] - 0.01
    assert by_day["2026-04-06"][1] != by_day["2026-04-05"][1]
    # Promise from 7 Aug 2025 (the retroactive floor) only.
    assert by_day["2025-08-06"][3] is None and by_day["2025-08-07"][3] is not None


def test_both_lags_of_each_provision_on_the_real_releases(dated):
    lags = {row[0]: row for row in dated["lags"]}
    print("\nlags to the first real release carrying the heading (days):")
    for heading, published, effective, release, from_publication, from_effect in dated["lags"]:
        print(f"  {heading}  {release or 'none':<13} from publication {from_publication}, "
              f"from legal effect {from_effect}")
        if release is not None and published is not None and effective is not None:
            assert from_effect - from_publication == (published - effective).days, heading
    # The agreement's floor was retroactive to 7 Aug 2025: the schedule carried it weeks after
    # the law took effect, days after the order was published.
    floor = lags["9903.02.73"]
    assert floor[3] == "2025HTSRev23" and floor[5] > floor[4] > 0 and floor[5] >= 30
