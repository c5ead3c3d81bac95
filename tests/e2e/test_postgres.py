"""PostgreSQL instance storage (deploy/postgres/dagster.yaml) against a real server: Debian's
postgresql, started in a temporary directory for this test; skipped with the reason when the
package is not installed (.ci/run installs it)."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import dagster as dg
import pytest
import yaml

from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.stages import LEDGER, PUBLISH, run_assets

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "postgres" / "dagster.yaml"


def _bin_dir() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    bin_dir = _bin_dir()
    if bin_dir is None:
        pytest.skip("Debian's postgresql is not installed (apt-get install -y postgresql; "
                    ".ci/run installs it)")
    # initdb refuses to run as root: run the server as the postgres user the package creates
    as_user: list[str] = []
    directory = Path(tempfile.mkdtemp(prefix="tariff-audit-pg-"))
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the server")
        os.chown(directory, user.pw_uid, user.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = directory / "data", _free_port()

    def pg(*args, check=True):
        return subprocess.run([*as_user, *args], capture_output=True, text=True, timeout=120,
                              check=check)

    pg(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"), "-w",
       "-o", f"-p {port} -k {directory} -c listen_addresses=127.0.0.1", "start")
    try:
        pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
           "dagster")
        yield {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port),
               "DAGSTER_PG_DB": "dagster", "DAGSTER_PG_USER": "postgres",
               "DAGSTER_PG_PASSWORD": "unused-with-trust-auth"}
    finally:
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop", check=False)
        shutil.rmtree(directory, ignore_errors=True)


def test_both_instance_configurations_keep_the_one_writer_pool():
    sqlite = yaml.safe_load((ROOT / "dagster_home" / "dagster.yaml").read_text())
    postgres = yaml.safe_load(CONFIG.read_text())
    for config in (sqlite, postgres):
        assert config["concurrency"]["pools"]["default_limit"] == 1
        assert config["run_monitoring"]["free_slots_after_run_end_seconds"] > 0
    assert "storage" not in sqlite and "postgres" in postgres["storage"]


def test_runs_and_pool_slots_live_in_postgres(postgres, sample_snapshot, tmp_path,
                                              monkeypatch):
    for name, value in postgres.items():
        monkeypatch.setenv(name, value)
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(CONFIG, home / "dagster.yaml")
    resources = {"source": SourceResource(source=str(sample_snapshot)),
                 "warehouse": WarehouseResource(database=str(tmp_path / "w.duckdb"))}
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 15
        result = run_assets(instance, LEDGER, None, resources)
        assert result.success
        assert run_assets(instance, PUBLISH, None, resources).success
        # the step claimed the duckdb pool's one slot in PostgreSQL and released it
        info = instance.event_log_storage.get_pool_config()
        assert info.default_pool_limit == 1
        assert instance.event_log_storage.get_concurrency_info("duckdb").slot_count == 1
        assert instance.event_log_storage.get_concurrency_info("duckdb").active_slot_count == 0
    with dg.DagsterInstance.from_config(str(home)) as again:  # read back from the server
        runs = again.get_runs()
        assert {r.job_name for r in runs} == {"reference_refresh", "publish_refresh"}
        assert all(r.is_success for r in runs)
