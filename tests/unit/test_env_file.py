"""``.env`` (a copy of ``.env.example``) is read by every command: the environment wins, an empty
value leaves the variable at its default, and a malformed value there is refused like one in
the environment, naming the variable."""

import os
from datetime import date
from pathlib import Path

import pytest

from pipelines import cli
from pipelines.lib import settings

SINCE, DATA, COUNTRIES = "TARIFF_AUDIT_HTS_SINCE", "TARIFF_AUDIT_DATA", "TARIFF_AUDIT_COUNTRIES"


@pytest.fixture
def env_file(tmp_path, monkeypatch):
    for name in (SINCE, DATA):  # set then removed: whatever the test loads is undone after it
        monkeypatch.setenv(name, "placeholder")
        monkeypatch.delenv(name)
    monkeypatch.setenv(COUNTRIES, "0003")
    path = tmp_path / ".env"
    path.write_text(f"# a copy of .env.example\n{SINCE}=2025-13-01\n{DATA}=\n{COUNTRIES}=5880\n",
                    encoding="utf-8")
    monkeypatch.setattr(settings, "ENV_FILE", path)
    return path


def test_the_environment_wins_and_an_empty_value_stays_unset(env_file):
    assert settings.load_env_file() == [SINCE]
    assert settings.os.environ[SINCE] == "2025-13-01"
    assert DATA not in settings.os.environ
    assert settings.os.environ[COUNTRIES] == "0003"
    assert settings.load_env_file(env_file.parent / "absent.env") == []


def test_make_run_reads_env_and_refuses_its_malformed_value(env_file):
    with pytest.raises(SystemExit) as refused:
        cli.main(["run"])
    assert str(refused.value).startswith(f"refused: {SINCE}='2025-13-01' is not usable")
    assert "set it in the environment or .env" in str(refused.value)


def test_the_settings_read_env_themselves_and_afresh(env_file, monkeypatch):
    """The settings class reads .env without load_env_file (and leaves the process environment
    alone); each read sees the environment as it is now."""
    env_file.write_text(f"{SINCE}=2025-03-01\n{DATA}=\n{COUNTRIES}=5880\nOTHER_TOOL=x\n",
                        encoding="utf-8")
    read = settings.get()
    assert read.hts_since == date(2025, 3, 1) and SINCE not in os.environ
    assert read.countries == "0003"  # the environment wins
    assert read.data == settings.PROJECT_ROOT / "data"  # empty: the default
    monkeypatch.setenv(SINCE, "2025-04-01")
    assert settings.get().hts_since == date(2025, 4, 1)


def test_one_setting_is_read_whatever_another_holds(env_file, monkeypatch):
    """What runs when the project is imported reads its own setting; the malformed one is
    refused where it is read."""
    monkeypatch.setenv(DATA, "/srv/tariff-audit")
    with pytest.raises(settings.SettingError, match=f"{SINCE}='2025-13-01'"):
        settings.get()
    assert settings.value("data") == Path("/srv/tariff-audit")
    with pytest.raises(settings.SettingError, match=f"{SINCE}='2025-13-01'"):
        settings.value("hts_since")
