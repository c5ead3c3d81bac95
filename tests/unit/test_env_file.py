"""``.env`` (a copy of ``.env.example``) is read by every command: the environment wins, an empty
value leaves the variable at its default, and a malformed value there is refused like one in
the environment, naming the variable."""

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
