"""Land keep.eu inputs: the live search export, or archived export files.

Every input is landed immutably under `landing/keep/` by its sha256 (the API answer with
the request body in its sidecar), like every source. Which layout a file is in is not
decided here: detect.py looks at the file itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.errors import SourceError
from pipelines.sources.http import HttpClient, redact_url
from pipelines.sources.keep.api import search_payload, search_url
from pipelines.sources.keep.limits import DEFAULT_MAX_BYTES, too_large
from pipelines.sources.landing import LandedBlob, Landing, hash_file
from schemas.keep_contract import SOURCE

log = logging.getLogger("pipelines.keep.extract")

API_EXPORT_NAME = "keep-eu-search-export.xlsx"
ZIP_MAGIC = b"PK\x03\x04"  # an XLSX workbook is a zip file


@dataclass(frozen=True)
class KeepInput:
    """One landed input: an export workbook or CSV."""

    name: str  # how audit tables name it: the file's name, or API_EXPORT_NAME
    order: int  # 1 = first; where inputs hold the same project, the first one wins
    path: Path  # the landed copy
    sha256: str
    url: str  # where it came from (credentials removed)
    size: int
    from_cache: bool  # these bytes were landed before


@dataclass(frozen=True)
class LandedKeep:
    inputs: tuple[KeepInput, ...]
    request_body: dict[str, Any] | None = None  # the search payload, for the API


def land_api_export(
    base_url: str, programmes: Sequence[int], landing_root: Path, client: HttpClient
) -> LandedKeep:
    """POST the search export for `programmes` and land the workbook it answers with."""
    url = search_url(base_url)
    payload = search_payload(programmes)
    blob = Landing(Path(landing_root), SOURCE).fetch(
        client, url, method="POST", json_body=payload, extension=".xlsx", conditional=False
    )
    _check_workbook(blob, f"POST {redact_url(url)}")
    log.info("landed the keep.eu export of programmes %s: %d bytes", list(programmes), blob.size)
    return LandedKeep((_input(API_EXPORT_NAME, 1, blob),), request_body=payload)


@dataclass(frozen=True)
class ExportProbe:
    """keep.eu's answer to a (possibly conditional) export POST, for the change sensor.

    A 200's body waits in a temporary file of the landing folder while the probe is open;
    `land()` lands it (what `land_api_export` would have landed), else it is dropped.
    """

    not_modified: bool  # a 304: keep.eu says nothing changed since `etag`/`last_modified`
    path: Path | None  # the body of a 200 (temporary); None on a 304
    sha256: str | None
    etag: str | None  # validators to send next time (None when keep.eu sent none)
    last_modified: str | None
    _land: Callable[[], LandedBlob] | None = field(default=None, repr=False)

    def land(self) -> LandedBlob:
        if self._land is None:
            raise ValueError("a 304 has no body to land")
        return self._land()


@contextlib.contextmanager
def probe_api_export(
    base_url: str,
    programmes: Sequence[int],
    landing_root: Path,
    client: HttpClient,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int | None = None,
) -> Iterator[ExportProbe]:
    """POST the export as `land_api_export` does, conditionally when validators are given.

    keep.eu may ignore `If-None-Match`/`If-Modified-Since` (a POST is rarely conditional):
    a 304 means unchanged; a 200 must be an XLSX workbook (else a SourceError). Landing is
    left to the caller, so that bodies that change nothing do not pile up in landing/keep/.
    """
    url = search_url(base_url)
    payload = search_payload(programmes)
    landing = Landing(Path(landing_root), SOURCE)
    with landing.temp_file() as tmp:
        download = client.download(
            url,
            tmp,
            method="POST",
            json_body=payload,
            etag=etag,
            last_modified=last_modified,
            max_bytes=max_bytes,  # None: the client's own limit
        )
        if download.not_modified:
            yield ExportProbe(
                True, None, None, download.etag or etag, download.last_modified or last_modified
            )
            return
        _check_workbook_file(tmp, download.size or 0, f"POST {redact_url(url)}")

        def land() -> LandedBlob:  # exactly as Landing.fetch lands a POST's answer
            return landing.land_file(
                tmp,
                url=url,
                extension=".xlsx",
                sha256=download.sha256,
                size=download.size,
                headers=download.headers,
                request_body=payload,
                method="POST",
                final_url=download.final_url,
            )

        yield ExportProbe(
            False, tmp, download.sha256, download.etag, download.last_modified, _land=land
        )


# The run tag with the sha256 of the export the sensor keep_export_changed landed.
EXPORT_SHA256_TAG = "interreg/keep_export_sha256"


def landed_api_export(
    base_url: str, programmes: Sequence[int], landing_root: Path, sha256: str
) -> LandedKeep | None:
    """The export landed earlier with this sha256 (by the change sensor), as `land_api_export`
    would return it, so that a run can load it without a second POST.

    None, and the caller POSTs, unless the file is intact and its sidecar shows it answered
    the same request (URL and search payload) that `land_api_export` would send now.
    """
    url = search_url(base_url)
    payload = search_payload(programmes)
    path = landed_export_path(landing_root, sha256)
    try:
        meta = json.loads(path.with_name(f"{sha256}.meta.json").read_text(encoding="utf-8"))
        actual, size = hash_file(path)
    except (OSError, ValueError):
        return None
    if actual != sha256 or meta.get("url") != redact_url(url):
        return None
    if meta.get("method") != "POST" or meta.get("request_body") != payload:
        return None
    blob = LandedBlob(path, sha256, size, redact_url(url), from_cache=True)
    log.info("reusing the keep.eu export %s landed by the sensor: %d bytes", sha256[:12], size)
    return LandedKeep((_input(API_EXPORT_NAME, 1, blob),), request_body=payload)


CORE_PROPERTIES = "docProps/core.xml"
CREATED = re.compile(rb"<dcterms:created[^>]*>([^<]+)</dcterms:created>")


def workbook_created_at(path: Path) -> datetime | None:
    """When keep.eu wrote the export: the workbook's own creation time (its document
    properties), the export's date for data_freshness. None for a CSV, a workbook without
    the property, or one that is unreadable (its reader says why)."""
    try:
        with zipfile.ZipFile(path) as book, book.open(CORE_PROPERTIES) as part:
            found = CREATED.search(part.read(64 * 1024))
        return datetime.fromisoformat(found.group(1).decode().strip()) if found else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None


def landed_export_path(landing_root: Path, sha256: str) -> Path:
    """Where the export workbook with this sha256 is (or would be) landed."""
    return Landing(Path(landing_root), SOURCE).dir / f"{sha256}.xlsx"


# The parts of an XLSX that describe the file rather than the data: docProps/core.xml holds
# the time the workbook was written, which an export generated on request changes each time.
PROPERTY_PARTS = "docProps/"


def workbook_fingerprint(path: Path) -> str | None:
    """A sha256 of what a workbook holds, not of how and when it was written.

    Every part's name, CRC-32 and size as the zip's central directory lists them, without
    the document properties (author, creation time) and without the zip's own time stamps:
    two exports of the same data written at different times have different bytes but the
    same fingerprint. Nothing is decompressed. None when the file is no readable zip.
    """
    try:
        with zipfile.ZipFile(path) as book:
            parts = sorted(
                (info.filename, info.CRC, info.file_size)
                for info in book.infolist()
                if not info.filename.startswith(PROPERTY_PARTS)
            )
    except (zipfile.BadZipFile, OSError):
        return None
    digest = hashlib.sha256()
    for name, crc, size in parts:
        digest.update(f"{name}\0{crc:08x}\0{size}\n".encode())
    return digest.hexdigest()


def land_files(
    paths: Sequence[Path], landing_root: Path, max_bytes: int = DEFAULT_MAX_BYTES
) -> LandedKeep:
    """Land archived export files, in the order given; one over `max_bytes` is refused."""
    if not paths:
        raise SourceError("no keep.eu export files given")
    landing = Landing(Path(landing_root), SOURCE)
    names: set[str] = set()
    inputs = []
    for order, path in enumerate(paths, start=1):
        if Path(path).is_file() and Path(path).stat().st_size > max_bytes:
            raise too_large(str(path), Path(path).stat().st_size, max_bytes)  # not even copied
        blob = landing.copy_in(Path(path), max_bytes=max_bytes)
        name = _unique(Path(path).name, names)
        inputs.append(_input(name, order, blob))
    return LandedKeep(tuple(inputs))


def _check_workbook(blob: LandedBlob, shown: str) -> None:
    _check_workbook_file(blob.path, blob.size, shown)


def _check_workbook_file(path: Path, size: int, shown: str) -> None:
    with path.open("rb") as handle:
        head = handle.read(64)
    if not head.startswith(ZIP_MAGIC):
        raise SourceError(
            f"{shown} answered {size} bytes that are not an XLSX workbook (they start"
            f' with {head[:40]!r}); the export asks for "response_type": "excel"'
        )


def _input(name: str, order: int, blob: LandedBlob) -> KeepInput:
    return KeepInput(
        name=name,
        order=order,
        path=blob.path,
        sha256=blob.sha256,
        url=blob.url,
        size=blob.size,
        from_cache=blob.from_cache,
    )


def _unique(name: str, taken: set[str]) -> str:
    """Two files of the same name (from other folders) stay apart in the audit tables."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate)
    return candidate
