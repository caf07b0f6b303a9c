"""Immutable raw landing: content-addressed files, sidecars, state for conditional fetches."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug import Request, Response

from pipelines.errors import SourceError
from pipelines.sources.http import HttpClient
from pipelines.sources.landing import Landing

FIXED_NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path / "landing", "monitoring", now=lambda: FIXED_NOW)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_land_stores_bytes_under_their_sha256_with_a_sidecar(landing: Landing) -> None:
    data = b"project_id,acronym\nPGI00001,ABC\n"
    blob = landing.land(
        data,
        url="https://example.org/export/projects.csv",
        extension=".csv",
        headers={"ETag": '"v1"', "Set-Cookie": "session=abc", "Content-Type": "text/csv"},
    )

    assert blob.path == landing.dir / f"{sha(data)}.csv"
    assert blob.path.read_bytes() == data
    assert (blob.sha256, blob.size, blob.from_cache) == (sha(data), len(data), False)
    meta = json.loads((landing.dir / f"{sha(data)}.meta.json").read_text())
    assert meta == {
        "url": "https://example.org/export/projects.csv",
        "sha256": sha(data),
        "size": len(data),
        "fetched_at": "2024-05-06T07:08:09Z",
        "method": "GET",
        "headers": {"ETag": '"v1"', "Content-Type": "text/csv"},
    }


def test_landed_files_are_read_only(landing: Landing) -> None:
    blob = landing.land(b"abc", url="https://example.org/a.csv", extension=".csv")
    assert not blob.path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_landing_the_same_bytes_again_is_a_no_op(landing: Landing) -> None:
    first = landing.land(b"same", url="https://example.org/a.csv", extension=".csv")
    sidecar = landing.dir / f"{first.sha256}.meta.json"
    before = (first.path.stat().st_ino, first.path.stat().st_mtime_ns, sidecar.read_bytes())

    again = landing.land(b"same", url="https://example.org/b.csv", extension=".csv")

    assert again.path == first.path
    assert again.from_cache is True
    assert (first.path.stat().st_ino, first.path.stat().st_mtime_ns, sidecar.read_bytes()) == before
    assert files_under(landing.dir) == {first.path.name, sidecar.name}  # no temp file left


def test_different_bytes_land_side_by_side(landing: Landing) -> None:
    a = landing.land(b"one", url="https://example.org/x.csv", extension=".csv")
    b = landing.land(b"two", url="https://example.org/x.csv", extension=".csv")
    assert a.path != b.path
    assert a.path.read_bytes() == b"one" and b.path.read_bytes() == b"two"


def test_a_landed_json_file_does_not_collide_with_its_sidecar(landing: Landing) -> None:
    blob = landing.land(
        b'{"schema_version": "1"}', url="https://e.org/manifest.json", extension=".json"
    )
    assert blob.path.name == f"{blob.sha256}.json"
    assert blob.path.read_bytes() == b'{"schema_version": "1"}'
    assert (landing.dir / f"{blob.sha256}.meta.json").is_file()


def test_post_body_is_recorded_in_the_sidecar(landing: Landing) -> None:
    body = {"query": "projects", "page": 1}
    blob = landing.land(
        b"[]", url="https://keep.eu/api/search", request_body=body, method="POST", extension=".json"
    )
    meta = json.loads((landing.dir / f"{blob.sha256}.meta.json").read_text())
    assert meta["method"] == "POST"
    assert meta["request_body"] == body


def test_credentials_in_a_url_are_never_stored(landing: Landing) -> None:
    blob = landing.land(b"x", url="https://user:hunter2@example.org/export/a.csv")
    landing.remember("https://user:hunter2@example.org/export/a.csv", '"e"', None, blob)
    assert blob.url == "https://example.org/export/a.csv"
    for path in landing.dir.rglob("*"):
        if path.is_file():
            assert b"hunter2" not in path.read_bytes(), path


def test_state_remembers_validators_per_url(landing: Landing) -> None:
    url = "https://example.org/export/projects.csv"
    assert landing.previous(url) is None
    blob = landing.land(b"v1", url=url, extension=".csv")
    landing.remember(url, '"etag-1"', "Mon, 01 Apr 2024 00:00:00 GMT", blob)

    entry = landing.previous(url)
    assert entry is not None
    assert (entry.etag, entry.last_modified, entry.sha256) == (
        '"etag-1"',
        "Mon, 01 Apr 2024 00:00:00 GMT",
        blob.sha256,
    )
    cached = landing.cached(url)
    assert cached is not None and cached[1].path == blob.path and cached[1].from_cache
    # The state file is plain JSON, written whole.
    assert json.loads((landing.dir / "state.json").read_text())["urls"][url]["etag"] == '"etag-1"'


def test_cached_ignores_a_landed_file_that_was_damaged(landing: Landing) -> None:
    url = "https://example.org/export/projects.csv"
    blob = landing.land(b"good bytes", url=url, extension=".csv")
    landing.remember(url, '"e"', None, blob)
    os.chmod(blob.path, 0o644)
    blob.path.write_bytes(b"damaged")
    assert landing.cached(url) is None


def test_cached_needs_a_validator_to_be_conditional(landing: Landing) -> None:
    url = "https://example.org/export/projects.csv"
    blob = landing.land(b"x", url=url)
    landing.remember(url, None, None, blob)
    assert landing.previous(url) is not None
    assert landing.cached(url) is None


def test_an_unreadable_state_file_is_ignored(landing: Landing, caplog) -> None:
    landing.dir.mkdir(parents=True)
    (landing.dir / "state.json").write_text("{not json")
    with caplog.at_level(logging.WARNING):
        assert landing.previous("https://example.org/a.csv") is None
    assert "unreadable landing state" in caplog.text


def test_copy_in_lands_a_local_file_and_leaves_it_alone(landing: Landing, tmp_path: Path) -> None:
    source = tmp_path / "projects.csv"
    source.write_bytes(b"a,b\n1,2\n")
    blob = landing.copy_in(source)
    assert blob.path == landing.dir / (sha(b"a,b\n1,2\n") + ".csv")
    assert blob.path.read_bytes() == source.read_bytes()
    assert source.exists()
    assert blob.url == source.resolve().as_uri()
    assert landing.copy_in(source).from_cache is True


def test_copy_in_refuses_a_file_over_the_limit(landing: Landing, tmp_path: Path) -> None:
    source = tmp_path / "big.csv"
    source.write_bytes(b"x" * 1000)
    with pytest.raises(SourceError, match=r"big\.csv.*exceeds the limit of 100 bytes"):
        landing.copy_in(source, max_bytes=100)
    assert not [p for p in landing.dir.rglob("*") if p.is_file()]


def test_copy_in_names_a_missing_file(landing: Landing, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="nope.csv: no such file"):
        landing.copy_in(tmp_path / "nope.csv")


@pytest.mark.parametrize("name", ["", "../up", "a/b", "Upper"])
def test_source_names_are_plain(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        Landing(tmp_path, name)


def test_fetch_posts_json_lands_the_answer_and_keeps_no_state(landing: Landing, httpserver) -> None:
    seen: list[bytes] = []

    def search(request: Request) -> Response:
        seen.append(request.get_data())
        return Response(b'{"results": []}', content_type="application/json")

    httpserver.expect_request("/api/search", method="POST").respond_with_handler(search)
    client = HttpClient(read_timeout=2, total_budget=5, jitter=0)
    body = {"programme": "Interreg Europe", "page": 1}

    blob = landing.fetch(
        client, httpserver.url_for("/api/search"), method="POST", json_body=body, extension=".json"
    )

    assert json.loads(seen[0]) == body
    assert blob.path.read_bytes() == b'{"results": []}'
    meta = json.loads((landing.dir / f"{blob.sha256}.meta.json").read_text())
    assert meta["request_body"] == body and meta["method"] == "POST"
    assert not (landing.dir / "state.json").exists()
