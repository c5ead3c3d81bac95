"""The list of data contracts in docs/DATA_QUALITY.md, generated from the suites and the SQL
checks (``tariff-audit contracts`` rewrites it; a test keeps it in step)."""

from __future__ import annotations

from pipelines.lib.paths import project_root
from pipelines.lib.quality import catalog, gx_runner
from pipelines.lib.quality.sql_checks import sql_checks

DOC = project_root() / "docs" / "DATA_QUALITY.md"
START, END = "<!-- contracts:start -->", "<!-- contracts:end -->"


def render() -> str:
    """One markdown table per table: check, severity, what it guarantees."""
    suites = gx_runner.load_suites()
    extra = sql_checks()
    lines = [START, ""]
    for table in sorted(set(suites) | set(extra), key=_order):
        lines += [f"**{table}**", "", "| check | severity | contract |", "| --- | --- | --- |"]
        if table in suites:
            lines.append(f"| `{catalog.CHECK_NAME}` | {catalog.SEVERITY} | {catalog.DESCRIPTION} |")
            lines += [f"| `{e['meta']['check_name']}` | {e['meta']['severity']} | "
                      f"{e['meta']['description']} |" for e in suites[table].expectations]
        lines += [f"| `{c.check_name}` | {c.severity} | {c.description} (SQL) |"
                  for c in extra.get(table, [])]
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _order(table: str) -> tuple:
    return ({"raw": 0, "staging": 1, "marts": 2}.get(table.split(".")[0], 3), table)


def splice(text: str) -> str:
    """``text`` (of :data:`DOC`) with the block between the markers replaced by :func:`render`."""
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return head + render() + tail


