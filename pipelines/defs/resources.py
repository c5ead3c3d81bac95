"""Resources: the warehouse (DuckDB) and the sources (sample, live APIs or a snapshot)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource
from pydantic import Field, PrivateAttr

from pipelines.defs.recovery import run_deadline, tag_run
from pipelines.lib import settings
from pipelines.lib.paths import warehouse_path
from pipelines.lib.sources import http, snapshot
from pipelines.lib.sources.census.client import CensusClient
from pipelines.lib.sources.federal_register.client import FederalRegisterClient
from pipelines.lib.sources.fred.client import FredClient
from pipelines.lib.sources.hts.client import HtsClient
from pipelines.lib.waiting import Deadline
from pipelines.lib.warehouse.connection import connect
from pipelines.lib.warehouse.source_claim import claim_source

LOGGER = logging.getLogger("pipelines.sources")


class SourceResource(dg.ConfigurableResource):
    """Where answers come from: ``sample`` (default), ``live`` or a snapshot directory.

    Every step reads the snapshot layout of ``pipelines.lib.sources.snapshot``; in ``live`` mode the
    clients first save each answer, unchanged, into the landing directory with that layout.
    """

    # Left unset, each comes from the project's settings (pipelines.lib.settings: the
    # environment and .env) when it is used, so a malformed variable is reported by the step
    # that needs it, not by the import of the code location.
    source: str | None = Field(
        default=None,
        description="sample, live, or the path of a snapshot directory (TARIFF_AUDIT_SOURCE).",
    )
    census_api_key: str | None = Field(
        default=None, description="Census API key (CENSUS_API_KEY); only used in live mode."
    )
    countries: str | None = Field(
        default=None,
        description="Census country codes fetched in live mode, - = all countries "
                    "(TARIFF_AUDIT_COUNTRIES).",
    )
    hts_since: str | None = Field(
        default=None,
        description="Only HTS releases starting on or after this date become partitions "
                    "(TARIFF_AUDIT_HTS_SINCE).",
    )
    # The live sources' base URLs (a mirror, a proxy, a test server): TARIFF_AUDIT_*_URL.
    census_base_url: str | None = None
    fred_base_url: str | None = None
    hts_reststop_url: str | None = None
    hts_files_url: str | None = None
    federal_register_url: str | None = None

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # each run's requests share one time budget (TARIFF_AUDIT_HTTP_BUDGET)
        http.reset_budget()

    def mode(self) -> snapshot.SourceMode:
        return snapshot.source_mode(self.source)

    def root(self) -> Path:
        """The snapshot directory, generating the bundled sample first when it is absent or
        was written by another version of the generator."""
        mode = self.mode()
        if mode.kind == "sample":
            from pipelines.sample.generate import generate, is_current

            if not is_current(mode.root):
                why = "stale (another generator version)" if mode.root.exists() else "absent"
                LOGGER.info("generating the offline sample snapshot in %s (%s)", mode.root, why)
                generate(mode.root)
        return mode.root

    def claim(self, con) -> None:
        """Record this source as the warehouse's on its first load; refuse another source's
        (:func:`pipelines.lib.warehouse.source_claim.claim_source`). Every step loading from the
        source calls it before writing."""
        mode = self.mode()
        claim_source(con, mode.kind, mode.root)

    def since(self) -> date:
        if self.hts_since is None:
            return settings.value("hts_since")
        try:
            return date.fromisoformat(self.hts_since.strip())
        except ValueError:
            raise settings.SettingError("TARIFF_AUDIT_HTS_SINCE", self.hts_since,
                                        "a date as YYYY-MM-DD, e.g. 2025-01-01") from None

    def hts_client(self) -> HtsClient:
        return HtsClient(reststop_url=self.hts_reststop_url or settings.value("hts_reststop_url"),
                         files_url=self.hts_files_url or settings.value("hts_files_url"),
                         landing_root=self.mode().root)

    def census_client(self) -> CensusClient:
        return CensusClient(base_url=self.census_base_url or settings.value("census_base_url"),
                            api_key=self.census_api_key,
                            landing_root=self.mode().root)

    def federal_register_client(self) -> FederalRegisterClient:
        return FederalRegisterClient(base_url=self.federal_register_url
                                     or settings.value("federal_register_url"),
                                     landing_root=self.mode().root)

    def country_list(self) -> list[str]:
        if self.countries is None:
            return settings.value("countries").split(",")
        return [c.strip() for c in self.countries.split(",") if c.strip()]

    def release_list_file(self) -> Path:
        """releaseList.json of the snapshot; fetched first in live mode."""
        root = self.root()
        if self.mode().is_live:
            self.hts_client().release_list()
        snapshot.require(root, "hts")
        return snapshot.release_list_path(root)

    def release_file(self, release: str) -> Path:
        """The export of one release; downloaded first in live mode when not yet landed."""
        root = self.root()
        if self.mode().is_live:
            try:
                return snapshot.release_path(root, release)
            except snapshot.SnapshotError:
                return self.hts_client().download_release(release)
        return snapshot.release_path(root, release)

    def census_files(self, endpoint: str, period: str) -> list[Path]:
        """The answer files of one month; fetched first (all chapters) in live mode."""
        root = self.root()
        if self.mode().is_live:
            self.census_client().fetch_month(endpoint, period, countries=self.country_list(),
                                             totals=True)
            if endpoint == "imports_hs":  # the critical-mineral lines from every partner
                self.census_client().fetch_month(endpoint, period, countries=None,
                                                 chapters=mineral_prefixes())
        return snapshot.census_month_files(root, endpoint, period)


    def japan_customs_files(self) -> list[Path]:
        """Every MOF/Customs CSV of the snapshot (``japan_customs/<YYYY>/*.csv``) and every
        saved e-Stat page (``japan_customs/estat/<statsDataId>/*.json``). Live mode
        reads the landing directory: the files are placed there by the file route (e-Stat's
        downloads), the e-Stat API client lands its JSON answers beside them."""
        return snapshot.japan_customs_files(self.root())

    def fx_file(self, series: str) -> Path:
        """FRED's CSV of ``series``; downloaded first in live mode."""
        root = self.root()
        if self.mode().is_live:
            FredClient(base_url=self.fred_base_url or settings.value("fred_url"),
                       landing_root=root).download(series)
        path = snapshot.fx_path(root, series)
        if not path.exists():
            raise snapshot.SnapshotError(f"the snapshot {root} has no fx/{series}.csv")
        return path


def mineral_prefixes() -> list[str]:
    """The HS prefixes of the ledger's mineral groups, for the all-partner Census query."""
    from pipelines.lib.rules.mirror import minerals

    return sorted(p for group in minerals().groups for p in group.prefixes)


class WarehouseResource(DuckDBResource):
    """The DuckDB warehouse. Unlike ``DuckDBResource`` (which closes its connection only when the
    step succeeds, and retries a locked file silently for ~100 s), the connection is closed when
    the step fails too, so a failed step never keeps the file open, and a lock held by another
    process is waited for in plain sight (:func:`pipelines.lib.warehouse.connection.connect`).

    Setting the resource up records the executing process in the run's tags (the runs use the
    in-process executor, so that process is the run's), which lets a later run tell whether
    this one died (:mod:`pipelines.defs.recovery`)."""

    _deadline: Deadline | None = PrivateAttr(default=None)
    _open: list = PrivateAttr(default_factory=list)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if context.instance is not None:
            tag_run(context.instance, context.dagster_run)
        self._deadline = run_deadline(context.instance, context.dagster_run)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Close what an interrupted step left open: a signal that arrives while an asset's
        generator is suspended at a ``yield`` leaves its ``with`` block (and the connection)
        open until the generator is collected; closing rolls its transaction back, and the
        process (``make run``'s rollback) can open the file again."""
        while self._open:
            self._open.pop().close()

    @contextmanager
    def get_connection(self):
        con = connect(self.database, {"custom_user_agent": "dagster", **self.connection_config},
                      deadline=self._deadline)
        self._open.append(con)
        try:
            yield con
        finally:
            con.close()
            if con in self._open:
                self._open.remove(con)


def warehouse_resource() -> WarehouseResource:
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    memory = settings.value("duckdb_memory")
    return WarehouseResource(database=str(path), connection_config={"memory_limit": memory})


def source_resource() -> SourceResource:
    """Every setting from the environment and .env when used; the Census key never enters the
    resource's configuration (the UI shows it), the client reads it from the settings."""
    return SourceResource()
