"""Every relative link of the README and docs/ leads to a file that exists and, when it names an
anchor, to a heading of that file (GitHub's anchors): moving a section between files cannot
leave a reader at a dead link."""

import re
from pathlib import Path

from pipelines.lib.paths import project_root

ROOT = project_root()
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchor(title: str) -> str:
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_anchor(m.group(1)) for m in re.finditer(r"^#{1,6} (.*)$", path.read_text(
        encoding="utf-8"), re.MULTILINE)}


def test_every_relative_link_of_the_docs_resolves():
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    dead = []
    for page in files:
        for match in LINK.finditer(page.read_text(encoding="utf-8")):
            link = match.group(1)
            if link.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = link.partition("#")
            target = (page.parent / path).resolve() if path else page
            if not target.exists():
                dead.append(f"{page.relative_to(ROOT)}: {link} (no such file)")
            elif anchor and target.suffix == ".md" and anchor not in _anchors(target):
                dead.append(f"{page.relative_to(ROOT)}: {link} (no such heading)")
    assert len(files) >= 6
    assert not dead, "\n".join(dead)
