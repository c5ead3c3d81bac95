"""Where the project's files live: the repository, the ledger, the SQL, the data directory and
the warehouse file (each overridable by its environment variable where one exists)."""

from __future__ import annotations

from pathlib import Path

from pipelines.lib import settings

LEDGER_DIR = Path(__file__).resolve().parents[1] / "ledger"


def project_root() -> Path:
    """The repository root (two levels above this file)."""
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Where the warehouse, the sample snapshot and live landings live (``TARIFF_AUDIT_DATA``)."""
    return settings.value("data").resolve()


def ledger_dir() -> Path:
    """``TARIFF_AUDIT_LEDGER_DIR`` (a reviewed copy of the ledger) or the bundled one."""
    return settings.value("ledger_dir") or LEDGER_DIR


def sql_dir() -> Path:
    return project_root() / "sql"


def warehouse_path() -> Path:
    """``TARIFF_AUDIT_WAREHOUSE`` or ``data/warehouse.duckdb``."""
    return settings.value("warehouse") or data_dir() / "warehouse.duckdb"
