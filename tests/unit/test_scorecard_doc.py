"""docs/SCORECARD.md, the written rules of the scorecard, and the ledger tell the same story:
one row per commitment, one vocabulary."""

import re
from pathlib import Path

from pipelines.lib.rules.commitments import STATUSES, load_commitments

DOC = Path(__file__).resolve().parents[2] / "docs" / "SCORECARD.md"


def test_every_commitment_has_one_row_and_no_other():
    text = DOC.read_text(encoding="utf-8").split("## The rule of each commitment", 1)[1]
    rows = re.findall(r"^\| `([a-z0-9-]+)` ", text.split("\n## ", 1)[0], flags=re.MULTILINE)
    assert sorted(rows) == sorted(c.id for c in load_commitments().commitments)


def test_the_vocabulary_is_the_scorecards():
    text = DOC.read_text(encoding="utf-8")
    table = text.split("## One vocabulary", 1)[1].split("##", 1)[0]
    listed = re.findall(r"`([a-z_]+)`", "\n".join(
        line.split("|")[1] for line in table.splitlines() if line.startswith("| `")))
    assert sorted(listed) == sorted(STATUSES)
