"""Client for the e-Stat API 3.0 ``getStatsData`` (JSON), where e-Stat serves Japan's trade
statistics (statistics code 00350300) as a database table.

An answer is one object ``{"GET_STATS_DATA": {"RESULT": {...}, "PARAMETER": {...},
"STATISTICAL_DATA": {...}}}``:

- ``RESULT.STATUS`` 0 = answered, 1 = answered but no data matches (not an error here: no
  values), 2 = answered with part of the request ignored, 100 and above = an error whose text
  is ``RESULT.ERROR_MSG`` (100: authentication failed, i.e. a bad ``appId``). Errors come with
  HTTP 200, so the status is read from the body;
- ``STATISTICAL_DATA.RESULT_INF``: ``TOTAL_NUMBER``, ``FROM_NUMBER``, ``TO_NUMBER`` and, when
  more rows remain, ``NEXT_KEY`` (the ``startPosition`` of the next page; 100,000 values a
  page at most);
- ``STATISTICAL_DATA.CLASS_INF.CLASS_OBJ``: the dimensions (``tab``, ``cat01``.., ``area``,
  ``time``), each with its ``CLASS`` items (``@code``, ``@name``, ``@unit``);
- ``STATISTICAL_DATA.DATA_INF.VALUE``: the cells, each ``{"@tab": .., "@cat01": .., "@area":
  .., "@time": .., "@unit": .., "$": "123"}``; e-Stat writes an object instead of a list when
  there is one cell, and special characters (``-``, ``x``, ``***``) in ``$`` for cells without
  a figure (explained in ``DATA_INF.NOTE``).

The ``appId`` comes from the argument or ``ESTAT_APP_ID`` and is redacted (``appId=***``)
from every URL that is logged, stored or raised. Every page is checked, then saved unchanged
under ``<landing>/japan_customs/estat/<statsDataId>/<narrowing>_<start>.json``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import requests

from pipelines.lib import settings
from pipelines.lib.errors import SourceError, redact, register_secret
from pipelines.lib.settings import BASE_URLS
from pipelines.lib.sources import http
from pipelines.lib.sources.snapshot import japan_customs_dir

LOGGER = logging.getLogger("pipelines.http")
DEFAULT_BASE_URL = BASE_URLS["TARIFF_AUDIT_ESTAT_URL"]
SOURCE = "e-Stat getStatsData"
STATUS_OK, STATUS_NO_DATA, STATUS_PARTIAL = 0, 1, 2
MAX_PAGES = 1000
_NARROWING = re.compile(r"^(lv|cd)(Tab|Cat\d{2}|Area|Time)(From|To)?$")
_ID = re.compile(r"^\d{10}$")


@dataclass(frozen=True)
class EStatPage:
    """One checked getStatsData answer."""

    stats_data_id: str
    start: int
    status: int
    total: int
    next_key: int | None
    values: list[dict[str, str]] = field(repr=False)
    classes: dict[str, dict[str, str]] = field(repr=False)
    body: bytes = field(repr=False)
    url: str = ""
    path: Path | None = None


class EStatClient:
    """Fetches e-Stat statistical tables with getStatsData, page by page."""

    def __init__(self, base_url: str | None = None, app_id: str | None = None,
                 timeout: float | tuple[float, float] = (10.0, 120.0), retries: int = 4,
                 backoff_factor: float = 1.0, landing_root: Path | None = None,
                 session: requests.Session | None = None):
        # TARIFF_AUDIT_ESTAT_URL points the client at a mirror or a test server
        self.base_url = (base_url or settings.value("estat_url")).rstrip("/")
        key = app_id if app_id is not None else settings.secret("estat_app_id")
        self._app_id = (key or "").strip() or None
        register_secret(self._app_id)
        self.timeout = timeout
        self.landing_root = Path(landing_root) if landing_root is not None else None
        self.session = session or http.make_session(retries=retries,
                                                    backoff_factor=backoff_factor)

    def __repr__(self) -> str:
        return (f"EStatClient(base_url={self.base_url!r}, "
                f"app_id={'set' if self._app_id else 'none'}, landing={self.landing_root})")

    def url(self, stats_data_id: str, narrowing: dict[str, str], start: int) -> str:
        """The request URL, **with** the appId (never log it)."""
        params = [("appId", self._app_id or ""), ("statsDataId", stats_data_id),
                  ("metaGetFlg", "Y"), ("cntGetFlg", "N"), ("sectionHeaderFlg", "1")]
        params += sorted(narrowing.items())
        if start > 1:
            params.append(("startPosition", str(start)))
        return f"{self.base_url}/getStatsData?{urlencode(params, safe=',')}"

    def stats_data(self, stats_data_id: str, **narrowing: str) -> list[EStatPage]:
        """Every page of one table (narrowed by ``cdTime=...``, ``cdCat01=...``, ``lvArea=...``
        and the like), following ``NEXT_KEY``."""
        if not _ID.match(stats_data_id):
            raise ValueError(f"statsDataId must be 10 digits, got {stats_data_id!r}")
        for name in narrowing:
            if not _NARROWING.match(name):
                raise ValueError(f"unknown getStatsData narrowing parameter {name!r}")
        if not self._app_id:
            raise SourceError(SOURCE, f"{self.base_url}/getStatsData", "no appId: set "
                              "ESTAT_APP_ID (an e-Stat application id)", field="appId")
        pages, start = [], 1
        while True:
            page = self.fetch_page(stats_data_id, narrowing, start)
            pages.append(page)
            if page.next_key is None:
                break
            if page.next_key <= start or len(pages) >= MAX_PAGES:
                raise SourceError(SOURCE, page.url, f"NEXT_KEY {page.next_key} after "
                                  f"startPosition {start} would not advance (or more than "
                                  f"{MAX_PAGES} pages)", field="RESULT_INF.NEXT_KEY")
            start = page.next_key
        fetched = sum(len(p.values) for p in pages)
        if pages[0].status == STATUS_OK and fetched != pages[0].total:
            raise SourceError(SOURCE, pages[-1].url, f"{fetched} values over {len(pages)} pages "
                              f"but TOTAL_NUMBER is {pages[0].total}",
                              field="RESULT_INF.TOTAL_NUMBER")
        return pages

    def fetch_page(self, stats_data_id: str, narrowing: dict[str, str],
                   start: int = 1) -> EStatPage:
        url = self.url(stats_data_id, narrowing, start)
        shown = redact(url, self._app_id)
        response = http.get(self.session, url, source=SOURCE, timeout=self.timeout,
                            secret=self._app_id)
        body = response.content
        http.check_answer(response, body, source=SOURCE, request=shown, expected=http.Expected(
            what="JSON", hint="check ESTAT_APP_ID and the endpoint"))
        page = parse_answer(body, stats_data_id, start, shown)
        path = None
        if self.landing_root is not None:
            path = self._save(stats_data_id, narrowing, start, body)
        LOGGER.info("%s %s: %d values from %d (status %d)", SOURCE, stats_data_id,
                    len(page.values), start, page.status)
        return EStatPage(page.stats_data_id, page.start, page.status, page.total,
                         page.next_key, page.values, page.classes, body, shown, path)

    def _save(self, stats_data_id: str, narrowing: dict[str, str], start: int,
              body: bytes) -> Path:
        assert self.landing_root is not None
        slug = "_".join(f"{k}={v}" for k, v in sorted(narrowing.items())) or "all"
        slug = re.sub(r"[^A-Za-z0-9=,_-]", "-", slug)
        target = (japan_customs_dir(self.landing_root) / "estat" / stats_data_id
                  / f"{slug}_{start}.json")
        http.write_atomic(target, body)
        return target


def _as_int(value: object, name: str, fail) -> int:
    if isinstance(value, bool):
        raise fail(f"{name} is {value!r}, expected a number", name)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise fail(f"{name} is {value!r}, expected a number", name)


def parse_answer(body: bytes, stats_data_id: str, start: int, where: str) -> EStatPage:
    """Check one getStatsData body; raises ``SourceError`` naming the request and the part of
    the answer at fault (``RESULT.STATUS``, ``DATA_INF.VALUE``, ...)."""

    def fail(problem: str, field: str = "body") -> SourceError:
        return SourceError(SOURCE, where, problem, field=field)

    if not body.strip():
        raise fail("empty body with HTTP 200 (expected a GET_STATS_DATA object)")
    try:
        data = json.loads(body)
    except UnicodeDecodeError as exc:
        raise fail(f"body is not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise fail(f"body is not valid JSON (truncated?): {exc.msg} at line {exc.lineno} "
                   f"column {exc.colno} of {len(body)} bytes") from None
    if not isinstance(data, dict) or "GET_STATS_DATA" not in data:
        keys = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise fail(f"no GET_STATS_DATA object in the answer (found {keys})", "GET_STATS_DATA")
    root = data["GET_STATS_DATA"]
    result = root.get("RESULT") if isinstance(root, dict) else None
    if not isinstance(result, dict) or "STATUS" not in result:
        raise fail("GET_STATS_DATA has no RESULT.STATUS", "RESULT.STATUS")
    status = _as_int(result["STATUS"], "RESULT.STATUS", fail)
    message = str(result.get("ERROR_MSG", ""))
    if status == STATUS_NO_DATA:
        return EStatPage(stats_data_id, start, status, 0, None, [], {}, body, where)
    if status not in (STATUS_OK, STATUS_PARTIAL):
        hint = " (check ESTAT_APP_ID)" if status == 100 else ""
        raise fail(f"e-Stat refused the request: STATUS {status}, {message!r}{hint}",
                   "RESULT.STATUS")
    if status == STATUS_PARTIAL:
        raise fail(f"e-Stat ignored part of the request: STATUS 2, {message!r}; the narrowing "
                   "parameters need fixing before the answer can be trusted", "RESULT.STATUS")
    stat = root.get("STATISTICAL_DATA")
    if not isinstance(stat, dict):
        raise fail("STATUS 0 but no STATISTICAL_DATA object", "STATISTICAL_DATA")
    info = stat.get("RESULT_INF")
    if not isinstance(info, dict):
        raise fail("STATISTICAL_DATA has no RESULT_INF", "RESULT_INF")
    total = _as_int(info.get("TOTAL_NUMBER"), "RESULT_INF.TOTAL_NUMBER", fail)
    first = _as_int(info.get("FROM_NUMBER"), "RESULT_INF.FROM_NUMBER", fail)
    last = _as_int(info.get("TO_NUMBER"), "RESULT_INF.TO_NUMBER", fail)
    next_key = (_as_int(info["NEXT_KEY"], "RESULT_INF.NEXT_KEY", fail)
                if info.get("NEXT_KEY") not in (None, "") else None)
    if first != start:
        raise fail(f"FROM_NUMBER {first} but startPosition {start} was requested",
                   "RESULT_INF.FROM_NUMBER")
    classes = _classes(stat.get("CLASS_INF"), fail)
    inf = stat.get("DATA_INF")
    if not isinstance(inf, dict) or "VALUE" not in inf:
        raise fail("STATISTICAL_DATA has no DATA_INF.VALUE", "DATA_INF.VALUE")
    raw_values = inf["VALUE"]
    raw_values = [raw_values] if isinstance(raw_values, dict) else raw_values
    if not isinstance(raw_values, list):
        raise fail(f"DATA_INF.VALUE is {type(raw_values).__name__}, expected an object or a "
                   "list", "DATA_INF.VALUE")
    values = []
    for number, cell in enumerate(raw_values, start=first):
        if not isinstance(cell, dict) or not isinstance(cell.get("$"), str):
            raise fail(f"value {number} has no '$' text: {json.dumps(cell)[:200]}",
                       "DATA_INF.VALUE")
        for key, item in cell.items():
            if key == "$":
                continue
            dimension = key[1:]
            if not key.startswith("@") or not isinstance(item, str):
                raise fail(f"value {number} has an unexpected member {key!r}",
                           "DATA_INF.VALUE")
            if dimension in classes and item not in classes[dimension]:
                raise fail(f"value {number}: {key} {item!r} is not a code of CLASS_OBJ "
                           f"{dimension!r}", "DATA_INF.VALUE")
        values.append({k.lstrip("@"): v for k, v in cell.items()})
    if len(values) != last - first + 1:
        raise fail(f"{len(values)} values but FROM_NUMBER..TO_NUMBER is {first}..{last} "
                   "(truncated?)", "DATA_INF.VALUE")
    return EStatPage(stats_data_id, start, status, total, next_key, values, classes, body,
                     where)


def _classes(class_inf, fail) -> dict[str, dict[str, str]]:
    """``{dimension id: {code: name}}`` from CLASS_INF (absent with metaGetFlg=N)."""
    if class_inf is None:
        return {}
    objects = class_inf.get("CLASS_OBJ") if isinstance(class_inf, dict) else None
    objects = [objects] if isinstance(objects, dict) else objects
    if not isinstance(objects, list):
        raise fail("CLASS_INF has no CLASS_OBJ list", "CLASS_INF.CLASS_OBJ")
    out = {}
    for obj in objects:
        items = obj.get("CLASS") if isinstance(obj, dict) else None
        items = [items] if isinstance(items, dict) else items
        if not isinstance(obj, dict) or "@id" not in obj or not isinstance(items, list):
            raise fail(f"a CLASS_OBJ lacks @id or CLASS: {json.dumps(obj)[:200]}",
                       "CLASS_INF.CLASS_OBJ")
        out[obj["@id"]] = {str(i.get("@code")): str(i.get("@name", "")) for i in items}
    return out
