"""``make rate HS=8703230190 DATE=2025-10-15``: what U.S. law required on one HS10 line from
Japan on one day of entry, under which headings and instruments, and what the agreement
promised — from ``marts.line_rates`` of the published copy, with the ledger's citations.

Light like ``pipelines.sql`` (duckdb and the standard library only), read-only, so it answers
while a run is writing. A wrong argument or a line the copy does not hold is one line on stderr
(exit status 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys

import duckdb

from pipelines.lib import settings
from pipelines.lib.publish import published_path

SOURCES = {
    "hts_release": "the law of a loaded HTS release",
    "earliest_release": "before the first loaded HTS release: its column-1 rate",
    "instrument": "from the instrument, not yet in a loaded HTS release",
}


class UsageError(Exception):
    """Something to tell the user in one line (exit status 1)."""


def _pct(value) -> str:
    return "n/a" if value is None else f"{100 * value:.2f}%".replace(".00%", "%")


def stack(con: duckdb.DuckDBPyConnection, hs10: str, day: dt.date) -> str:
    """The line's legal rate stack on ``day`` in words, with the instruments' citations."""
    cursor = con.execute("SELECT * FROM marts.line_rates WHERE hs10 = ? AND ? BETWEEN "
                         "valid_from AND valid_to", [hs10, day])
    names = [d[0] for d in cursor.description]
    found = cursor.fetchall()
    if not found:
        first, last, known = con.execute(
            "SELECT min(valid_from), max(valid_to), count(*) FILTER (WHERE hs10 = ?) "
            "FROM marts.line_rates", [hs10]).fetchone()
        if not known:
            raise UsageError(f"{hs10} is in no loaded HTS release (marts.line_rates has no row "
                             "for it): check the code, or load the release that has it")
        raise UsageError(f"{day} is outside the dates marts.line_rates covers ({first} to "
                         f"{last}, the ledger's as_of date)")
    r = dict(zip(names, found[0], strict=True))
    low = r["statutory_low_rate"]
    ranged = low is not None and r["statutory_rate"] is not None and low < r["statutory_rate"]
    law = (f"{_pct(low)} to {_pct(r['statutory_rate'])}" if ranged
           else _pct(r["statutory_rate"]))
    column1 = r["column1_text"] or "no rate text"
    if r["column1_rate"] is None and r["column1_ave"] is not None:
        column1 += f" (ad valorem equivalent {_pct(r['column1_ave'])})"
    lines = [
        f"{hs10}, product of Japan (partner {r['partner']}), entered {day}",
        f"  category      {r['category']} (pipelines/ledger/categories.yaml)",
        f"  column 1      {column1}  [{r['hts_release']}]",
        f"  law           {law} all-in  rule {r['statutory_rule']}"
        + (f"  headings {', '.join(r['headings'])}" if r["headings"] else "  (column 1 only)"),
        f"  agreement     {_pct(r['agreement_rate'])}  rule {r['agreement_rule']}",
        f"  refundable    {_pct(r['refundable_rate'])} of the law's rate rests on an authority "
        "a court voided (IEEPA duties, 5 Apr 2025 - 23 Feb 2026)",
        f"  in force      {r['valid_from']} to {r['valid_to']}; law: "
        f"{SOURCES.get(r['law_source'], r['law_source'])}",
        f"  ledger rules  {', '.join(r['rule_ids'])}",
    ]
    if not r["verified"]:
        lines.append("  unverified    a rule or instrument behind this row rests on secondary "
                     "sources (pipelines/ledger, verified: false)")
    if r["instruments"]:
        lines.append("  instruments")
        for row in con.execute(
                "SELECT id, title, citation, fr_doc, csms, url, verified "
                "FROM staging.ledger_instruments WHERE list_contains(?, id) "
                "ORDER BY list_position(?, id)", [r["instruments"], r["instruments"]]).fetchall():
            iid, title, citation, fr_doc, csms, url, verified = row
            cites = "; ".join(c for c in (
                citation, f"FR doc {fr_doc}" if fr_doc else None,
                ", ".join(f"CSMS #{n}" for n in csms or []) or None) if c)
            lines.append(f"    {iid}: {title}")
            lines.append(f"      {cites}{'' if verified else ' (unverified)'}")
            lines.append(f"      {url}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make rate", description=__doc__.split("\n\n")[0])
    parser.add_argument("hs10", help="HS10 code, 10 digits (dots allowed)")
    parser.add_argument("date", help="entry date, YYYY-MM-DD")
    args = parser.parse_args(argv)
    settings.load_env_file()
    try:
        if not args.hs10.strip() or not args.date.strip():
            raise UsageError("give a line and a day of entry: make rate HS=8703230190 "
                             "DATE=2025-10-15")
        hs10 = args.hs10.replace(".", "").strip()
        if not re.fullmatch(r"\d{10}", hs10):
            raise UsageError(f"HS={args.hs10!r} is not a 10-digit HTS line (e.g. "
                             "HS=8703230190)")
        try:
            day = dt.date.fromisoformat(args.date.strip())
        except ValueError:
            raise UsageError(f"DATE={args.date!r} is not a date YYYY-MM-DD (e.g. "
                             "DATE=2025-10-15)") from None
        path = published_path()
        if not path.exists():
            raise UsageError(f"no published copy at {path}: run `make run` first")
        with duckdb.connect(str(path), read_only=True) as con:
            try:
                sys.stdout.write(stack(con, hs10, day))
            except duckdb.CatalogException:
                raise UsageError(f"the published copy {path} has no marts.line_rates: run "
                                 "`make run` to republish it") from None
    except UsageError as error:
        print(f"make rate: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
