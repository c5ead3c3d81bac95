"""The HTS parser on every real USITC export in ../shared/data/hts (2025 and 2026 revisions)."""

from pathlib import Path

import duckdb
import pytest

from pipelines.lib.rules import audit
from pipelines.lib.rules.ledger import ledger
from pipelines.lib.sources.hts import reader as hts
from pipelines.lib.warehouse import ensure_schemas, ensure_table, run, transaction

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
            hts.load_release_records(con, path, release, path.name)
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
