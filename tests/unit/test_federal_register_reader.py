"""The Federal Register reader on snapshot directories: the sample's answers, and what it
refuses."""

import json
import shutil
from pathlib import Path

from pipelines.lib.sources import snapshot
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


def test_a_snapshot_without_federal_register_answers_lacks_an_optional_source(tmp_path: Path):
    # the snapshot declaration, not the reader, decides: the source is optional and absent
    source = snapshot.absent(tmp_path, "federal_register")
    assert source is not None and not source.required
    assert source.warning().startswith("no Federal Register documents in this snapshot "
                                       "(federal_register/)")
    assert "ledger discrepancies" in source.warning()
    frame = read_answers(tmp_path)
    assert frame.height == 0 and "document_number" in frame.columns


def test_a_search_without_matches_has_no_results(tmp_path: Path, sample_snapshot: Path):
    shutil.copytree(sample_snapshot / "federal_register" / "documents",
                    tmp_path / "federal_register" / "documents")
    page = tmp_path / "federal_register" / "search" / "term=Kyoto_page=1.json"
    page.parent.mkdir(parents=True)
    page.write_text('{"count":0,"description":"Documents matching \'Kyoto\'"}')
    frame = read_answers(tmp_path)
    documents = len(list((tmp_path / "federal_register" / "documents").glob("*.json")))
    assert frame.height == documents and set(frame["answer_kind"]) == {"document"}
