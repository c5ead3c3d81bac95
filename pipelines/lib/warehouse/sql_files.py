"""SQL files: ``sql/<schema>/<table>.sql``.

A file holds named statements, each introduced by a ``-- name: <statement>`` line; ``ddl`` creates
the table and its comments (the data dictionary), the others fill it. Values are bound as
parameters, never formatted into SQL.
"""

from __future__ import annotations

import re
from functools import cache

from pipelines.lib.paths import sql_dir

_NAME = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


@cache
def statements(name: str) -> dict[str, str]:
    """The named statements of ``sql/<name>.sql`` (``name`` like ``staging/hts_lines``)."""
    text = (sql_dir() / f"{name}.sql").read_text(encoding="utf-8")
    parts = _NAME.split(text)
    found = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts), 2)}
    if not found:
        raise ValueError(f"sql/{name}.sql has no '-- name: <statement>' sections")
    return found


def statement(name: str, which: str) -> str:
    found = statements(name)
    if which not in found:
        raise KeyError(f"sql/{name}.sql has no statement named {which!r} (has {sorted(found)})")
    return found[which]
