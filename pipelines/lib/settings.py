"""Settings read from the environment, each checked where it is read: a malformed value stops
with one line naming the variable, the value and the expected format, never a bare
``Invalid isoformat string`` from deep inside a step.

``.env.example`` documents every variable; :func:`check_environment` reads them all once, so the
CLI refuses a bad setting before it starts any run. :func:`load_env_file` reads the project's
``.env`` (a copy of ``.env.example``) into the environment for every command (``make run``,
``make sql``, ``make rate``; ``make dev`` has Dagster's own loading of ``.env``): a variable
already set in the environment wins, and an empty value in ``.env`` leaves the variable unset
(its default)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

ENV_FILE = Path(__file__).resolve().parents[2] / ".env"  # beside .env.example
# The base URL of every live source, overridable for a mirror, a proxy or a test server.
BASE_URLS = {
    "TARIFF_AUDIT_CENSUS_BASE_URL": "https://api.census.gov/data/timeseries/intltrade",
    "TARIFF_AUDIT_HTS_RESTSTOP_URL": "https://hts.usitc.gov/reststop",
    "TARIFF_AUDIT_HTS_FILES_URL": "https://www.usitc.gov/sites/default/files/tata/hts",
    "TARIFF_AUDIT_FEDERAL_REGISTER_URL": "https://www.federalregister.gov/api/v1",
    "TARIFF_AUDIT_FRED_URL": "https://fred.stlouisfed.org/graph/fredgraph.csv",
    "TARIFF_AUDIT_ESTAT_URL": "https://api.e-stat.go.jp/rest/3.0/app/json",
}
# How long a run may wait, in seconds: for the warehouse held by another run or process
# (a DuckDB lock or Dagster's pool slot), and for the live sources' answers and Retry-After.
WAIT_BUDGETS = {
    "TARIFF_AUDIT_WAREHOUSE_WAIT": 1800.0,
    "TARIFF_AUDIT_HTTP_BUDGET": 3600.0,
}
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)\s*$", re.IGNORECASE)


class SettingError(ValueError):
    """An environment variable holds a value the pipeline cannot use."""

    def __init__(self, name: str, value: str, expected: str):
        self.name = name
        super().__init__(f"{name}={value!r} is not usable: expected {expected} "
                         f"(set it in the environment or .env, see .env.example)")


def load_env_file(path: Path | None = None) -> list[str]:
    """Set the variables of ``path`` (default :data:`ENV_FILE`; nothing when it does not exist)
    that the environment does not set already and that have a value; returns their names
    (never their values: ``.env`` may hold an API key)."""
    from dotenv import dotenv_values  # a dependency of Dagster

    path = path or ENV_FILE
    if not path.is_file():
        return []
    loaded = []
    for name, value in dotenv_values(path).items():
        if value is not None and value.strip() and name not in os.environ:
            os.environ[name] = value
            loaded.append(name)
    return loaded


def _get(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value is not None and value.strip() else None


def env_date(name: str, default: str) -> date:
    value = _get(name) or default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise SettingError(name, value, "a date as YYYY-MM-DD, e.g. 2025-01-01") from None


def env_seconds(name: str, default: float | None = None) -> float:
    if default is None:
        default = WAIT_BUDGETS[name]
    value = _get(name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0 or seconds == float("inf"):
        raise SettingError(name, value, "a number of seconds above 0, e.g. 600")
    return seconds


def env_memory(name: str, default: str) -> str:
    value = _get(name) or default
    if not _MEMORY.match(value):
        raise SettingError(name, value, "a size such as 2GB or 512MB")
    return value.strip()


def env_url(name: str) -> str:
    value = _get(name) or BASE_URLS[name]
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingError(name, value, "an http:// or https:// URL, e.g. " + BASE_URLS[name])
    return value.strip().rstrip("/")


def env_codes(name: str, default: str) -> list[str]:
    value = _get(name) or default
    codes = [c.strip() for c in value.split(",") if c.strip()]
    if not codes or any(not re.fullmatch(r"\d{4}|-", c) for c in codes):
        raise SettingError(name, value, "Census country codes of 4 digits or -, separated by "
                                        "commas, e.g. 5880,0003,-")
    return codes


def env_directory(name: str) -> Path | None:
    """A directory that must exist when the variable is set (``None`` when it is not)."""
    value = _get(name)
    if value is None:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise SettingError(name, value, "an existing directory")
    return path


def check_environment() -> None:
    """Read every setting once; the first malformed one raises :class:`SettingError`."""
    env_directory("TARIFF_AUDIT_LEDGER_DIR")
    env_date("TARIFF_AUDIT_HTS_SINCE", "2025-01-01")
    env_memory("TARIFF_AUDIT_DUCKDB_MEMORY", "2GB")
    env_codes("TARIFF_AUDIT_COUNTRIES", "5880")
    for name in WAIT_BUDGETS:
        env_seconds(name)
    for name in BASE_URLS:
        env_url(name)
