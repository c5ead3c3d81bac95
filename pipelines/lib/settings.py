"""The project's settings: one ``pydantic-settings`` class, :class:`Settings`, read from the
environment and the project's ``.env`` (a copy of ``.env.example``, which documents every
variable). Every variable but the two API keys carries the prefix ``TARIFF_AUDIT_``.

- A variable set in the environment wins over ``.env``; an empty value (in either) means the
  default.
- Each value is checked when the settings are read: a malformed one stops with one line naming
  the variable, the value and the expected format (:class:`SettingError`), never a bare
  ``Invalid isoformat string`` from deep inside a step.
- :func:`get` reads them afresh on every call (no cache: a test's ``monkeypatch.setenv`` or an
  edited ``.env`` is seen at once; a read costs about 2 ms); :func:`value` reads one setting
  whatever the others hold, for the code that runs when the project is imported.

:func:`load_env_file` also copies ``.env`` into the process environment (the CLI calls it), for
the processes a command starts; ``make dev`` has Dagster's own loading of ``.env``."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ENV_FILE = PROJECT_ROOT / ".env"  # beside .env.example
PREFIX = "TARIFF_AUDIT_"
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
DEFAULT_COUNTRIES = "5880,0003,5800,4120,4419,5700,-"
_MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|KIB|MB|MIB|GB|GIB|TB|TIB)\s*$", re.IGNORECASE)


class SettingError(ValueError):
    """An environment variable holds a value the pipeline cannot use."""

    def __init__(self, name: str, value: str, expected: str):
        self.name = name
        super().__init__(f"{name}={value!r} is not usable: expected {expected} "
                         f"(set it in the environment or .env, see .env.example)")


def _refuse(expected: str) -> PydanticCustomError:
    return PydanticCustomError("setting", "{expected}", {"expected": expected})


class Settings(BaseSettings):
    """Every setting of the project (``.env.example`` documents each)."""

    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, extra="ignore",
                                      env_file_encoding="utf-8")

    source: str = "sample"  # sample, live, or a snapshot directory (lib/sources/snapshot.py)
    census_api_key: SecretStr | None = Field(None, validation_alias="CENSUS_API_KEY")
    estat_app_id: SecretStr | None = Field(None, validation_alias="ESTAT_APP_ID")
    data: Path = PROJECT_ROOT / "data"
    warehouse: Path | None = None  # default: <data>/warehouse.duckdb
    published: Path | None = None  # default: published/ beside the warehouse
    landing: Path | None = None  # default: <data>/landing
    countries: str = DEFAULT_COUNTRIES
    hts_since: date = date(2025, 1, 1)
    ledger_dir: Path | None = None  # default: pipelines/ledger
    # DuckDB's buffer pool (it spills to <warehouse>.tmp beyond): with GX validating a month at
    # a time, the whole process stays under ~3 GB however many months a run loads.
    duckdb_memory: str = "2GB"
    warehouse_wait: float = WAIT_BUDGETS["TARIFF_AUDIT_WAREHOUSE_WAIT"]
    http_budget: float = WAIT_BUDGETS["TARIFF_AUDIT_HTTP_BUDGET"]
    census_base_url: str = BASE_URLS["TARIFF_AUDIT_CENSUS_BASE_URL"]
    hts_reststop_url: str = BASE_URLS["TARIFF_AUDIT_HTS_RESTSTOP_URL"]
    hts_files_url: str = BASE_URLS["TARIFF_AUDIT_HTS_FILES_URL"]
    federal_register_url: str = BASE_URLS["TARIFF_AUDIT_FEDERAL_REGISTER_URL"]
    fred_url: str = BASE_URLS["TARIFF_AUDIT_FRED_URL"]
    estat_url: str = BASE_URLS["TARIFF_AUDIT_ESTAT_URL"]
    shared_data: Path | None = None  # benchmarks: the real data (default: ../shared/data)

    @field_validator("source", mode="before")
    @classmethod
    def _source(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    @field_validator("data", "warehouse", "published", "landing", "shared_data", mode="before")
    @classmethod
    def _path(cls, value: Any) -> Any:
        return Path(value.strip()).expanduser() if isinstance(value, str) else value

    @field_validator("ledger_dir", mode="before")
    @classmethod
    def _directory(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        path = Path(value.strip()).expanduser()
        if not path.is_dir():
            raise _refuse("an existing directory")
        return path

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, value: Any) -> Any:
        codes = [c.strip() for c in str(value).split(",") if c.strip()]
        if not codes or any(not re.fullmatch(r"\d{4}|-", c) for c in codes):
            raise _refuse("Census country codes of 4 digits or -, separated by commas, "
                          "e.g. 5880,0003,-")
        return ",".join(codes)

    @field_validator("hts_since", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise _refuse("a date as YYYY-MM-DD, e.g. 2025-01-01") from None

    @field_validator("duckdb_memory", mode="before")
    @classmethod
    def _memory(cls, value: Any) -> Any:
        if not _MEMORY.match(str(value)):
            raise _refuse("a size such as 2GB or 512MB")
        return str(value).strip()

    @field_validator("warehouse_wait", "http_budget", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = -1.0
        if not seconds > 0 or seconds == float("inf"):
            raise _refuse("a number of seconds above 0, e.g. 600")
        return seconds

    @field_validator("census_base_url", "hts_reststop_url", "hts_files_url",
                     "federal_register_url", "fred_url", "estat_url", mode="before")
    @classmethod
    def _url(cls, value: Any, info) -> Any:
        text = str(value).strip()
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            example = BASE_URLS[variable(info.field_name)]
            raise _refuse(f"an http:// or https:// URL, e.g. {example}")
        return text.rstrip("/")

    @property
    def country_codes(self) -> list[str]:
        return self.countries.split(",")


def variable(field: str) -> str:
    """The environment variable of a :class:`Settings` field."""
    alias = Settings.model_fields[field].validation_alias
    return alias if isinstance(alias, str) else PREFIX + field.upper()


def get() -> Settings:
    """The settings as the environment and ``.env`` (:data:`ENV_FILE`) say now; the first
    malformed value raises :class:`SettingError`."""
    try:
        return Settings(_env_file=ENV_FILE)
    except ValidationError as invalid:
        raise _setting_error(invalid.errors()[0]) from None


def value(field: str) -> Any:
    """One setting, checked, whatever the others hold: for what runs when the project is
    imported (the warehouse's path, the partitions of the source), where a malformed value of
    another variable must not break the import (the CLI refuses it in one line before any run,
    and a step reading it fails naming it)."""
    try:
        return getattr(Settings(_env_file=ENV_FILE), field)
    except ValidationError as invalid:
        errors = {_field(error): error for error in invalid.errors()}
        if field in errors:
            raise _setting_error(errors[field]) from None
        defaults = {name: Settings.model_fields[name].get_default(call_default_factory=True)
                    for name in errors}
        return getattr(Settings(_env_file=ENV_FILE, **defaults), field)


def secret(field: str) -> str | None:
    """The value of ``census_api_key`` or ``estat_app_id``, ``None`` when unset (never log
    it: :func:`pipelines.lib.errors.register_secret` it)."""
    held = value(field)
    return (held.get_secret_value().strip() or None) if held is not None else None


def _field(error: Any) -> str:
    loc = str(error["loc"][0])
    for name, info in Settings.model_fields.items():
        if loc == info.validation_alias:
            return name
    return loc


def _setting_error(error: Any) -> SettingError:
    expected = (error.get("ctx") or {}).get("expected", error["msg"])
    return SettingError(variable(_field(error)), str(error["input"]), expected)


def check_environment() -> None:
    """Read every setting once; the first malformed one raises :class:`SettingError`."""
    get()


def env_seconds(name: str) -> float:
    """The wait budget ``name`` (``TARIFF_AUDIT_WAREHOUSE_WAIT`` or ``..._HTTP_BUDGET``), for
    the callers that name it by its variable."""
    if name not in WAIT_BUDGETS:
        raise KeyError(f"{name} is not a wait budget; expected one of {sorted(WAIT_BUDGETS)}")
    return getattr(get(), name.removeprefix(PREFIX).lower())


def load_env_file(path: Path | None = None) -> list[str]:
    """Set the variables of ``path`` (default :data:`ENV_FILE`; nothing when it does not exist)
    that the environment does not set already and that have a value; returns their names
    (never their values: ``.env`` may hold an API key)."""
    from dotenv import dotenv_values  # a dependency of pydantic-settings

    path = path or ENV_FILE
    if not path.is_file():
        return []
    loaded = []
    for name, value in dotenv_values(path).items():
        if value is not None and value.strip() and name not in os.environ:
            os.environ[name] = value
            loaded.append(name)
    return loaded
