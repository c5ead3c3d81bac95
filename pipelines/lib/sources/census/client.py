"""Client for the Census Bureau International Trade API (``imports/hs`` and ``exports/hs``).

One request per (country, chapter) at ``COMM_LVL=HS10`` for one month. Every answer is checked
(JSON array of arrays, header holding the requested variables and the echoed ``time``, rows as
long as the header, string or null values, the requested month) and, when ``landing_root`` is
set, saved unchanged under the snapshot layout of :mod:`pipelines.lib.sources.snapshot`::

    <landing_root>/census/<endpoint>/<YYYY-MM>/CTY_CODE=5880_I_COMMODITY=87.json

File names encode the predicates only: ``CTY_CODE=<code>`` (``ALL`` for ``-``, the all-countries
total; left out when no country predicate is sent), then ``I_COMMODITY=<prefix>`` (imports) or
``E_COMMODITY=<prefix>`` (exports), the prefix without its ``*`` wildcard.

Choices:

- HTTP 204 (no data for the query) is not an error: it yields a :class:`FetchedAnswer` with
  ``status=204``, an empty body, no header, ``row_count=0`` and ``path=None``. No answer file is
  written for it (an empty file is not JSON); the month's ``landing.jsonl`` records it (file
  name, status 204, fetch time), as it records every saved answer's status and fetch time, so
  a reader can tell "no data" from a lost or zero-byte file.
- A chapter that still fails with 5xx or read timeouts after the session's retries (the answer
  policy of :mod:`pipelines.lib.sources.http` says a smaller request may help) is split into its
  ten 3-digit prefixes, a failing 3-digit prefix into its ten 4-digit ones; a failing 4-digit
  prefix raises :class:`SourceError`. Depth first: the first prefix that cannot be fetched stops
  the month.
- When a (country, chapter) has been fetched completely, landing files of that same country and
  chapter that this fetch did not write (an earlier run's other split, or an answer that is now a
  204) are removed, so the month directory never holds two overlapping answers.
- Redirects are not followed; a 3xx or an HTML page is reported as a key/endpoint problem at once,
  a 429 after the retries as a rate limit (never split).
- The key (argument or ``CENSUS_API_KEY``) is sent as the ``key`` query parameter only when set
  and never appears in a log line, an exception, a :class:`FetchedAnswer` or a file name.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import requests

from pipelines.lib import settings
from pipelines.lib.errors import SourceError, Verdict, redact, register_secret
from pipelines.lib.settings import BASE_URLS
from pipelines.lib.sources import http
from pipelines.lib.sources.snapshot import (
    CENSUS_ENDPOINTS,
    census_month_dir,
    compact_landing,
    record_landing,
)

LOGGER = logging.getLogger("pipelines.http")

DEFAULT_BASE_URL = BASE_URLS["TARIFF_AUDIT_CENSUS_BASE_URL"]

IMPORTS_VARIABLES: tuple[str, ...] = (
    "I_COMMODITY",
    "I_COMMODITY_LDESC",
    "I_COMMODITY_SDESC",
    "CTY_CODE",
    "CTY_NAME",
    "SUMMARY_LVL",
    "GEN_VAL_MO",
    "CON_VAL_MO",
    "DUT_VAL_MO",
    "CAL_DUT_MO",
    "CON_QY1_MO",
    "UNIT_QY1",
    "RP",
    "LAST_UPDATE",
)
EXPORTS_VARIABLES: tuple[str, ...] = (
    "E_COMMODITY",
    "E_COMMODITY_LDESC",
    "CTY_CODE",
    "CTY_NAME",
    "ALL_VAL_MO",
    "QTY_1_MO",
    "UNIT_QY1",
)
VARIABLES: dict[str, tuple[str, ...]] = {
    "imports_hs": IMPORTS_VARIABLES,
    "exports_hs": EXPORTS_VARIABLES,
}
COMMODITY_VARIABLE: dict[str, str] = {"imports_hs": "I_COMMODITY", "exports_hs": "E_COMMODITY"}
ENDPOINT_PATHS: dict[str, str] = {"imports_hs": "imports/hs", "exports_hs": "exports/hs"}
SOURCE_NAMES: dict[str, str] = {
    "imports_hs": "Census imports/hs",
    "exports_hs": "Census exports/hs",
}
COMM_LVL = "HS10"
# The month's chapter totals per country, requested at COMM_LVL=HS2 without a commodity
# predicate: the HS10 rows must add up to them (a data contract reconciles the two).
TOTALS_LEVEL = "HS2"
TOTALS_VARIABLES: dict[str, tuple[str, ...]] = {
    "imports_hs": ("I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_MO", "CON_VAL_MO",
                   "DUT_VAL_MO", "CAL_DUT_MO"),
    "exports_hs": ("E_COMMODITY", "CTY_CODE", "CTY_NAME", "ALL_VAL_MO"),
}
ALL_COUNTRIES = "-"
DEFAULT_CHAPTERS: tuple[str, ...] = tuple(f"{n:02d}" for n in range(1, 98))
# A failing chapter is split down to prefixes of this many digits before giving up.
MAX_SPLIT_DIGITS = 4

EXPECTED = http.Expected(what="JSON", hint="check CENSUS_API_KEY and the endpoint",
                         rate_hint="set CENSUS_API_KEY or slow down", statuses=(200, 204))

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_COUNTRY = re.compile(r"^(-|[0-9A-Za-z]{1,10})$")
_PREFIX = re.compile(r"^\d{1,10}$")


@dataclass(frozen=True)
class FetchedAnswer:
    """One Census API answer, as served.

    ``params`` is the request URL with the key redacted; ``body`` the raw bytes (empty for a 204);
    ``header`` the parsed row 0; ``row_count`` the data rows (header excluded); ``path`` where the
    body was saved in the landing directory (``None`` when not saved).
    """

    endpoint: str
    period: str
    country: str | None
    prefix: str
    params: str
    fetched_at: datetime
    status: int
    body: bytes = field(repr=False)
    header: tuple[str, ...]
    row_count: int
    path: Path | None = None

    @property
    def no_data(self) -> bool:
        """True for an HTTP 204 answer (the API has no rows for this query)."""
        return self.status == 204

    def rows(self) -> list[list[str | None]]:
        """The data rows (header excluded); ``[]`` for a 204."""
        if not self.body:
            return []
        return json.loads(self.body)[1:]

    def records(self) -> list[dict[str, str | None]]:
        """The data rows as dicts keyed by the header."""
        return [dict(zip(self.header, row, strict=True)) for row in self.rows()]


def answer_file_name(endpoint: str, country: str | None, prefix: str | None) -> str:
    """The landing file name of one query, e.g. ``CTY_CODE=5880_I_COMMODITY=87.json``, or
    ``CTY_CODE=5880_COMM_LVL=HS2.json`` for the chapter totals (``prefix`` None)."""
    _check_endpoint(endpoint)
    parts = []
    if country is not None:
        parts.append(f"CTY_CODE={'ALL' if country == ALL_COUNTRIES else country}")
    if prefix is None:
        parts.append(f"COMM_LVL={TOTALS_LEVEL}")
    else:
        parts.append(f"{COMMODITY_VARIABLE[endpoint]}={prefix}")
    return "_".join(parts) + ".json"


def parse_answer(
    body: bytes, requested: Sequence[str], period: str, *, source: str, request: str
) -> tuple[tuple[str, ...], int]:
    """Check one answer body and return ``(header, data row count)``.

    Rows are numbered as in the JSON array (the header is row 0). Raises :class:`SourceError`
    naming the request and the field or row at fault.
    """

    def fail(problem: str, field: str = "body") -> SourceError:
        return SourceError(source, request, problem, field=field)

    if not body.strip():
        raise fail("empty body with a success status (expected a JSON array of arrays)")
    try:
        data = json.loads(body)
    except UnicodeDecodeError as exc:
        raise fail(f"body is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise fail(
            f"body is not valid JSON (truncated?): {exc.msg} at line {exc.lineno} column "
            f"{exc.colno} of {len(body)} bytes; body starts {http.body_excerpt(body, 80)!r}"
        ) from None
    if not isinstance(data, list) or not data:
        raise fail(f"expected a JSON array of arrays with a header row, got {_kind(data)}")
    header = data[0]
    if not isinstance(header, list) or not all(isinstance(v, str) for v in header):
        raise fail(f"row 0 (header) is not an array of variable names: {_short(header)}", "header")
    missing = [name for name in requested if name not in header]
    if missing:
        raise fail(f"header lacks requested variable(s) {', '.join(missing)}: {header}", missing[0])
    if "time" not in header:
        raise fail(f"header lacks the echoed predicate 'time': {header}", "time")
    if len(set(header)) != len(header):
        raise fail(f"header repeats a variable: {header}", "header")
    width = len(header)
    time_at = header.index("time")
    for number, row in enumerate(data[1:], start=1):
        if not isinstance(row, list):
            raise fail(f"row {number} is {_kind(row)}, expected an array", f"row {number}")
        if len(row) != width:
            raise fail(
                f"row {number} has {len(row)} values but the header has {width}: {_short(row)}",
                f"row {number}",
            )
        for name, value in zip(header, row, strict=True):
            if value is not None and not isinstance(value, str):
                raise fail(
                    f"row {number} field {name} holds {_kind(value)} {value!r}, "
                    "expected a string or null",
                    name,
                )
        if row[time_at] != period:
            raise fail(
                f"row {number} field time is {row[time_at]!r}, but {period!r} was requested", "time"
            )
    return tuple(header), len(data) - 1


class CensusClient:
    """Fetches HS10 months from the Census International Trade API."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: str | None = None,
        timeout: float | tuple[float, float] = (10.0, 120.0),
        retries: int = 4,
        backoff_factor: float = 1.0,
        landing_root: Path | None = None,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        key = api_key if api_key is not None else settings.secret("census_api_key")
        self._key = (key or "").strip() or None
        register_secret(self._key)
        self.timeout = timeout
        self.landing_root = Path(landing_root) if landing_root is not None else None
        self.session = session or http.make_session(retries=retries, backoff_factor=backoff_factor)

    def __repr__(self) -> str:
        key = "set" if self._key else "none"
        return f"CensusClient(base_url={self.base_url!r}, key={key}, landing={self.landing_root})"

    @property
    def has_key(self) -> bool:
        return self._key is not None

    # ------------------------------------------------------------------ requests

    def query_url(
        self, endpoint: str, period: str, country: str | None, prefix: str | None
    ) -> str:
        """The request URL of one query, **with** the key when one is set (never log it).
        ``prefix`` None asks for the month's chapter totals (COMM_LVL=HS2)."""
        _check_endpoint(endpoint)
        totals = prefix is None
        params: list[tuple[str, str]] = [
            ("get", ",".join(TOTALS_VARIABLES[endpoint] if totals else VARIABLES[endpoint])),
            ("time", period),
            ("COMM_LVL", TOTALS_LEVEL if totals else COMM_LVL),
        ]
        if country is not None:
            params.append(("CTY_CODE", country))
        if not totals:
            params.append((COMMODITY_VARIABLE[endpoint], f"{prefix}*"))
        if self._key:
            params.append(("key", self._key))
        query = urlencode(params, safe=",*-")
        return f"{self.base_url}/{ENDPOINT_PATHS[endpoint]}?{query}"

    def fetch_query(
        self, endpoint: str, period: str, country: str | None, prefix: str | None
    ) -> FetchedAnswer:
        """One request, no splitting. What fails after the session's retries raises a
        :class:`SourceError` whose verdict says whether a smaller request may help."""
        _check_endpoint(endpoint)
        source = SOURCE_NAMES[endpoint]
        url = self.query_url(endpoint, period, country, prefix)
        shown = redact(url, self._key)
        response = http.get(
            self.session, url, source=source, timeout=self.timeout, secret=self._key
        )
        fetched_at = datetime.now(UTC)
        body = response.content
        status = response.status_code
        http.check_answer(response, body, source=source, request=shown, expected=EXPECTED)
        if status == 204:
            LOGGER.info("%s: no data (HTTP 204) for %s", source, shown)
            if self.landing_root is not None:
                self._record(endpoint, period, answer_file_name(endpoint, country, prefix),
                             204, fetched_at, 0, shown)
            return FetchedAnswer(
                endpoint=endpoint,
                period=period,
                country=country,
                prefix=prefix,
                params=shown,
                fetched_at=fetched_at,
                status=204,
                body=b"",
                header=(),
                row_count=0,
            )
        requested = VARIABLES[endpoint] if prefix is not None else TOTALS_VARIABLES[endpoint]
        header, row_count = parse_answer(body, requested, period, source=source, request=shown)
        path = None
        if self.landing_root is not None:
            name = answer_file_name(endpoint, country, prefix)
            path = self._save(endpoint, period, name, body)
            self._record(endpoint, period, name, status, fetched_at, row_count, shown)
        LOGGER.info("%s: %d rows for %s", source, row_count, shown)
        return FetchedAnswer(
            endpoint=endpoint,
            period=period,
            country=country,
            prefix=prefix,
            params=shown,
            fetched_at=fetched_at,
            status=status,
            body=body,
            header=header,
            row_count=row_count,
            path=path,
        )

    def fetch_prefix(
        self, endpoint: str, period: str, country: str | None, prefix: str
    ) -> list[FetchedAnswer]:
        """One query, split into longer prefixes (down to 4 digits) while the answer policy says a
        smaller request may help (a server error, no answer in time; never a 429)."""
        try:
            return [self.fetch_query(endpoint, period, country, prefix)]
        except SourceError as exc:
            if exc.verdict is not Verdict.SMALLER:
                raise
            if len(prefix) >= MAX_SPLIT_DIGITS:
                var = COMMODITY_VARIABLE[endpoint]
                raise SourceError(
                    exc.source,
                    exc.request,
                    f"gave up on {endpoint} {period} CTY_CODE={_country_label(country)} "
                    f"{var}={prefix}* after retries and splitting down to {MAX_SPLIT_DIGITS}-digit "
                    f"prefixes: {exc.problem}",
                    field=exc.field,
                    verdict=Verdict.LATER,  # not split any further
                ) from None
            LOGGER.warning(
                "%s: %s; splitting prefix %s* into %s0*..%s9*",
                exc.source,
                exc.problem,
                prefix,
                prefix,
                prefix,
            )
        answers: list[FetchedAnswer] = []
        for digit in "0123456789":
            answers.extend(self.fetch_prefix(endpoint, period, country, prefix + digit))
        return answers

    def fetch_month(
        self,
        endpoint: str,
        period: str,
        countries: Sequence[str] | None = None,
        chapters: Iterable[str] | None = None,
        totals: bool = False,
    ) -> list[FetchedAnswer]:
        """Every HS10 row of one month: one request per (country, chapter), then (``totals``)
        one per country for the month's chapter totals (COMM_LVL=HS2).

        ``countries``: Census country codes (``5880`` Japan, ``-`` all countries' total); ``None``
        sends no ``CTY_CODE`` predicate (every country in one answer per chapter). ``chapters``:
        2-digit HS chapters (default ``01``..``97``) or longer prefixes, none a prefix of another.
        """
        _check_endpoint(endpoint)
        if not _PERIOD.match(period):
            raise ValueError(f"period must be YYYY-MM, got {period!r}")
        country_list: list[str | None] = [None] if countries is None else list(countries)
        for country in country_list:
            if country is not None and not _COUNTRY.match(country):
                raise ValueError(f"country must be a Census CTY_CODE or '-', got {country!r}")
        chapter_list = list(DEFAULT_CHAPTERS if chapters is None else chapters)
        for chapter in chapter_list:
            if not _PREFIX.match(chapter):
                raise ValueError(f"chapter must be digits (e.g. '87'), got {chapter!r}")
        if len(set(chapter_list)) != len(chapter_list):
            raise ValueError(f"chapters repeat a value: {chapter_list}")
        for a in chapter_list:
            for b in chapter_list:
                if a != b and b.startswith(a):
                    raise ValueError(f"chapters {a!r} and {b!r} overlap")
        answers: list[FetchedAnswer] = []
        for country in country_list:
            for chapter in chapter_list:
                got = self.fetch_prefix(endpoint, period, country, chapter)
                if self.landing_root is not None:
                    self._remove_stale(endpoint, period, country, chapter, got)
                answers.extend(got)
            if totals:
                answers.append(self.fetch_query(endpoint, period, country, None))
        if self.landing_root is not None:
            compact_landing(census_month_dir(self.landing_root, endpoint, period))
        LOGGER.info(
            "%s %s: %d answers (%d with no data), %d rows",
            SOURCE_NAMES[endpoint],
            period,
            len(answers),
            sum(a.no_data for a in answers),
            sum(a.row_count for a in answers),
        )
        return answers

    # ------------------------------------------------------------------ landing

    def _save(self, endpoint: str, period: str, name: str, body: bytes) -> Path:
        assert self.landing_root is not None
        target = census_month_dir(self.landing_root, endpoint, period) / name
        http.write_atomic(target, body)
        return target

    def _record(self, endpoint: str, period: str, name: str, status: int, fetched_at: datetime,
                rows: int, request: str) -> None:
        """Note the answer in the month's landing record: its status (a 204 leaves no file, so
        a zero-byte or missing answer is damage, never "no data") and its fetch time (the
        vintage order of answers without LAST_UPDATE; a file's mtime never decides)."""
        assert self.landing_root is not None
        record_landing(census_month_dir(self.landing_root, endpoint, period), {
            "file": name, "status": status, "rows": rows, "request": request,
            "fetched_at": fetched_at.isoformat(timespec="microseconds")})

    def _remove_stale(
        self,
        endpoint: str,
        period: str,
        country: str | None,
        chapter: str,
        answers: list[FetchedAnswer],
    ) -> None:
        assert self.landing_root is not None
        month_dir = census_month_dir(self.landing_root, endpoint, period)
        if not month_dir.is_dir():
            return
        stem = answer_file_name(endpoint, country, chapter)[: -len(".json")]
        kept = {a.path.name for a in answers if a.path is not None}
        pattern = re.compile(re.escape(stem) + r"\d*\.json")
        for candidate in month_dir.glob("*.json"):
            if pattern.fullmatch(candidate.name) and candidate.name not in kept:
                LOGGER.info("removing superseded landing file %s", candidate)
                candidate.unlink()


def _check_endpoint(endpoint: str) -> None:
    if endpoint not in CENSUS_ENDPOINTS:
        raise ValueError(f"unknown Census endpoint {endpoint!r}; expected {CENSUS_ENDPOINTS}")


def _country_label(country: str | None) -> str:
    return "(none)" if country is None else country


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"


def _short(value: object, limit: int = 200) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[:limit] + "..."
