"""One warehouse, one source: the source recorded on the first load, a load from another one (or
from a snapshot that lost months the warehouse holds) refused."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.lib.sources.snapshot import census_months
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.sql_files import statement
from pipelines.lib.warehouse.tables import database_path, ensure_table, table_exists


class OtherSourceError(RuntimeError):
    """A load from another source than the one the warehouse was built from."""


def recorded_source(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(kind, root) of ``raw.warehouse_source``; ``None`` before the first load."""
    found = table_exists(con, "raw.warehouse_source")
    rows = run(con, "SELECT kind, root FROM raw.warehouse_source") if found else []
    return rows[0] if rows else None


def claim_source(con: duckdb.DuckDBPyConnection, kind: str, root: str | Path) -> None:
    """Record ``kind`` and ``root`` as the warehouse's source on its first load; refuse a load
    from another source (another directory), or from a snapshot that lost Census months the
    warehouse holds (:func:`refuse_lost_months`), with the way out. One warehouse, one source:
    two sources' releases and months must never meet in the same tables."""
    root = str(Path(root).resolve())
    recorded = recorded_source(con)
    if recorded is None:
        ensure_table(con, "raw/warehouse_source")
        run(con, statement("raw/warehouse_source", "insert"), {"kind": kind, "root": root})
        return
    refuse_other_source(recorded, kind, root, database_path(con))
    if kind != "live":  # live mode fetches its months: none can be gone from a snapshot
        refuse_lost_months(con, Path(root))


def refuse_other_source(recorded: tuple[str, str], kind: str, root: str, where: str) -> None:
    old_kind, old_root = recorded
    if Path(old_root) == Path(root):
        return
    back = old_kind if old_kind in ("sample", "live") else old_root
    raise OtherSourceError(
        f"the warehouse {where} was built from {old_kind} {old_root}, not from the configured "
        f"source ({kind} {root}); one warehouse holds one source: build this one in another "
        f"directory (TARIFF_AUDIT_DATA=<new directory> make run), or set TARIFF_AUDIT_SOURCE "
        f"back to {back}")


def refuse_lost_months(con: duckdb.DuckDBPyConnection, root: Path) -> None:
    """Refuse to load from a snapshot that no longer has Census months the warehouse holds.

    Such a month would stay in staging, the marts, the published copy and the report, read
    as the source's while the source has it no more. Dropping it is not a run's decision: the
    warehouse keeps every vintage it loaded, which nothing could bring back, and a month
    directory can vanish by accident (a partial copy, a failed sync) as well as on purpose.
    A month without exports answers is allowed (its exports stay as they were)."""
    if not table_exists(con, "staging.imports_monthly"):
        return
    held = [m for (m,) in run(con, "SELECT DISTINCT strftime(period, '%Y-%m') FROM "
                                   "staging.imports_monthly ORDER BY 1")]
    lost = sorted(set(held) - set(census_months(root, "imports_hs")))
    if lost:
        where = database_path(con)
        raise OtherSourceError(
            f"the warehouse {where} holds Census imports_hs months that are not in this "
            f"snapshot ({root}): {', '.join(lost)} (no census/imports_hs/<YYYY-MM> "
            "directory); a run never drops a month it loaded, with its vintages, on its own: "
            "put the month's answers back in the snapshot, or build a warehouse from this "
            f"snapshot as it is (TARIFF_AUDIT_DATA=<new directory> make run, or move {where} "
            "aside and make run)")
