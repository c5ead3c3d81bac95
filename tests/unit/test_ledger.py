"""The ledger's rules on DOMAIN.md's worked cases, and the loader's refusals."""

import shutil
from datetime import date

import pytest
import yaml

from pipelines.lib.paths import LEDGER_DIR
from pipelines.lib.rules.ledger.loader import LedgerError, ledger, load_ledger
from pipelines.lib.rules.ledger.queries import category_of, rates_on
from pipelines.lib.rules.ledger.rule_language import apply_rule

# One entry date inside every regime of the law, and what each worked case owes then.
BEFORE_TARIFFS = date(2024, 6, 15)
METALS_25 = date(2025, 3, 20)
AUTOS_ONLY = date(2025, 4, 4)
RECIPROCAL = date(2025, 4, 20)
PARTS = date(2025, 5, 20)
METALS_50 = date(2025, 6, 20)
COPPER = date(2025, 8, 3)
STACKING = date(2025, 8, 20)
STACKING_ANNEX_II = date(2025, 9, 10)
LAST_STACKING_DAY = date(2025, 9, 15)
AGREEMENT = date(2025, 9, 16)
WOOD = date(2025, 10, 20)
TRUCKS = date(2025, 11, 5)
AG_EXEMPT = date(2025, 12, 1)
SEMIS = date(2026, 2, 1)
SECTION_122 = date(2026, 3, 1)
METAL_ANNEXES = date(2026, 5, 1)
SECTION_301 = date(2026, 7, 27)
PHARMA = date(2026, 8, 15)
ALL_DATES = [BEFORE_TARIFFS, METALS_25, AUTOS_ONLY, RECIPROCAL, PARTS, METALS_50, COPPER,
             STACKING, STACKING_ANNEX_II, AGREEMENT, WOOD, TRUCKS, AG_EXEMPT, SEMIS, SECTION_122,
             METAL_ANNEXES, SECTION_301, PHARMA]


def owed(category, m, day):
    return rates_on(ledger(), category, m, day)


def test_every_regime_has_a_test_date():
    starts = {r.from_ for r in ledger().law.regimes}
    covered = {next(r.from_ for r in ledger().law.regimes
                    if r.from_ <= d and (r.to is None or d < r.to)) for d in ALL_DATES}
    assert covered == starts


@pytest.mark.parametrize(("day", "statutory", "filed", "agreement"), [
    (BEFORE_TARIFFS, 0.075, 0.075, None),
    (RECIPROCAL, 0.175, 0.175, None),
    (STACKING, 0.15, 0.225, 0.15),          # DOMAIN §5: 22.5 % filed, 15 % owed
    (AGREEMENT, 0.15, 0.15, 0.15),
    (SECTION_122, 0.175, 0.175, 0.15),      # m + 10 % above the promise
    (SECTION_301, 0.125, 0.125, 0.15),
])
def test_textiles_at_7_5_percent(day, statutory, filed, agreement):
    got = owed("general", 0.075, day)
    assert got["statutory"] == pytest.approx(statutory)
    assert got["as_filed"] == pytest.approx(filed)
    assert got["agreement"] == (pytest.approx(agreement) if agreement is not None else None)


def test_beef_at_26_4_percent():
    # Over-quota beef (0201.30.80) is among the November 2025 agricultural exemptions.
    beef = "0201308090"
    assert category_of(ledger(), beef, STACKING) == "general"
    stacking = owed("general", 0.264, STACKING)
    assert stacking["as_filed"] == pytest.approx(0.414)   # 41.4 % filed
    assert stacking["statutory"] == pytest.approx(0.264)  # 26.4 % owed
    assert owed("general", 0.264, RECIPROCAL)["statutory"] == pytest.approx(0.364)
    for day in (AG_EXEMPT, SECTION_122):
        category = category_of(ledger(), beef, day)
        assert category == "ag_exempt"   # added to Annex II on 13 Nov 2025
        assert owed(category, 0.264, day)["statutory"] == pytest.approx(0.264)


def test_passenger_car_at_2_5_percent():
    assert owed("autos", 0.025, BEFORE_TARIFFS)["statutory"] == pytest.approx(0.025)
    assert owed("autos", 0.025, AUTOS_ONLY)["statutory"] == pytest.approx(0.275)
    assert owed("autos", 0.025, LAST_STACKING_DAY)["statutory"] == pytest.approx(0.275)
    assert owed("autos", 0.025, AGREEMENT)["statutory"] == pytest.approx(0.15)
    assert owed("autos", 0.025, SECTION_122)["statutory"] == pytest.approx(0.15)
    assert owed("autos", 0.025, LAST_STACKING_DAY)["agreement"] is None
    assert owed("autos", 0.025, AGREEMENT)["agreement"] == pytest.approx(0.15)


@pytest.mark.parametrize("day", ALL_DATES)
def test_a_free_good_and_a_civil_aircraft_part(day):
    general = owed("general", 0.0, day)["statutory"]
    aircraft = owed("civil_aircraft", 0.0, day)["statutory"]
    expected_general = {RECIPROCAL: 0.10, PARTS: 0.10, METALS_50: 0.10, COPPER: 0.10,
                        STACKING: 0.15, STACKING_ANNEX_II: 0.15, AGREEMENT: 0.15, WOOD: 0.15,
                        TRUCKS: 0.15,
                        AG_EXEMPT: 0.15, SEMIS: 0.15,
                        SECTION_122: 0.10, METAL_ANNEXES: 0.10, SECTION_301: 0.125,
                        PHARMA: 0.125}.get(day, 0.0)
    assert general == pytest.approx(expected_general)
    # Aircraft pay reciprocal duties until the agreement exempts them from 16 Sep 2025.
    assert aircraft == pytest.approx(0.0 if day >= AGREEMENT else expected_general)


def test_specific_rate_through_its_ad_valorem_equivalent():
    ave = 0.50 / 10.0  # 50¢/kg on a good worth $10/kg
    assert owed("general", ave, AGREEMENT)["statutory"] == pytest.approx(0.15)
    assert owed("general", ave, SECTION_122)["statutory"] == pytest.approx(0.15)
    assert owed("general", ave, STACKING)["as_filed"] == pytest.approx(0.20)


@pytest.mark.parametrize(("day", "low", "rate"), [
    (BEFORE_TARIFFS, 0.0, 0.25), (METALS_25, 0.25, 0.25), (RECIPROCAL, 0.25, 0.25),
    (METALS_50, 0.50, 0.50), (STACKING, 0.50, 0.50), (AGREEMENT, 0.50, 0.50),
    (SECTION_122, 0.50, 0.50), (SECTION_301, 0.50, 0.50)])
def test_hot_rolled_steel_quota_then_not_covered(day, low, rate):
    # Japan's tariff-rate quota (to 11 Mar 2025): in-quota free of the 25 %, a range.
    category = category_of(ledger(), "7208100000", day)
    assert category == ("metals_annex_ia" if day >= METAL_ANNEXES else "steel")
    got = owed(category, 0.0, day)
    assert got["statutory"] == pytest.approx(rate)
    assert got["statutory_low"] == pytest.approx(low)
    if day >= STACKING:
        assert got["agreement"] == pytest.approx(0.50)


def test_trucks_semiconductors_and_annex_iii():
    assert category_of(ledger(), "8704230000", WOOD) == "general"
    assert category_of(ledger(), "8704230000", TRUCKS) == "mhd_vehicles"
    assert owed("mhd_vehicles", 0.25, TRUCKS)["statutory"] == pytest.approx(0.50)
    assert owed("buses", 0.02, TRUCKS)["statutory"] == pytest.approx(0.12)
    assert category_of(ledger(), "8471500150", SEMIS) == "semiconductors_232"
    semis = owed("semiconductors_232", 0.0, SEMIS)
    # covered chips paying the 25 % owe no reciprocal duty; chips excepted by use still owe
    # Japan's 15 % floor (Proclamation 11002, clause 5)
    assert (semis["statutory_low"], semis["statutory"]) == (pytest.approx(0.15),
                                                            pytest.approx(0.25))
    assert owed("metals_annex_iii", 0.02, METAL_ANNEXES)["statutory"] == pytest.approx(0.15)


def test_apply_rule_vocabulary():
    assert apply_rule("m", 0.03) == pytest.approx(0.03)
    assert apply_rule("0.5", 0.03) == pytest.approx(0.5)
    assert apply_rule("m + 0.10", 0.03) == pytest.approx(0.13)
    assert apply_rule("max(0.15, m)", 0.2) == pytest.approx(0.2)
    assert apply_rule("max(0.125, m)", 0.03) == pytest.approx(0.125)
    assert apply_rule("none", 0.03) is None
    assert apply_rule("m + 0.10", None) is None
    assert apply_rule("max(0.15, m)", None) is None
    assert apply_rule("0.5", None) == pytest.approx(0.5)
    assert apply_rule("range(m, m + 0.25)", 0.03) == pytest.approx(0.28)  # the high bound
    assert apply_rule("range(max(0.15, m), m + 0.25)", 0.03) == pytest.approx(0.28)


# --- the loader refuses a broken ledger, naming the file and the entry -------------------------

@pytest.fixture
def ledger_copy(tmp_path):
    target = tmp_path / "ledger"
    shutil.copytree(LEDGER_DIR, target)
    return target


def _edit(directory, name, change):
    path = directory / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_the_real_ledger_loads():
    book = load_ledger()
    assert len(book.law.regimes) >= 10 and book.law.regimes[-1].to is None


def test_an_overlap_is_refused(ledger_copy):
    _edit(ledger_copy, "regimes_japan.yaml",
          lambda d: d["regimes"][3].update({"from": date(2025, 4, 1)}))
    with pytest.raises(LedgerError, match=r"regimes_japan.yaml.*overlaps"):
        load_ledger(ledger_copy)


def test_a_gap_is_refused(ledger_copy):
    _edit(ledger_copy, "regimes_japan.yaml",
          lambda d: d["regimes"][3].update({"from": date(2025, 4, 10)}))
    with pytest.raises(LedgerError, match=r"regimes_japan.yaml.*gap before regime"):
        load_ledger(ledger_copy)


def test_an_unknown_rule_is_refused(ledger_copy):
    _edit(ledger_copy, "agreement_japan.yaml",
          lambda d: d["regimes"][1]["rules"]["general"].update({"rule": "m * 2"}))
    with pytest.raises(LedgerError, match=r"agreement_japan.yaml.*unknown rule 'm \* 2'"):
        load_ledger(ledger_copy)


def test_a_missing_citation_is_refused(ledger_copy):
    def strip(d):
        d["instruments"][0]["citation"] = None
        d["instruments"][0]["fr_doc"] = None
    _edit(ledger_copy, "instruments.yaml", strip)
    with pytest.raises(LedgerError, match=r"instruments.yaml.*neither a citation nor an fr_doc"):
        load_ledger(ledger_copy)


def test_a_category_without_citation_or_with_unknown_field_is_refused(ledger_copy):
    _edit(ledger_copy, "categories.yaml", lambda d: d["categories"][0].update({"citation": ""}))
    with pytest.raises(LedgerError, match=r"categories.yaml.*citation"):
        load_ledger(ledger_copy)
    shutil.copy(LEDGER_DIR / "categories.yaml", ledger_copy / "categories.yaml")
    _edit(ledger_copy, "categories.yaml", lambda d: d["categories"][0].update({"colour": "red"}))
    with pytest.raises(LedgerError, match=r"categories.yaml.*colour"):
        load_ledger(ledger_copy)


def test_a_rule_naming_an_unknown_instrument_is_refused(ledger_copy):
    _edit(ledger_copy, "regimes_japan.yaml",
          lambda d: d["regimes"][0]["rules"]["general"].update({"instrument": "eo-99999"}))
    with pytest.raises(LedgerError, match="unknown instrument 'eo-99999'"):
        load_ledger(ledger_copy)



def test_a_duplicated_instrument_id_is_refused_naming_the_file_and_the_id(ledger_copy):
    """The issue's probe: a copied entry gave "duplicate instrument ids", without file or id."""
    def duplicate(d):
        d["instruments"].append(dict(d["instruments"][2]))
    _edit(ledger_copy, "instruments.yaml", duplicate)
    twice = yaml.safe_load((ledger_copy / "instruments.yaml").read_text())["instruments"][2]["id"]
    with pytest.raises(LedgerError) as refused:
        load_ledger(ledger_copy)
    message = str(refused.value)
    assert message.startswith(f"ledger file {ledger_copy / 'instruments.yaml'}: "), message
    assert f"duplicate instrument id {twice!r}" in message and "instruments.2" in message

# --- refundable duties: exactly those resting on an instrument a court voided -----------------

def test_every_ieepa_duty_is_refundable_and_no_section_232_duty_is():
    book = ledger()
    for regime in book.law.regimes:
        for category, rule in regime.rules.items():
            instrument = book.instrument(rule.instrument)
            adds = not rule.exempt and rule.rule not in ("m", "none")
            assert rule.refundable == (instrument.authority == "ieepa" and adds), (
                regime.id, category)
            if rule.refundable:
                # from 5 Apr 2025 to 23 Feb 2026, the day before the ruling took effect
                assert regime.from_ >= date(2025, 4, 5) and regime.to <= date(2026, 2, 24)


def test_an_ieepa_duty_not_marked_refundable_is_refused(ledger_copy):
    _edit(ledger_copy, "regimes_japan.yaml",
          lambda d: d["regimes"][3]["rules"]["general"].pop("refundable"))
    with pytest.raises(LedgerError, match=r"rests on 'eo-14257-reciprocal', voided by "
                                          r"'scotus-learning-resources': mark it refundable"):
        load_ledger(ledger_copy)


def test_a_section_232_duty_marked_refundable_is_refused(ledger_copy):
    _edit(ledger_copy, "regimes_japan.yaml",
          lambda d: d["regimes"][2]["rules"]["autos"].update({"refundable": True}))
    with pytest.raises(LedgerError, match=r"autos: refundable, but its instrument "
                                          r"'proc-10908-autos' was not voided"):
        load_ledger(ledger_copy)


def test_voided_by_must_name_a_court_decision(ledger_copy):
    def point_at_a_proclamation(d):
        (eo,) = [i for i in d["instruments"] if i["id"] == "eo-14345-japan"]
        eo["voided_by"] = "proc-10908-autos"
    _edit(ledger_copy, "instruments.yaml", point_at_a_proclamation)
    with pytest.raises(LedgerError, match=r"'eo-14345-japan': voided_by 'proc-10908-autos' is "
                                          r"not a court decision"):
        load_ledger(ledger_copy)


def test_the_ledger_says_when_its_facts_were_checked(ledger_copy):
    assert ledger().as_of >= date(2026, 12, 1)
    _edit(ledger_copy, "instruments.yaml", lambda d: d.pop("as_of"))
    with pytest.raises(LedgerError, match=r"instruments.yaml: expected the keys as_of"):
        load_ledger(ledger_copy)


def test_annex_ii_as_amended_on_8_september_2025():
    # EO 14346 added bullion, critical minerals and pharmaceutical ingredients to Annex II from
    # 8 Sep 2025 (not 13 Nov); the farm goods wait for 13 Nov
    book = ledger()
    gold = "7108121000"    # unwrought gold, an EO 14346 addition
    assert category_of(book, gold, date(2025, 9, 7)) == "general"
    assert category_of(book, gold, STACKING_ANNEX_II) == "annex_ii_2025_09_additions"
    assert owed("annex_ii_2025_09_additions", 0.0, STACKING_ANNEX_II)["statutory"] == 0
    for day in (STACKING_ANNEX_II, AGREEMENT, WOOD):
        assert category_of(book, "0201308090", day) == "general"           # beef: 13 Nov
    assert category_of(book, "0201308090", AG_EXEMPT) == "ag_exempt"
