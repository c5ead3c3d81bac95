"""A chart whose spec (data included) was rendered before is read from the cache, not rendered
again; new data renders anew; a cache that cannot be written only costs the rendering."""

import altair as alt
import pandas as pd
import pytest

from pipelines.lib.report import charts


@pytest.fixture
def conversions(tmp_path, monkeypatch):
    monkeypatch.setenv("TARIFF_AUDIT_DATA", str(tmp_path))
    calls = []
    real = charts.vlc.vegalite_to_svg

    def counted(spec, *args, **kwargs):  # the real renderer, counted
        calls.append(spec)
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(charts.vlc, "vegalite_to_svg", counted)
    return calls


def _chart(values):
    return alt.Chart(pd.DataFrame({"x": range(len(values)), "y": values})).mark_line().encode(
        x="x:Q", y="y:Q")


def test_the_same_spec_is_rendered_once(conversions):
    first = charts.to_svg(_chart([1, 2, 3]), "a title", None)
    again = charts.to_svg(_chart([1, 2, 3]), "a title", None)
    assert str(first).startswith("<svg") and again == first
    assert len(conversions) == 1
    assert len(list(charts.cache_dir().glob("*.svg"))) == 1
    charts.to_svg(_chart([1, 2, 4]), "a title", None)  # new data
    charts.to_svg(_chart([1, 2, 3]), "a title", "SYNTHETIC")  # the banner is in the spec
    assert len(conversions) == 3


def test_a_cache_that_cannot_be_written_only_costs_the_rendering(conversions):
    charts.cache_dir().parent.mkdir(parents=True)
    charts.cache_dir().write_text("a file where the folder should be")
    first = charts.to_svg(_chart([5, 6]), "t", None)
    assert charts.to_svg(_chart([5, 6]), "t", None) == first
    assert len(conversions) == 2


@pytest.mark.parametrize("planted", [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><rect onload="alert(1)"/></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
    '<a x:href="https://example.org/"><text>click</text></a></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>html</p></foreignObject></svg>',
    '<div>not svg</div>',
    '<svg xmlns="http://www.w3.org/2000/svg"><rect',
])
def test_a_cached_file_that_is_not_inert_svg_is_rendered_again(conversions, planted):
    first = charts.to_svg(_chart([7, 8]), "t", None)
    (entry,) = charts.cache_dir().glob("*.svg")
    entry.write_text(planted)  # someone with write access to the data directory
    again = charts.to_svg(_chart([7, 8]), "t", None)
    assert again == first and len(conversions) == 2
    assert entry.read_text() == str(first)  # the entry is replaced by the real rendering
