"""The Federal Register reader on snapshot directories: the sample's answers, and what it
refuses."""

import json
import shutil
from pathlib import Path

import pytest

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.federal_register.reader import read_answers


def test_every_document_object_is_read_as_served(sample_snapshot: Path):
    frame = read_answers(sample_snapshot)
    documents = len(list((sample_snapshot / "federal_register" / "documents").glob("*.json")))
    assert documents >= 13
    assert frame.height == documents + 5  # the documents, and the search's results (3 pages)
    eo = frame.filter((frame["document_number"] == "2025-17389")
                      & (frame["answer_kind"] == "document")).row(0, named=True)
    assert eo["executive_order_number"] == "14345" and eo["subtype"] == "Executive Order"
    assert eo["request"] == "federal_register/documents/2025-17389.json"
    assert json.loads(eo["agencies"])[0]["name"] == "Executive Office of the President"
    assert json.loads(eo["record"])["page_length"] == 5


def test_a_snapshot_without_federal_register_answers_is_named(tmp_path: Path):
    with pytest.raises(SourceError) as caught:
        read_answers(tmp_path)
    assert "federal_register" in str(caught.value) and caught.value.field == "path"


def test_a_search_without_matches_has_no_results(tmp_path: Path, sample_snapshot: Path):
    shutil.copytree(sample_snapshot / "federal_register" / "documents",
                    tmp_path / "federal_register" / "documents")
    page = tmp_path / "federal_register" / "search" / "term=Kyoto_page=1.json"
    page.parent.mkdir(parents=True)
    page.write_text('{"count":0,"description":"Documents matching \'Kyoto\'"}')
    frame = read_answers(tmp_path)
    documents = len(list((tmp_path / "federal_register" / "documents").glob("*.json")))
    assert frame.height == documents and set(frame["answer_kind"]) == {"document"}
