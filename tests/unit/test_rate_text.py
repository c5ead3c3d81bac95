import pytest

from pipelines.lib.rules.rate_text import parse_chapter99, parse_rate, parse_rates


@pytest.mark.parametrize(
    ("text", "kind", "av", "amount", "unit"),
    [
        ("Free", "free", 0.0, None, None),
        ("Free, under bond, as prescribed in U.S. note 1 to this subchapter", "free", 0.0, None,
         None),
        ("2.5%", "ad_valorem", 0.025, None, None),
        ("6.5% ", "ad_valorem", 0.065, None, None),
        ("5% <u></u>", "ad_valorem", 0.05, None, None),
        ("26.4%", "ad_valorem", 0.264, None, None),
        ("10.5¢/bbl", "specific", None, 0.105, "bbl"),
        ("0.68¢/kg", "specific", None, 0.0068, "kg"),
        ("3¢/liter", "specific", None, 0.03, "liter"),
        ("$1.035/kg", "specific", None, 1.035, "kg"),
        ("$1.80/m<sup>3</sup>", "specific", None, 1.8, "m3"),
        ("18.9¢/pf.liter", "specific", None, 0.189, "pf.liter"),
        ("20.6¢/clean kg", "specific", None, 0.206, "clean kg"),
        ("38.4¢/1000", "specific", None, 0.384, "1000"),
        ("$1.92 each", "specific", None, 1.92, "each"),
        ("0.8¢ each + 5.4%", "compound", 0.054, 0.008, "each"),
        ("42.3¢/kg +8.5%", "compound", 0.085, 0.423, "kg"),
        ("90¢/pr. + 37.5%", "compound", 0.375, 0.9, "pr."),
        ("14.5¢/m<sup>2 </sup>+ 0.4%", "compound", 0.004, 0.145, "m2"),
    ],
)
def test_numeric_rates(text, kind, av, amount, unit):
    rate = parse_rate(text)
    assert rate.rate_kind == kind
    assert rate.ad_valorem == (pytest.approx(av) if av is not None else None)
    assert rate.specific_amount == (pytest.approx(amount) if amount is not None else None)
    assert rate.specific_unit == unit


def test_two_specific_parts_and_a_basis():
    rate = parse_rate("17¢ each + 2.5% + 1¢/jewel")
    assert (rate.rate_kind, rate.ad_valorem) == ("compound", 0.025)
    assert (rate.specific_amount, rate.specific_unit) == (0.17, "each")
    assert (rate.specific_amount_2, rate.specific_unit_2) == (0.01, "jewel")
    drained = parse_rate("5.7¢/kg on drained weight + 8%")
    assert (drained.rate_kind, drained.specific_basis) == ("compound", "drained weight")
    metal = parse_rate("0.7¢/kg on copper content + 0.7¢/kg on lead content")
    assert (metal.specific_basis, metal.specific_basis_2) == ("copper content", "lead content")


@pytest.mark.parametrize(
    "text",
    [
        "The rate applicable to each garment in the ensemble if separately entered",
        "40¢ each + 5% on the case and strap, band or bracelet",
        "3.9% on the movement and case + 5.3% on the battery",
        "3.6606¢/kg less 0.020668¢/kg for each degree under 100 degrees (and fractions of a "
        "degree in proportion) but not less than 3.143854¢/kg",
        "See additional U.S. note 3",
        "",
        None,
    ],
)
def test_other_keeps_no_numbers(text):
    rate = parse_rate(text)
    assert rate.rate_kind == "other"
    assert rate.ad_valorem is None and rate.specific_amount is None


def test_parse_rates_one_row_per_distinct_text():
    frame = parse_rates(["2.5%", "Free", "2.5%", None, "1¢/kg + 2%"])
    assert frame.height == 3
    assert dict(zip(frame["rate_text"], frame["rate_kind"], strict=True)) == {
        "1¢/kg + 2%": "compound", "2.5%": "ad_valorem", "Free": "free"}


@pytest.mark.parametrize(
    ("text", "effect", "av"),
    [
        ("The duty provided in the applicable subheading + 15%", "add", 0.15),
        ("The duty provided in the applicable subheading + 50%.", "add", 0.5),
        ("The duty provided in the applicable subheading plus 25%", "add", 0.25),
        ("The duty provided inthe applicable subheading+ 25%", "add", 0.25),
        ("The duty provided in the applicable subheading", "keep", None),
        ("The duty provided for in the applicable subheading", "keep", None),
        ("No change", "keep", None),
        ("15%", "set", 0.15),
        ("Free", "free", 0.0),
        ("The duty provided in the applicable subheading + a duty of 50% upon the value of the "
         "steel content.", "other", None),
        ("", "other", None),
    ],
)
def test_chapter99_effects(text, effect, av):
    parsed = parse_chapter99(text)
    assert parsed.effect == effect
    assert parsed.ad_valorem == (pytest.approx(av) if av is not None else None)
