"""Immutable raw landing: every fetched body kept once, content-addressed, with its story.

Layout under `root/<source>/`:

* `<sha256><ext>`       the bytes exactly as received, read-only, never overwritten
* `<sha256>.meta.json`  sidecar: url, sha256, size, fetched_at (UTC), response headers
                        (minus cookies and credentials) and, for POSTs, the request body.
                        (`.meta.json`, not `.json`: a landed `manifest.json` is itself
                        `<sha256>.json`.)
* `state.json`          url -> {etag, last_modified, sha256, path}, so that the next fetch
                        can be conditional and a 304 resolves to the file landed before
* `.tmp/`               bodies being received; renamed into place once complete

Landing the same bytes again is a no-op: the first file and sidecar stay as they are.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipelines.errors import SourceError
from pipelines.sources.http import HttpClient, public_headers, redact_url

log = logging.getLogger("pipelines.landing")

_SOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
_EXTENSION = re.compile(r"(\.[A-Za-z0-9]{1,10})?")
STATE_FILE = "state.json"
CHUNK_BYTES = 1 << 16


@dataclass(frozen=True)
class LandedBlob:
    """A body in the landing area."""

    path: Path
    sha256: str
    size: int
    url: str  # credentials removed
    from_cache: bool  # nothing new was landed: a 304, or these bytes were already here


@dataclass(frozen=True)
class StateEntry:
    etag: str | None
    last_modified: str | None
    sha256: str
    path: str  # the landed file's name inside the source folder


class Landing:
    """The landing folder of one source."""

    def __init__(
        self, root: Path, source: str, *, now: Callable[[], datetime] | None = None
    ) -> None:
        if not _SOURCE_NAME.fullmatch(source):
            raise ValueError(f"source name {source!r} must be a plain lower-case name")
        self.source = source
        self.dir = Path(root) / source
        self._tmp = self.dir / ".tmp"
        self._now = now or (lambda: datetime.now(UTC))

    # -- landing bytes ---------------------------------------------------------------------

    def land(
        self,
        data: bytes,
        *,
        url: str,
        extension: str = "",
        headers: Mapping[str, str] | None = None,
        request_body: Any = None,
        method: str = "GET",
    ) -> LandedBlob:
        """Store `data` under its sha256 (a no-op when it is already there)."""
        with self.temp_file() as tmp:
            tmp.write_bytes(data)
            return self.land_file(
                tmp,
                url=url,
                extension=extension,
                headers=headers,
                request_body=request_body,
                method=method,
            )

    def land_file(
        self,
        tmp: Path,
        *,
        url: str,
        extension: str = "",
        sha256: str | None = None,
        size: int | None = None,
        headers: Mapping[str, str] | None = None,
        request_body: Any = None,
        method: str = "GET",
        final_url: str | None = None,
    ) -> LandedBlob:
        """Move a complete temporary file (from `temp_file()`) into place; it is consumed."""
        _check_extension(extension)
        if sha256 is None or size is None:
            sha256, size = hash_file(tmp)
        target = self.dir / f"{sha256}{extension}"
        is_new = _move_into_place(tmp, target)
        sidecar = self.dir / f"{sha256}.meta.json"
        if not sidecar.exists():  # the first landing tells the story; later ones don't rewrite it
            meta: dict[str, Any] = {
                "url": redact_url(url),
                "sha256": sha256,
                "size": size,
                "fetched_at": _iso(self._now()),
                "method": method,
                "headers": public_headers(headers or {}),
            }
            if final_url and redact_url(final_url) != meta["url"]:
                meta["final_url"] = redact_url(final_url)
            if request_body is not None:
                meta["request_body"] = request_body
            _write_json_atomically(sidecar, meta, self._tmp)
        return LandedBlob(target, sha256, size, redact_url(url), from_cache=not is_new)

    def copy_in(
        self, path: Path, *, extension: str | None = None, max_bytes: int | None = None
    ) -> LandedBlob:
        """Land a local file (a copy; the original is left alone)."""
        path = Path(path)
        extension = path.suffix if extension is None else extension
        if not _EXTENSION.fullmatch(extension):
            extension = ""
        with self.temp_file() as tmp:
            try:
                sha256, size = _copy_hashing(path, tmp, max_bytes)
            except FileNotFoundError:
                raise SourceError(f"{path}: no such file") from None
            except IsADirectoryError:
                raise SourceError(f"{path}: is a folder, not a file") from None
            except OSError as exc:
                raise SourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None
            return self.land_file(
                tmp, url=path.resolve().as_uri(), extension=extension, sha256=sha256, size=size
            )

    # -- fetching over HTTP ------------------------------------------------------------------

    def fetch(
        self,
        client: HttpClient,
        url: str,
        *,
        extension: str = "",
        method: str = "GET",
        json_body: Any = None,
        conditional: bool = True,
        max_bytes: int | None = None,
        token: str | None = None,
    ) -> LandedBlob:
        """Download `url` and land it; a GET is conditional on what was landed before.

        `token=None` lets the client use its own token (if any). POSTs are never conditional and
        leave no state (their answer depends on the body, not the URL alone).
        """
        _check_extension(extension)
        key = redact_url(url)
        cached = self.cached(key) if conditional and method == "GET" else None
        token_arg = {} if token is None else {"token": token}
        with self.temp_file() as tmp:
            download = client.download(
                url,
                tmp,
                method=method,
                json_body=json_body,
                etag=cached[0].etag if cached else None,
                last_modified=cached[0].last_modified if cached else None,
                max_bytes=max_bytes,
                **token_arg,
            )
            if download.not_modified:
                assert cached is not None  # the client refuses a 304 to an unconditional GET
                return cached[1]
            blob = self.land_file(
                tmp,
                url=url,
                extension=extension,
                sha256=download.sha256,
                size=download.size,
                headers=download.headers,
                request_body=json_body,
                method=method,
                final_url=download.final_url,
            )
        if method == "GET":
            self.remember(key, download.etag, download.last_modified, blob)
        return blob

    # -- state: what the next fetch may ask conditionally -------------------------------------

    def previous(self, url: str) -> StateEntry | None:
        raw = self._read_state().get(redact_url(url))
        if not isinstance(raw, dict):
            return None
        try:
            return StateEntry(raw.get("etag"), raw.get("last_modified"), raw["sha256"], raw["path"])
        except KeyError:
            return None

    def cached(self, url: str) -> tuple[StateEntry, LandedBlob] | None:
        """The state of `url` and its landed file, if that file is still intact.

        Re-hashed on purpose: a 304 must resolve to the bytes the server meant, not to a
        file that was damaged on disk since.
        """
        entry = self.previous(url)
        if entry is None or not (entry.etag or entry.last_modified):
            return None
        path = self.dir / entry.path
        if Path(entry.path).name != entry.path or not path.is_file():
            return None
        sha256, size = hash_file(path)
        if sha256 != entry.sha256:
            log.warning("landed file %s no longer matches its hash; fetching anew", path)
            return None
        return entry, LandedBlob(path, sha256, size, redact_url(url), from_cache=True)

    def remember(
        self, url: str, etag: str | None, last_modified: str | None, blob: LandedBlob
    ) -> None:
        state = self._read_state()
        state[redact_url(url)] = {
            "etag": etag,
            "last_modified": last_modified,
            "sha256": blob.sha256,
            "path": blob.path.name,
        }
        _write_json_atomically(self.dir / STATE_FILE, {"version": 1, "urls": state}, self._tmp)

    def _read_state(self) -> dict[str, Any]:
        path = self.dir / STATE_FILE
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:  # only an optimisation: start afresh
            log.warning("ignoring unreadable landing state %s: %s", path, exc)
            return {}
        urls = doc.get("urls") if isinstance(doc, dict) else None
        return urls if isinstance(urls, dict) else {}

    # -- temporary files -----------------------------------------------------------------------

    @contextlib.contextmanager
    def temp_file(self) -> Iterator[Path]:
        """A fresh path in the landing folder (same file system: the rename is atomic)."""
        self._tmp.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp / f"{uuid.uuid4().hex}.part"
        try:
            yield tmp
        finally:
            tmp.unlink(missing_ok=True)


def landed_files_markdown(
    size_label: str, files: Iterator[tuple[str, str, int | None, bool]]
) -> str:
    """The table an export step shows in Dagster: each landed file (name, sha256, its size
    in `size_label`, whether it was already landed), the same for every source."""
    rows = [
        f"| {name} | `{sha256[:12]}` | {size} | {cached} |" for name, sha256, size, cached in files
    ]
    return f"| file | sha256 | {size_label} | cached |\n|---|---|---|---|\n" + "\n".join(rows)


def hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with Path(path).open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _copy_hashing(src: Path, dest: Path, max_bytes: int | None) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with src.open("rb") as f, dest.open("wb") as out:
        while chunk := f.read(CHUNK_BYTES):
            size += len(chunk)
            if max_bytes is not None and size > max_bytes:
                raise SourceError(f"{src}: the file exceeds the limit of {max_bytes} bytes")
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest(), size


def _move_into_place(tmp: Path, target: Path) -> bool:
    """Rename `tmp` to `target` unless it exists; True when it was new. Never overwrites."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(tmp, 0o444)  # landed bytes are not to be edited
    try:
        os.link(tmp, target)  # atomic, and fails rather than overwrite
    except FileExistsError:
        return False
    except OSError:  # a file system without hard links
        if target.exists():
            return False
        shutil.move(tmp, target)
        return True
    return True


def _write_json_atomically(path: Path, doc: Any, tmp_dir: Path) -> None:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir / f"{uuid.uuid4().hex}.json.part"
    try:
        tmp.write_text(
            json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _check_extension(extension: str) -> None:
    if not _EXTENSION.fullmatch(extension):
        raise ValueError(f"extension {extension!r} must look like '.csv'")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
