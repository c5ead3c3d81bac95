"""The marts as their SQL files declare them: one file per mart, its header the declaration.

``sql/marts/<name>.sql`` builds ``marts.<name>``. Its first line says what the table is (the
asset's description); then, before the first ``-- name:`` statement::

    -- marts.<name>: what the table holds, in one line
    -- group: audit
    -- reads: staging.hts_lines, raw.hts_releases
    -- reads: staging.imports_monthly WHERE cty_code = $country
    -- includes: scorecard/*.sql
    -- preview: WHERE cty_code = '5880' ORDER BY period DESC

- ``group``: the Dagster group of the asset.
- ``reads``: the tables the mart is computed from (``schema.table``, comma-separated): the
  asset's dependencies and, for a mart rebuilt only when its inputs change, the inputs of its
  fingerprint. A line naming one table may add ``WHERE <filter>`` (to the end of the line): the
  fingerprint then covers only those rows (filters use the mart's parameters, ``$name``).
- ``includes``: further SQL files (globs relative to ``sql/marts/``) whose statements the
  mart's builder runs; their own ``-- reads:`` lines are the mart's too, and their text is part
  of its code version.
- ``preview``: the rows shown in the asset's metadata (``WHERE`` and/or ``ORDER BY``).

The columns are documented by the file's ``COMMENT ON`` statements (the data dictionary).
This module reads the headers and nothing else; ``pipelines.defs.marts.factory`` makes the
assets from them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.paths import sql_dir

_FIRST = re.compile(r"^--\s*marts\.([a-z_][a-z0-9_]*):\s*(.+)$")
_FIELD = re.compile(r"^--\s*(group|reads|includes|preview):\s*(.+)$")
_TABLE = re.compile(r"^(raw|staging|marts)\.[a-z_][a-z0-9_]*$")
_WHERE = re.compile(r"\s+WHERE\s+", re.IGNORECASE)
_ORDER = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


class DeclarationError(ValueError):
    """A mart's SQL header is missing a field or names something that is not a table."""


@dataclass(frozen=True)
class Mart:
    """One mart as its SQL file declares it."""

    name: str  # the table in schema marts
    path: Path
    description: str
    group: str
    reads: tuple[tuple[str, str | None], ...]  # (schema.table, row filter or None), in order
    includes: tuple[Path, ...]
    preview_where: str
    preview_order: str

    @property
    def table(self) -> str:
        return f"marts.{self.name}"

    @property
    def tables(self) -> list[str]:
        """The tables it reads, in declaration order, each once."""
        return list(dict.fromkeys(table for table, _ in self.reads))

    @property
    def inputs(self) -> dict[str, str | None]:
        """Its fingerprint's inputs: table -> row filter (``incremental.rebuild_if_changed``)."""
        return dict(self.reads)

    def code_version(self, *files: Path) -> str:
        """A digest of its SQL file, the files it includes and ``files`` (its builder's code,
        the ledger files it reads): a new version of any of them, and of nothing else,
        changes it."""
        digest = hashlib.sha256()
        for path in (self.path, *self.includes, *sorted(set(files))):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        return digest.hexdigest()[:16]


def _reads(path: Path, value: str) -> list[tuple[str, str | None]]:
    parts = _WHERE.split(value.strip(), maxsplit=1)
    tables = [t.strip() for t in parts[0].split(",")]
    if len(parts) == 2 and len(tables) > 1:
        raise DeclarationError(f"{path}: a '-- reads:' line with WHERE names one table, not "
                               f"{tables}")
    for table in tables:
        if not _TABLE.match(table):
            raise DeclarationError(f"{path}: '-- reads:' names {table!r}, not a schema.table")
    return [(t, parts[1].strip() if len(parts) == 2 else None) for t in tables]


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def header(path: Path) -> dict[str, list[str]]:
    """The ``-- field: value`` lines before the file's first statement, by field."""
    fields: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- name:"):
            break
        found = _FIELD.match(line)
        if found:
            fields.setdefault(found[1], []).append(found[2].strip())
    return fields


def file_reads(path: Path) -> list[tuple[str, str | None]]:
    """The ``-- reads:`` of ``path``'s header: (schema.table, row filter or None), in order."""
    return [r for value in header(path).get("reads", []) for r in _reads(path, value)]


def read_mart(path: Path) -> Mart:
    """The declaration of ``path`` (``sql/marts/<name>.sql``); a missing or malformed field is
    a :class:`DeclarationError` naming the file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = _FIRST.match(lines[0]) if lines else None
    if first is None or first[1] != path.stem:
        raise DeclarationError(f"{path}: the first line must be '-- marts.{path.stem}: <what the "
                               "table holds>'")
    fields = header(path)
    if len(fields.get("group", [])) != 1:
        raise DeclarationError(f"{path}: needs one '-- group: <dagster group>' line")
    includes = tuple(p for pattern in fields.get("includes", [])
                     for p in sorted(path.parent.glob(pattern)))
    reads = [r for file in (path, *includes) for r in file_reads(file)]
    if not reads:
        raise DeclarationError(f"{path}: needs a '-- reads: schema.table, ...' line")
    preview = " ".join(fields.get("preview", []))
    order = _ORDER.search(preview)
    where = preview[:order.start()] if order else preview
    return Mart(
        name=path.stem, path=path, description=_sentence(first[2]), group=fields["group"][0],
        reads=tuple(dict.fromkeys(reads)), includes=includes,
        preview_where=re.sub(r"^\s*WHERE\s+", "", where.strip(), flags=re.IGNORECASE),
        preview_order=preview[order.start():].strip() if order else "ORDER BY ALL")


def declared_marts(root: Path | None = None) -> dict[str, Mart]:
    """Every mart of ``root`` (default ``sql/``), by name, from ``<root>/marts/*.sql``."""
    folder = (root or sql_dir()) / "marts"
    return {p.stem: read_mart(p) for p in sorted(folder.glob("*.sql"))}
