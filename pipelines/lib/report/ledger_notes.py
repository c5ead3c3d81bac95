"""The ledger's assumptions for the report's method section: every entry of every ledger file
that carries a ``verified`` flag, with its citation, and for the unverified ones what would verify
them.

The walk is generic over ``pipelines/ledger/*.yaml`` so entries added by new ledger files
(commitments, evidence, mineral groups) are listed without a change here. YAML anchors make a
rule shared by several regimes one object; it is listed once, with every place that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipelines.lib.paths import ledger_dir


@dataclass
class Entry:
    """One ledger entry with a ``verified`` flag."""

    file: str
    id: str
    kind: str
    text: str
    citation: str
    url: str | None
    verified: bool
    places: list[str] = field(default_factory=list)
    note: str | None = None
    to_verify: str = ""


def _label(item: dict) -> str:
    for key in ("title", "label", "description", "rule", "name"):
        if item.get(key):
            return str(item[key])
    return ""


def _kind(item: dict, path: list[str]) -> str:
    if "rule" in item:
        return "rule"
    if "prefixes" in item:
        return "product list"
    if "headings" in item:
        return "provision"
    if "fr_doc" in item or "authority" in item:
        return "instrument"
    return path[0].rstrip("s") if path else "entry"


def _walk(node, path: list[str], found: dict[int, tuple[dict, list[str], dict]],
          source: dict | None = None) -> None:
    """Collect the entries with a ``verified`` flag; ``source`` is the citation and url of
    the nearest enclosing block that has them (a list of codes cited once for the list)."""
    if isinstance(node, dict):
        if node.get("citation") or node.get("url"):
            source = {"citation": node.get("citation"), "url": node.get("url")}
        if "verified" in node and isinstance(node["verified"], bool):
            seen = found.setdefault(id(node), (node, [], source or {}))
            seen[1].append(" › ".join(path))
        for key, value in node.items():
            _walk(value, [*path, str(key)], found, source)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            name = str(i)
            if isinstance(value, dict):   # list entries by their own key where they have one
                name = next((str(value[k]) for k in ("id", "code", "series") if value.get(k)),
                            name)
            _walk(value, [*path, str(name)], found, source)


def entries(directory: Path | None = None) -> list[Entry]:
    """Every entry with a ``verified`` flag, file by file, in file order."""
    directory = directory or ledger_dir()
    out: list[Entry] = []
    instruments: dict[str, dict] = {}
    files = sorted(directory.glob("*.yaml"))
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml when available
    documents = {p.name: yaml.load(p.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
                 for p in files}
    for item in (documents.get("instruments.yaml") or {}).get("instruments", []):
        instruments[item["id"]] = item
    for name, document in documents.items():
        found: dict[int, tuple[dict, list[str], dict]] = {}
        _walk(document, [], found)
        for item, places, inherited in found.values():
            path = places[0].split(" › ")
            kind = _kind(item, path)
            if kind == "rule" and len(path) >= 3 and path[-2] == "rules":
                entry_id = f"{path[-3]} · {path[-1]}"  # regime · category
            else:
                # the whole path when the entry has no id: unique within its file
                entry_id = str(item.get("id") or places[0])
            instrument = instruments.get(item.get("instrument") or "", {})
            citation = (item.get("citation") or item.get("fr_doc")
                        or instrument.get("citation") or instrument.get("fr_doc")
                        or item.get("source") or inherited.get("citation") or "")
            url = (item.get("url") or item.get("source_url") or instrument.get("url")
                   or inherited.get("url"))
            entry = Entry(file=name, id=entry_id, kind=kind, text=_label(item),
                          citation=str(citation), url=url, verified=item["verified"],
                          places=places, note=item.get("note"))
            entry.to_verify = "" if entry.verified else _to_verify(item, kind, instrument)
            out.append(entry)
    return out


def _to_verify(item: dict, kind: str, instrument: dict) -> str:
    """What a reviewer must check before the entry can be marked verified."""
    if kind == "instrument":
        if item.get("fr_doc"):
            return (f"Compare FR document {item['fr_doc']} on federalregister.gov with the "
                    "ledger: signing, publication and effective dates and the citation.")
        return "Find the instrument's official text and confirm its dates and citation."
    if kind == "rule":
        source = instrument.get("title") or item.get("instrument")
        heading = f" under heading {item['heading']}" if item.get("heading") else ""
        return (f"Confirm in the text of {source} that the rate is {item['rule']}{heading} "
                "for this product category and dates.")
    if kind == "product list":
        return (f"Compare the HS prefixes with the official product list of "
                f"{item.get('citation') or item.get('source')}; mark exact coverage when they "
                "match line by line.")
    if kind == "provision":
        return ("Confirm the announcement and legal effective dates in the instrument's text "
                "and verify the instrument itself.")
    source = item.get("source_url") or item.get("url")
    return (f"Replace the secondary source ({source}) by an official text and cite it."
            if source else "Cite an official text for this entry.")
