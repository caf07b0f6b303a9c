"""Extract the monitoring export: fetch manifest.json and the contract files, land them.

Follows "Transport" in shared/docs/monitoring-export.md: the export is a folder of files
plus manifest.json, over HTTP(S) or as a local folder (plain path or file:// URL). Every
file is landed immutably (see pipelines.sources.landing) and checked against the sha256
the manifest gives; a mismatch is fetched once more, then fails. Counting rows is the CSV
parser's job: it gets `expected_rows` from here.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Protocol
from urllib.parse import quote

from pipelines.errors import ContractError, SourceError
from pipelines.sources.http import HttpClient, redact_url
from pipelines.sources.landing import LandedBlob, Landing
from pipelines.sources.location import url_or_path
from schemas.monitoring_contract import MONITORING, SCHEMA_VERSION

log = logging.getLogger("pipelines.monitoring.extract")

SOURCE = "monitoring"
MANIFEST = "manifest.json"
MANIFEST_MAX_BYTES = 10 << 20
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_UNSAFE_NAME = re.compile(r"[/\\:\x00-\x1f\x7f]")


@dataclass(frozen=True)
class LandedFile:
    name: str  # as in the manifest, e.g. "projects.csv"
    path: Path  # the landed copy
    sha256: str
    expected_rows: int  # the manifest's `rows`, header excluded
    url: str  # where it came from (credentials removed)
    size: int
    from_cache: bool  # unchanged since the last fetch (a 304, or the same bytes again)


@dataclass(frozen=True)
class LandedExport:
    manifest: dict[str, Any]
    location: str  # credentials removed
    files: dict[str, LandedFile]  # contract files only, by name
    manifest_path: Path

    @property
    def programme_id(self) -> str:
        return self.manifest["programme_id"]

    @property
    def exported_at(self) -> datetime:
        """Time zone aware; UTC when the manifest gives no zone."""
        return _parse_exported_at(self.manifest["exported_at"])


@dataclass(frozen=True)
class _Entry:
    name: str
    sha256: str
    rows: int


def fetch_export(
    location: str | Path,
    landing_root: Path,
    token: str | None = None,
    *,
    client: HttpClient | None = None,
) -> LandedExport:
    """Fetch, land and verify the export at `location`; see the module docstring.

    `token` is sent as a bearer token over HTTP(S); a given `client` (timeouts, retries,
    size limit) uses its own token unless `token` is given too.
    """
    if client is None:
        with HttpClient(token=token) as own_client:
            return fetch_export(location, landing_root, token, client=own_client)
    source = _open(str(location), Landing(Path(landing_root), SOURCE), client, token)
    manifest_blob = _fetch_manifest(source)
    manifest = _load_manifest(manifest_blob.path)
    entries = _validate_manifest(manifest)
    files = {spec.name: _fetch_verified(source, entries[spec.name]) for spec in MONITORING.files}
    log.info(
        "landed the monitoring export of %s (exported %s) from %s: %d files, %d unchanged",
        manifest["programme_id"],
        manifest["exported_at"],
        source.shown,
        len(files),
        sum(f.from_cache for f in files.values()),
    )
    return LandedExport(manifest, source.shown, files, manifest_blob.path)


def fetch_manifest(
    location: str | Path, landing_root: Path, token: str | None = None
) -> LandedBlob:
    """Land only the manifest (conditionally): enough to tell whether the export changed."""
    with HttpClient(token=token, total_budget=120.0) as client:
        source = _open(str(location), Landing(Path(landing_root), SOURCE), client, token)
        return _fetch_manifest(source)


def _fetch_manifest(source: _Source) -> LandedBlob:
    return source.fetch(MANIFEST, conditional=True, max_bytes=MANIFEST_MAX_BYTES)


# -- where the export lives -------------------------------------------------------------------


class _Source(Protocol):
    shown: str  # the location for messages, credentials removed

    def fetch(
        self, name: str, *, conditional: bool, max_bytes: int | None = None
    ) -> LandedBlob: ...


@dataclass
class _HttpSource:
    base: str
    landing: Landing
    client: HttpClient
    token: str | None

    @property
    def shown(self) -> str:
        return redact_url(self.base)

    def url(self, name: str) -> str:
        return f"{self.base.rstrip('/')}/{quote(name)}"

    def fetch(self, name: str, *, conditional: bool, max_bytes: int | None = None) -> LandedBlob:
        return self.landing.fetch(
            self.client,
            self.url(name),
            extension=_extension(name),
            conditional=conditional,
            max_bytes=max_bytes,
            token=self.token,
        )


@dataclass
class _FolderSource:
    folder: Path
    landing: Landing
    max_bytes: int

    @property
    def shown(self) -> str:
        return str(self.folder)

    def fetch(self, name: str, *, conditional: bool, max_bytes: int | None = None) -> LandedBlob:
        # `conditional` means nothing here: a local read is always complete.
        limit = self.max_bytes if max_bytes is None else min(max_bytes, self.max_bytes)
        return self.landing.copy_in(self.folder / name, extension=_extension(name), max_bytes=limit)


def _open(location: str, landing: Landing, client: HttpClient, token: str | None) -> _Source:
    where = url_or_path(location, setting="monitoring location", local="a folder path")
    if isinstance(where, Path):
        return _folder(where, landing, client)
    return _HttpSource(location, landing, client, token)


def _folder(folder: Path, landing: Landing, client: HttpClient) -> _FolderSource:
    if not folder.is_dir():
        raise SourceError(f"monitoring export folder {folder} does not exist or is not a folder")
    return _FolderSource(folder.resolve(), landing, client.max_bytes)


def _extension(name: str) -> str:
    suffix = PurePosixPath(name).suffix
    return suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else ""


# -- the manifest -------------------------------------------------------------------------------


def _load_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ContractError(MANIFEST, "is not UTF-8 text") from None
    except ValueError as exc:
        raise ContractError(MANIFEST, f"is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise ContractError(MANIFEST, "must be a JSON object")
    return manifest


def _validate_manifest(manifest: dict[str, Any]) -> dict[str, _Entry]:
    """The contract files' entries, by name; raises ContractError on any breach."""
    _check_schema_version(manifest)
    for key in ("programme_id", "exported_at"):
        if not isinstance(manifest.get(key), str) or not manifest[key].strip():
            raise ContractError(MANIFEST, f"{key} must be a non-empty string")
    _parse_exported_at(manifest["exported_at"])
    files = manifest.get("files")
    if not isinstance(files, list):
        raise ContractError(MANIFEST, "files must be a list of {name, sha256, rows}")
    entries: dict[str, _Entry] = {}
    for index, raw in enumerate(files):
        entry = _entry(index, raw)
        if entry.name in entries:
            raise ContractError(MANIFEST, f"lists {entry.name} more than once")
        entries[entry.name] = entry
    contract_names = {spec.name for spec in MONITORING.files}
    for name in sorted(set(entries) - contract_names):
        log.warning(
            "manifest.json lists %s, which is not in contract v%s; ignored", name, SCHEMA_VERSION
        )
    missing = [spec.name for spec in MONITORING.files if spec.name not in entries]
    if missing:
        raise ContractError(
            MANIFEST, f"does not list {', '.join(missing)}; every contract file must be listed"
        )
    return entries


def _check_schema_version(manifest: dict[str, Any]) -> None:
    if "schema_version" not in manifest:
        raise ContractError(
            MANIFEST,
            f"has no schema_version; this pipeline reads contract version {SCHEMA_VERSION}",
        )
    version = manifest["schema_version"]
    if not isinstance(version, str):  # never guess: 1 (a number) is not "1"
        raise ContractError(
            MANIFEST,
            f'schema_version must be the string "{SCHEMA_VERSION}", not {json.dumps(version)}',
        )
    if version != SCHEMA_VERSION:
        raise ContractError(
            MANIFEST,
            f"schema_version '{version}' is not supported; this pipeline"
            f" reads contract version {SCHEMA_VERSION}",
        )


def _entry(index: int, raw: Any) -> _Entry:
    where = f"files[{index}]"
    if not isinstance(raw, dict):
        raise ContractError(MANIFEST, f"{where} must be an object {{name, sha256, rows}}")
    name = raw.get("name")
    if not isinstance(name, str):
        raise ContractError(MANIFEST, f"{where}.name must be a string")
    _check_plain_name(name)
    sha256 = raw.get("sha256")
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ContractError(MANIFEST, f"{where} ({name}): sha256 must be 64 hex digits")
    rows = raw.get("rows")
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ContractError(MANIFEST, f"{where} ({name}): rows must be an integer >= 0")
    return _Entry(name, sha256.lower(), rows)


def _check_plain_name(name: str) -> None:
    """A file name, nothing more: it becomes part of a URL or a path we read."""
    plain = (
        name
        and len(name) <= 255
        and not name.startswith(".")
        and not _UNSAFE_NAME.search(name)
        and PurePosixPath(name).name == name
        and PureWindowsPath(name).name == name
    )
    if not plain:
        raise ContractError(
            MANIFEST, f"file name {name!r} is not a plain file name (no folders, no leading dot)"
        )


def _parse_exported_at(value: str) -> datetime:
    """An aware datetime; a timestamp without a zone is read as UTC (the example's zone)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ContractError(
            MANIFEST, f"exported_at {value!r} is not an ISO 8601 timestamp"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- the files ----------------------------------------------------------------------------------


def _fetch_verified(source: _Source, entry: _Entry) -> LandedFile:
    blob = source.fetch(entry.name, conditional=True)
    if blob.sha256 != entry.sha256:
        log.warning(
            "%s hashes to %s, the manifest says %s; fetching it once more",
            entry.name,
            blob.sha256,
            entry.sha256,
        )
        blob = source.fetch(entry.name, conditional=False)
    if blob.sha256 != entry.sha256:
        raise ContractError(
            entry.name,
            f"is corrupt: its bytes hash to {blob.sha256}, the"
            f" manifest says {entry.sha256} (fetched twice from"
            f" {blob.url})",
        )
    return LandedFile(
        name=entry.name,
        path=blob.path,
        sha256=blob.sha256,
        expected_rows=entry.rows,
        url=blob.url,
        size=blob.size,
        from_cache=blob.from_cache,
    )
