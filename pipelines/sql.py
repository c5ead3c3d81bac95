"""``make sql``: query the published copy (``data/published/warehouse.duckdb``), read-only.

    make sql Q="SELECT ..."                         print the result as a table
    make sql Q="SELECT ..." FORMAT=csv OUT=x.csv    export (csv or parquet; csv without OUT
                                                    goes to stdout)
    make sql                                        the DuckDB CLI on the published copy

It reads the published copy, never the live warehouse, so it answers while a run is writing;
and the copy is all it opens: the connection (and the DuckDB CLI) runs with DuckDB's external
access off, so a query cannot ATTACH the live warehouse (read-only, it would still hold the
file's lock and stop the next run's writer) nor read or write any other file, but for the
``OUT`` file of an export. Deliberately light (duckdb and the standard library; no Dagster, no
polars) so an answer takes a fraction of a second. Text is printed in full, numbers with
thousands separators, and a SQL error is one line on stderr (exit status 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import os
import shutil
import sys
from pathlib import Path

import duckdb

from pipelines.lib import settings
from pipelines.lib.publish import published_path

FORMATS = ("table", "csv", "parquet")


class UsageError(Exception):
    """Something to tell the user in one line (exit status 1)."""


def format_value(value) -> str:
    """A cell as text: thousands separators on large numbers, no scientific notation."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float | decimal.Decimal):
        number = float(value)
        if number != number:
            return "NaN"
        if abs(number) >= 1_000:
            return f"{number:,.2f}"
        if number == 0 or abs(number) >= 1e-4:
            return f"{number:.6f}".rstrip("0").rstrip(".") or "0"
        return f"{number:.3e}"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    return str(value).replace("\r", " ").replace("\n", " ")


def _numeric(value) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def render(columns: list[str], rows: list[tuple]) -> str:
    """Rows as an aligned text table (numbers right-aligned), every character shown."""
    cells = [[format_value(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    right = [any(_numeric(row[i]) for row in rows) for i in range(len(columns))]

    def line(values):
        return "  ".join((v.rjust(w) if r else v.ljust(w))
                         for v, w, r in zip(values, widths, right, strict=True)).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows):,} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def one_line(error: Exception) -> str:
    """DuckDB's message without its caret diagram: what went wrong, and its suggestion."""
    kept = []
    for part in str(error).splitlines():
        if part.startswith("LINE "):
            break
        if part.strip():
            kept.append(part.strip())
    return " ".join(kept) or type(error).__name__


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    """The published copy, read-only; a file DuckDB cannot open (cut short, overwritten, not a
    database) is named with the way out, not reported as an error of the query."""
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as error:
        raise UsageError(f"the published copy {path} cannot be opened, it is damaged or not a "
                         f"DuckDB file ({one_line(error)}): run `make run` to republish it "
                         "(the live warehouse is not affected)") from None


def run_query(path: Path, query: str, fmt: str = "table", out: str | None = None) -> str:
    """Run ``query`` on the published copy at ``path``; returns what to print."""
    if not path.exists():
        raise UsageError(f"no published copy at {path}: run `make run` (or the publish asset) "
                         "first")
    query = query.strip().rstrip(";").strip()
    if fmt == "parquet" and not out:
        raise UsageError("FORMAT=parquet needs OUT=<file>")
    target = Path(out).expanduser().resolve() if out else None
    with _open(path) as con:
        _confine(con, target)
        relation = con.sql(query)
        if relation is None:
            return "ok\n"
        if fmt == "csv" and not out:
            columns, rows = relation.columns, relation.fetchall()
            import csv
            import io

            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
            return buffer.getvalue()
        if fmt in ("csv", "parquet"):
            target.parent.mkdir(parents=True, exist_ok=True)
            if fmt == "csv":
                relation.write_csv(str(target), header=True)
            else:
                relation.write_parquet(str(target))
            rows = con.execute(f"SELECT count(*) FROM read_{fmt}($p)",
                               {"p": str(target)}).fetchone()[0]
            return f"wrote {rows:,} rows to {target} ({fmt})\n"
        return render(relation.columns, relation.fetchall())


# The settings that keep a session on the published copy: every other file (an ATTACH of the
# live warehouse, read_csv, COPY) is refused, and the setting cannot be turned back.
CONFINE = ("SET enable_external_access = false", "SET lock_configuration = true")


def _confine(con: duckdb.DuckDBPyConnection, out: Path | None) -> None:
    """Let ``con`` (open on the published copy) touch no other file but ``out``."""
    if out is not None:
        con.execute("SET allowed_paths = $p", {"p": [str(out)]})
    for setting in CONFINE:
        con.execute(setting)


def shell(path: Path) -> None:
    """Replace this process by the DuckDB CLI on the published copy, read-only."""
    if not path.exists():
        raise UsageError(f"no published copy at {path}: run `make run` first")
    beside = Path(sys.executable).parent / "duckdb"
    cli = str(beside) if beside.exists() else shutil.which("duckdb")
    if cli is None:
        raise UsageError("the DuckDB CLI is not installed: pip install duckdb-cli (make setup "
                         "installs it)")
    banner = ("SELECT coalesce(notice, 'source: ' || source_mode) AS about, "
              "published_at FROM meta.about;")
    confine = "; ".join(CONFINE) + ";"  # .once and .output still write files: the CLI does
    os.execv(cli, [cli, "-readonly", "-cmd", confine, "-cmd", banner, str(path)])


def _infer_format(fmt: str | None, out: str | None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise UsageError(f"FORMAT={fmt} is not one of {', '.join(FORMATS)}")
        return fmt
    if out and Path(out).suffix.lstrip(".") in ("csv", "parquet"):
        return Path(out).suffix.lstrip(".")
    if out:
        raise UsageError("give FORMAT=csv or FORMAT=parquet with OUT (or an OUT ending in "
                         ".csv or .parquet)")
    return "table"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.sql", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("query", nargs="?", default="",
                        help="SQL to run; none opens the DuckDB CLI")
    parser.add_argument("--format", default="", help="table (default), csv or parquet")
    parser.add_argument("--out", default="", help="file to write (csv or parquet)")
    args = parser.parse_args(argv)
    settings.load_env_file()  # TARIFF_AUDIT_PUBLISHED may be set there
    path = published_path()
    try:
        fmt = _infer_format(args.format or None, args.out or None)
        if not args.query.strip():
            shell(path)
            return 0
        text = run_query(path, args.query, fmt, args.out or None)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except duckdb.Error as error:
        print(f"SQL error: {one_line(error)}", file=sys.stderr)
        return 1
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
