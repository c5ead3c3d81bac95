"""``python -m pipelines.cli run`` (or ``tariff-audit run``): build the warehouse end to end in
one process, then print a summary. The same assets run from the Dagster UI; this is the
two-command path of the README. The stages and their runs are :mod:`pipelines.stages` and
:mod:`pipelines.runner`, the summary :mod:`pipelines.summary`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pipelines.lib import settings


def _show_waits() -> None:
    """Print the waiting lines (pipelines.wait) plainly, under the stage they belong to."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("   %(message)s"))
    logger = logging.getLogger("pipelines.wait")
    logger.addHandler(handler)
    logger.propagate = False


def main(argv: list[str] | None = None) -> None:
    settings.load_env_file()
    script = Path(sys.argv[0]).name == "tariff-audit"  # the console script of pyproject.toml
    parser = argparse.ArgumentParser(prog="tariff-audit" if script else "python -m pipelines.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="load what is new or revised, update the marts, print the "
                                     "summary")
    run.add_argument("--full", action="store_true",
                     help="reload every release and month of the source, not only new ones")
    sub.add_parser("summary", help="print the summary of the existing warehouse")
    sub.add_parser("report", help="build the audit report from the existing warehouse")
    sql = sub.add_parser("sql", help="run one SQL query on the published copy (see pipelines.sql)")
    sql.add_argument("query")
    sub.add_parser("dictionary", help="print the data dictionary generated from sql/")
    sub.add_parser("contracts", help="rewrite the list of data contracts in "
                                      "docs/DATA_QUALITY.md")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    _show_waits()
    if args.command == "run":
        from pipelines.runner import run_all

        run_all(full=args.full)
    elif args.command == "sql":
        from pipelines import sql

        sys.exit(sql.main([args.query]))
    elif args.command == "report":
        from pipelines.runner import build_report

        build_report()
    elif args.command == "contracts":
        from pipelines.lib.quality.contracts_doc import DOC, splice

        DOC.write_text(splice(DOC.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"updated the data contracts in {DOC}")
    elif args.command == "dictionary":
        from pipelines.lib.dictionary import render

        sys.stdout.write(render())
    else:
        from pipelines.summary import print_summary

        print_summary()


if __name__ == "__main__":
    main()
