"""Land keep.eu inputs: the live search export, or archived export files.

Every input is landed immutably under `landing/keep/` by its sha256 (the API answer with
the request body in its sidecar), like every source. Which layout a file is in is not
decided here: detect.py looks at the file itself.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.errors import SourceError
from pipelines.sources.http import HttpClient, redact_url
from pipelines.sources.keep.api import search_payload, search_url
from pipelines.sources.landing import LandedBlob, Landing
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


def land_files(paths: Sequence[Path], landing_root: Path) -> LandedKeep:
    """Land archived export files, in the order given."""
    if not paths:
        raise SourceError("no keep.eu export files given")
    landing = Landing(Path(landing_root), SOURCE)
    names: set[str] = set()
    inputs = []
    for order, path in enumerate(paths, start=1):
        blob = landing.copy_in(Path(path))
        name = _unique(Path(path).name, names)
        inputs.append(_input(name, order, blob))
    return LandedKeep(tuple(inputs))


def _check_workbook(blob: LandedBlob, shown: str) -> None:
    with blob.path.open("rb") as handle:
        head = handle.read(64)
    if not head.startswith(ZIP_MAGIC):
        raise SourceError(
            f"{shown} answered {blob.size} bytes that are not an XLSX workbook (they start"
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
