"""The cross-row SQL contracts of ``sql/checks/<schema>.<table>.sql``, parsed: each a query
returning one ``(partition, value)`` row per offending item, under ``-- name:``,
``-- severity: error|warning`` and ``-- description:`` lines. Plain Python: the asset checks
(``pipelines/defs/quality``) and the contract list of docs/DATA_QUALITY.md both read them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.lib.paths import sql_dir

_SECTION = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)
_FIELD = re.compile(r"^--\s*(severity|description|same_query_as|binds):\s*(.+)$", re.MULTILINE)


@dataclass(frozen=True)
class SqlCheck:
    """A cross-row contract: a query returning one (partition, value) row per offending item."""

    check_name: str
    severity: str
    description: str
    sql: str
    path: Path
    binds: tuple[tuple[str, object], ...] = ()  # parameters of this check alone


def load_sql_checks(path: Path) -> list[SqlCheck]:
    """The checks of one file. A check may reuse another's query (``-- same_query_as: name``,
    no SQL of its own) with its own parameters (``-- binds: name=value, ...``; values are
    JSON: ``true``, ``10``, ``"text"``)."""
    text = path.read_text(encoding="utf-8")
    parts = _SECTION.split(text)
    checks: dict[str, SqlCheck] = {}
    for i in range(1, len(parts), 2):
        name, body = parts[i], parts[i + 1]
        fields = dict(_FIELD.findall(body))
        if not {"severity", "description"} <= set(fields) or fields["severity"] not in (
                "error", "warning"):
            raise ValueError(f"{path}: check {name!r} needs '-- severity: error|warning' and "
                             "'-- description: ...' lines")
        sql = _FIELD.sub("", body).strip()
        if "same_query_as" in fields:
            other = checks.get(fields["same_query_as"].strip())
            if other is None or sql:
                raise ValueError(f"{path}: check {name!r}: same_query_as names a check above "
                                 "it, and the check then has no SQL of its own")
            sql = other.sql
        binds = tuple((k.strip(), json.loads(v)) for k, _, v in (
            b.partition("=") for b in fields.get("binds", "").split(",") if b.strip()))
        checks[name] = SqlCheck(name, fields["severity"], fields["description"].strip(), sql,
                                path, binds)
    return list(checks.values())


@cache
def sql_checks() -> dict[str, list[SqlCheck]]:
    return {p.stem: load_sql_checks(p) for p in sorted((sql_dir() / "checks").glob("*.sql"))}
