"""Client for FRED's CSV download of a daily series (``fredgraph.csv?id=<SERIES>``).

The answer is the CSV FRED serves for its "Download CSV" button: a header
``observation_date,<SERIES>`` (older downloads: ``DATE,<SERIES>``), then one line per day,
``.`` (or nothing) on days without a quote. No key is needed. The body is checked with the
reader's parser before it is saved, unchanged, as ``<landing>/fx/<SERIES>.csv``, so a bad
answer never replaces a good landed file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

import requests

from pipelines.lib.settings import BASE_URLS
from pipelines.lib.sources import http
from pipelines.lib.sources.fred.reader import parse_series
from pipelines.lib.sources.snapshot import fx_path

LOGGER = logging.getLogger("pipelines.http")
DEFAULT_BASE_URL = BASE_URLS["TARIFF_AUDIT_FRED_URL"]
SOURCE = "FRED"


class FredClient:
    """Downloads daily series from FRED as CSV."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL,
                 timeout: float | tuple[float, float] = (10.0, 60.0), retries: int = 4,
                 backoff_factor: float = 1.0, landing_root: Path | None = None,
                 session: requests.Session | None = None):
        self.base_url = base_url
        self.timeout = timeout
        self.landing_root = Path(landing_root) if landing_root is not None else None
        self.session = session or http.make_session(retries=retries,
                                                    backoff_factor=backoff_factor)
        self.session.headers["Accept"] = "text/csv"

    def url(self, series: str) -> str:
        return f"{self.base_url}?{urlencode({'id': series})}"

    def download(self, series: str) -> bytes:
        """The CSV body of ``series``, checked; saved under the landing root when one is set."""
        url = self.url(series)
        source = f"{SOURCE} {series}"
        response = http.get(self.session, url, source=source, timeout=self.timeout)
        body = response.content

        http.check_answer(response, body, source=source, request=url, expected=http.Expected(
            what="CSV", hint="check the series id and the endpoint",
            not_found=f"FRED has no series {series!r}"))
        parse_series(body, series, where=url)  # raises SourceError naming line and field
        if self.landing_root is not None:
            target = fx_path(self.landing_root, series)
            http.write_atomic(target, body)
            LOGGER.info("%s: saved %d bytes to %s", source, len(body), target)
        return body
