"""Client for the USITC Harmonized Tariff Schedule: the release list and full per-release JSON.

Answers are saved unchanged under the snapshot layout of :mod:`pipelines.lib.sources.snapshot`::

    <landing_root>/hts/releaseList.json     GET {reststop}/releaseList
    <landing_root>/hts/<release name>.json  {files_url}/hts_YYYY_revision_N_json.json

Release files (~20 MB) are streamed to a hidden temp file next to the target, checked (a JSON
array whose first object has the HTS record fields) and renamed into place; a failed or invalid
download leaves nothing behind. Redirects are not followed (usitc.gov answers a missing file
with an HTML page, reported as such).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from pathlib import Path
from typing import Any

import requests

from pipelines.lib.errors import SourceError, Verdict
from pipelines.lib.settings import BASE_URLS
from pipelines.lib.sources import http
from pipelines.lib.sources.snapshot import release_list_path

LOGGER = logging.getLogger("pipelines.http")

SOURCE = "USITC HTS"
DEFAULT_RESTSTOP_URL = BASE_URLS["TARIFF_AUDIT_HTS_RESTSTOP_URL"]
DEFAULT_FILES_URL = BASE_URLS["TARIFF_AUDIT_HTS_FILES_URL"]
RELEASE_FIELDS = ("name", "releaseStartDate")
RECORD_FIELDS = (
    "htsno",
    "general",
    "special",
    "other",
    "description",
    "indent",
    "units",
    "footnotes",
)

_REVISION = re.compile(r"^(\d{4})HTSRev(\d{1,3})$")
_BASIC = re.compile(r"^(\d{4})HTSBasic$")
_CHUNK = 1 << 16


class HtsClient:
    """Reads USITC's release list and downloads full release exports."""

    def __init__(
        self,
        reststop_url: str = DEFAULT_RESTSTOP_URL,
        files_url: str = DEFAULT_FILES_URL,
        timeout: float | tuple[float, float] = (10.0, 120.0),
        retries: int = 4,
        backoff_factor: float = 1.0,
        landing_root: Path | None = None,
        session: requests.Session | None = None,
    ):
        self.reststop_url = reststop_url.rstrip("/")
        self.files_url = files_url.rstrip("/")
        self.timeout = timeout
        self.landing_root = Path(landing_root) if landing_root is not None else None
        self.session = session or http.make_session(retries=retries, backoff_factor=backoff_factor)

    # ------------------------------------------------------------------ release list

    def release_list(self) -> list[dict[str, Any]]:
        """``GET {reststop}/releaseList``: objects with at least ``name`` and ``releaseStartDate``.

        Saved unchanged to ``<landing_root>/hts/releaseList.json`` when a landing root is set.
        """
        url = f"{self.reststop_url}/releaseList"
        body = self._get_json_body(url)
        data = _loads(body, url)
        if not isinstance(data, list):
            raise SourceError(SOURCE, url, f"releaseList is {_kind(data)}, expected an array")
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                raise SourceError(
                    SOURCE, url, f"releaseList item {index} is {_kind(item)}, expected an object"
                )
            for name in RELEASE_FIELDS:
                value = item.get(name)
                if not isinstance(value, str) or not value.strip():
                    raise SourceError(
                        SOURCE,
                        url,
                        f"releaseList item {index} ({item.get('name', 'unnamed')!r}) lacks field "
                        f"{name!r} (got {value!r})",
                        field=name,
                    )
        if self.landing_root is not None:
            http.write_atomic(release_list_path(self.landing_root), body)
        LOGGER.info("%s: %d releases listed", SOURCE, len(data))
        return data

    def current_release(self) -> str:
        """The current release name from ``GET {reststop}/currentRelease``.

        The answer is read as a JSON object with ``name`` or a bare JSON string (not saved).
        """
        url = f"{self.reststop_url}/currentRelease"
        body = self._get_json_body(url)
        try:
            data: Any = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = body.decode("utf-8", errors="replace").strip()
        name = data.get("name") if isinstance(data, dict) else data
        if not isinstance(name, str) or not (_REVISION.match(name) or _BASIC.match(name)):
            raise SourceError(
                SOURCE,
                url,
                f"currentRelease has no release name in field 'name': {data!r:.200}",
                field="name",
            )
        return name

    # ------------------------------------------------------------------ release files

    def release_file_url(self, name: str) -> str:
        """``2025HTSRev23`` → ``{files}/hts_2025_revision_23_json.json``;
        ``2025HTSBasic`` → ``{files}/hts_2025_basic_edition_json.json``."""
        match = _REVISION.match(name)
        if match:
            year, revision = match.group(1), int(match.group(2))
            return f"{self.files_url}/hts_{year}_revision_{revision}_json.json"
        match = _BASIC.match(name)
        if match:
            return f"{self.files_url}/hts_{match.group(1)}_basic_edition_json.json"
        raise SourceError(
            SOURCE,
            f"release {name!r}",
            "release name not understood (expected YYYYHTSRevN or YYYYHTSBasic), so it has no "
            "known JSON file URL",
        )

    def download_release(self, name: str, dest: Path | None = None) -> Path:
        """Download release ``name``'s full JSON export, check it and save it unchanged.

        ``dest`` defaults to ``<landing_root>/hts/<name>.json``. Returns the saved path.
        """
        if dest is None:
            if self.landing_root is None:
                raise ValueError("download_release needs dest= or a client landing_root")
            dest = self.landing_root / "hts" / f"{name}.json"
        url = self.release_file_url(name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.parent / f".{dest.name}.{uuid.uuid4().hex}.tmp"
        try:
            response = http.get(self.session, url, source=SOURCE, timeout=self.timeout, stream=True)
            expected = http.Expected(what=f"the JSON export of release {name}",
                                     not_found="the release file may not be published yet")
            with response:
                if response.status_code != 200:
                    http.check_answer(response, response.content, source=SOURCE, request=url,
                                      expected=expected)
                size = 0
                with tmp.open("wb") as out:
                    try:
                        for chunk in response.iter_content(_CHUNK):
                            out.write(chunk)
                            size += len(chunk)
                    except requests.RequestException as exc:
                        raise SourceError(
                            SOURCE,
                            url,
                            f"download of release {name} broke off after {size} bytes "
                            f"({type(exc).__name__})",
                            field="body",
                            verdict=Verdict.SMALLER,
                        ) from None
            http.check_answer(response, _read_head(tmp), source=SOURCE, request=url,
                              expected=expected)
            _check_release_file(tmp, url, name)
            tmp.replace(dest)
        finally:
            tmp.unlink(missing_ok=True)
        size = dest.stat().st_size
        LOGGER.info("%s: saved release %s (%d bytes) to %s", SOURCE, name, size, dest)
        return dest

    # ------------------------------------------------------------------ helpers

    def _get_json_body(self, url: str) -> bytes:
        response = http.get(self.session, url, source=SOURCE, timeout=self.timeout)
        body = response.content
        http.check_answer(response, body, source=SOURCE, request=url,
                          expected=http.Expected(what="JSON"))
        return body


def _check_release_file(path: Path, url: str, name: str) -> None:
    """The saved export must be a JSON array whose first object has :data:`RECORD_FIELDS`."""
    try:
        with path.open("rb") as handle:
            data = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(
            SOURCE, url, f"release {name} is not valid JSON (truncated?): {exc}"
        ) from None
    if not isinstance(data, list) or not data:
        raise SourceError(
            SOURCE, url, f"release {name} is {_kind(data)}, expected a non-empty array of records"
        )
    first = data[0]
    if not isinstance(first, dict):
        raise SourceError(
            SOURCE, url, f"release {name} record 0 is {_kind(first)}, not an object", field="0"
        )
    missing = [field for field in RECORD_FIELDS if field not in first]
    if missing:
        raise SourceError(
            SOURCE,
            url,
            f"release {name} record 0 lacks field(s) {', '.join(missing)}",
            field=missing[0],
        )


def _loads(body: bytes, url: str) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(
            SOURCE,
            url,
            f"body is not valid JSON (truncated?): {exc}; starts {http.body_excerpt(body, 80)!r}",
        ) from None


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(512)


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "an array" if value else "an empty array"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return f"a {type(value).__name__}"
