"""fetch_export against real servers on 127.0.0.1: the Transport section of the contract.

Most tests serve a tiny export with pytest-httpserver. Faults that werkzeug will not
produce (a reset connection, a body cut short, a server that never answers) come from
RawServer (tests/support/raw_http.py), which the end-to-end fault suite uses too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from support.raw_http import RawServer
from werkzeug import Request, Response

from pipelines.errors import ConfigurationError, ContractError, SourceError
from pipelines.sources.http import HttpClient
from pipelines.sources.monitoring.extract import LandedExport, fetch_export
from schemas.monitoring_contract import MONITORING

TOKEN = "tok-Zq81-very-secret"
CONTRACT_FILES = [spec.name for spec in MONITORING.files]


# -- a tiny export ------------------------------------------------------------------------------


def build_export(
    folder: Path,
    *,
    schema_version: Any = "1",
    leave_out: tuple[str, ...] = (),
    extra_entries: tuple[str, ...] = (),
    big: str | None = None,
) -> dict[str, Any]:
    """Ten one-row CSVs with the contract's headers, and a manifest with their hashes."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for spec in MONITORING.files:
        rows = 200 if spec.name == big else 1
        content = ",".join(spec.column_names) + "\n"
        content += "".join(",".join("x" for _ in spec.columns) + "\n" for _ in range(rows))
        data = content.encode()
        (folder / spec.name).write_bytes(data)
        if spec.name not in leave_out:
            entries.append({"name": spec.name, "sha256": _sha(data), "rows": rows})
    for name in extra_entries:
        entries.append({"name": name, "sha256": _sha(b"evil"), "rows": 0})
    manifest = {
        "schema_version": schema_version,
        "programme_id": "2014TC16RFIR001",
        "exported_at": "2023-04-03T06:00:00Z",
        "files": entries,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return manifest


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def serve(httpserver: HTTPServer, folder: Path, prefix: str = "/export") -> str:
    """Serve every file of `folder` under `prefix`; returns the base URL."""
    for path in sorted(folder.iterdir()):
        httpserver.expect_request(f"{prefix}/{path.name}").respond_with_data(path.read_bytes())
    return httpserver.url_for(prefix)


def requests_to(httpserver: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in httpserver.log if request.path == path]


class Sleeps(list):
    """An injected sleep: records the delays, waits for none."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fast_client(token: str | None = None, **overrides: Any) -> HttpClient:
    options: dict[str, Any] = dict(
        connect_timeout=1.0,
        read_timeout=2.0,
        total_budget=10.0,
        backoff_base=0.01,
        jitter=0,
        sleep=Sleeps(),
    )
    options.update(overrides)
    return HttpClient(token=token, **options)


@pytest.fixture
def export(tmp_path: Path) -> Path:
    build_export(tmp_path / "export")
    return tmp_path / "export"


@pytest.fixture
def landing_root(tmp_path: Path) -> Path:
    return tmp_path / "landing"


def assert_complete(landed: LandedExport, export_dir: Path) -> None:
    assert set(landed.files) == set(CONTRACT_FILES)
    for name, landed_file in landed.files.items():
        assert landed_file.path.read_bytes() == (export_dir / name).read_bytes()
        assert landed_file.sha256 == _sha((export_dir / name).read_bytes())
        assert landed_file.expected_rows == 1
        assert landed_file.size == (export_dir / name).stat().st_size


def all_landed_bytes(root: Path) -> bytes:
    return b"\n".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


# -- happy paths --------------------------------------------------------------------------------


def test_happy_path_over_http_sends_the_bearer_token(httpserver, export, landing_root) -> None:
    base = serve(httpserver, export)

    landed = fetch_export(base, landing_root, TOKEN, client=fast_client())

    assert_complete(landed, export)
    assert landed.programme_id == "2014TC16RFIR001"
    assert landed.exported_at.isoformat() == "2023-04-03T06:00:00+00:00"
    assert landed.location == base
    assert landed.files["projects.csv"].url == f"{base}/projects.csv"
    assert landed.manifest_path.read_bytes() == (export / "manifest.json").read_bytes()
    assert len(httpserver.log) == 11  # manifest + 10 files, no retries
    for request, _ in httpserver.log:
        assert request.headers.get("Authorization") == f"Bearer {TOKEN}"
    # Everything landed under landing_root/monitoring, nothing else.
    assert all(p.is_relative_to(landing_root / "monitoring") for p in landing_root.rglob("*"))


def test_default_client_is_used_when_none_is_given(httpserver, export, landing_root) -> None:
    landed = fetch_export(serve(httpserver, export), landing_root, TOKEN)
    assert_complete(landed, export)
    assert httpserver.log[0][0].headers.get("Authorization") == f"Bearer {TOKEN}"


def test_no_authorization_header_without_a_token(httpserver, export, landing_root) -> None:
    fetch_export(serve(httpserver, export), landing_root, client=fast_client())
    assert all("Authorization" not in request.headers for request, _ in httpserver.log)


def test_local_folder_path(export, landing_root) -> None:
    landed = fetch_export(str(export), landing_root)
    assert_complete(landed, export)
    assert landed.files["projects.csv"].url == (export / "projects.csv").resolve().as_uri()
    assert landed.files["projects.csv"].path.parent == landing_root / "monitoring"


def test_file_url(export, landing_root) -> None:
    landed = fetch_export(export.as_uri(), landing_root)
    assert_complete(landed, export)


def test_local_folder_second_run_is_from_cache(export, landing_root) -> None:
    first = fetch_export(export, landing_root)
    second = fetch_export(export, landing_root)
    assert not any(f.from_cache for f in first.files.values())
    assert all(f.from_cache for f in second.files.values())


def test_missing_local_folder_is_named(tmp_path, landing_root) -> None:
    with pytest.raises(SourceError, match="nowhere"):
        fetch_export(tmp_path / "nowhere", landing_root)


def test_unknown_extra_file_is_ignored_with_a_warning(
    httpserver, tmp_path, landing_root, caplog
) -> None:
    build_export(tmp_path / "export", extra_entries=("notes.txt",))
    base = serve(httpserver, tmp_path / "export")
    with caplog.at_level(logging.WARNING):
        landed = fetch_export(base, landing_root, client=fast_client())
    assert "notes.txt" not in landed.files
    assert "manifest.json lists notes.txt, which is not in contract v1; ignored" in caplog.text
    assert requests_to(httpserver, "/export/notes.txt") == []


# -- retries ------------------------------------------------------------------------------------


def test_503_with_retry_after_then_success_is_logged(
    httpserver, export, landing_root, caplog
) -> None:
    httpserver.expect_oneshot_request("/export/projects.csv").respond_with_data(
        "busy", status=503, headers={"Retry-After": "2"}
    )
    base = serve(httpserver, export)
    client = fast_client()

    with caplog.at_level(logging.WARNING, logger="pipelines.http"):
        landed = fetch_export(base, landing_root, TOKEN, client=client)

    assert_complete(landed, export)
    assert len(requests_to(httpserver, "/export/projects.csv")) == 2
    assert client._sleep == [2.0]  # Retry-After honoured (and not actually waited here)
    assert f"GET {base}/projects.csv answered 503, retry 1 in 2.0 s" in caplog.text
    assert TOKEN not in caplog.text


def test_429_then_success(httpserver, export, landing_root, caplog) -> None:
    httpserver.expect_oneshot_request("/export/partners.csv").respond_with_data(
        "slow down", status=429
    )
    base = serve(httpserver, export)
    client = fast_client(backoff_base=0.5)

    with caplog.at_level(logging.WARNING, logger="pipelines.http"):
        landed = fetch_export(base, landing_root, client=client)

    assert_complete(landed, export)
    assert len(requests_to(httpserver, "/export/partners.csv")) == 2
    assert client._sleep == [0.5]  # exponential backoff, first step
    assert "partners.csv answered 429, retry 1 in 0.5 s" in caplog.text


def test_backoff_grows_exponentially_then_gives_up_naming_the_url(
    httpserver, export, landing_root
) -> None:
    httpserver.expect_request("/export/manifest.json").respond_with_data("down", status=502)
    client = fast_client(backoff_base=0.5, max_attempts=4)

    with pytest.raises(SourceError) as caught:
        fetch_export(httpserver.url_for("/export"), landing_root, client=client)

    assert client._sleep == [0.5, 1.0, 2.0]
    message = str(caught.value)
    assert httpserver.url_for("/export/manifest.json") in message
    assert "after 4 attempts" in message and "answered 502" in message


def test_retry_after_beyond_the_budget_fails_at_once(httpserver, export, landing_root) -> None:
    httpserver.expect_request("/export/manifest.json").respond_with_data(
        "later", status=503, headers={"Retry-After": "3600"}
    )
    client = fast_client(total_budget=5)

    with pytest.raises(SourceError, match="total time budget of 5 s is used up") as caught:
        fetch_export(httpserver.url_for("/export"), landing_root, client=client)

    assert client._sleep == []  # no pointless wait
    assert httpserver.url_for("/export/manifest.json") in str(caught.value)


def test_jitter_comes_from_the_injected_rng(httpserver, export, landing_root) -> None:
    class Top:  # always the top of the jitter range
        def uniform(self, low: float, high: float) -> float:
            return high

    httpserver.expect_oneshot_request("/export/projects.csv").respond_with_data("", status=500)
    client = fast_client(backoff_base=1.0, jitter=0.1, rng=Top())
    fetch_export(serve(httpserver, export), landing_root, client=client)
    assert client._sleep == [pytest.approx(1.1)]


# -- faults werkzeug will not make: a raw socket server -----------------------------------------


@pytest.fixture
def raw_server(export) -> Iterator[RawServer]:
    server = RawServer({f"/export/{p.name}": p.read_bytes() for p in export.iterdir()})
    yield server
    server.close()


def test_connection_reset_then_success(raw_server, export, landing_root, caplog) -> None:
    raw_server.faults["/export/projects.csv"] = ["reset"]
    with caplog.at_level(logging.WARNING, logger="pipelines.http"):
        landed = fetch_export(raw_server.url("/export"), landing_root, client=fast_client())
    assert_complete(landed, export)
    assert raw_server.paths.count("/export/projects.csv") == 2
    assert "projects.csv failed (ConnectionError" in caplog.text
    assert "retry 1 in" in caplog.text


def test_truncated_body_then_success(raw_server, export, landing_root, caplog) -> None:
    raw_server.faults["/export/manifest.json"] = ["truncate"]
    raw_server.faults["/export/indicators.csv"] = ["truncate", "truncate"]
    with caplog.at_level(logging.WARNING, logger="pipelines.http"):
        landed = fetch_export(raw_server.url("/export"), landing_root, client=fast_client())
    assert_complete(landed, export)
    assert raw_server.paths.count("/export/manifest.json") == 2
    assert raw_server.paths.count("/export/indicators.csv") == 3
    assert "indicators.csv broke off mid-body (ChunkedEncodingError" in caplog.text
    assert "retry 2 in" in caplog.text
    # Nothing half-received was landed: only whole files, their sidecars and the state.
    assert not list((landing_root / "monitoring" / ".tmp").iterdir())


def test_stalling_server_is_bounded_by_timeout_and_budget(raw_server, landing_root) -> None:
    raw_server.faults["/export/manifest.json"] = ["stall"] * 20
    client = HttpClient(
        connect_timeout=0.5, read_timeout=0.2, total_budget=1.0, backoff_base=0.05, jitter=0
    )
    started = time.monotonic()

    with pytest.raises(SourceError) as caught:
        fetch_export(raw_server.url("/export"), landing_root, client=client)

    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert raw_server.url("/export/manifest.json") in message
    assert "Timeout" in message or "timed out" in message
    assert raw_server.paths.count("/export/manifest.json") >= 2  # it did retry


# -- corrupt files ------------------------------------------------------------------------------


def test_hash_mismatch_once_then_ok(httpserver, export, landing_root, caplog) -> None:
    httpserver.expect_oneshot_request("/export/projects.csv").respond_with_data(
        b"garbled", headers={"ETag": '"bad"'}
    )
    base = serve(httpserver, export)

    with caplog.at_level(logging.WARNING):
        landed = fetch_export(base, landing_root, client=fast_client())

    assert_complete(landed, export)
    seen = requests_to(httpserver, "/export/projects.csv")
    assert len(seen) == 2
    assert "If-None-Match" not in seen[1].headers  # the second fetch is unconditional
    assert "projects.csv hashes to" in caplog.text and "fetching it once more" in caplog.text


def test_hash_mismatch_always_fails_naming_the_file(httpserver, export, landing_root) -> None:
    httpserver.expect_request("/export/projects.csv").respond_with_data(b"garbled")
    base = serve(httpserver, export)

    with pytest.raises(ContractError) as caught:
        fetch_export(base, landing_root, client=fast_client())

    assert caught.value.file == "projects.csv"
    message = str(caught.value)
    assert _sha(b"garbled") in message
    assert _sha((export / "projects.csv").read_bytes()) in message
    assert len(requests_to(httpserver, "/export/projects.csv")) == 2


def test_hash_mismatch_in_a_local_folder_fails_too(export, landing_root) -> None:
    (export / "partners.csv").write_bytes(b"tampered\n")
    with pytest.raises(ContractError, match=r"^partners\.csv: is corrupt"):
        fetch_export(export, landing_root)


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
def test_refused_token_is_a_configuration_error(
    httpserver, export, landing_root, caplog, status
) -> None:
    httpserver.expect_request("/export/manifest.json").respond_with_data("no", status=status)
    client = fast_client()

    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigurationError) as caught:
        fetch_export(httpserver.url_for("/export"), landing_root, TOKEN, client=client)

    message = str(caught.value)
    assert f"answered {status}" in message and "token was refused" in message
    assert TOKEN not in message and TOKEN not in caplog.text and TOKEN not in repr(client)
    assert len(httpserver.log) == 1 and client._sleep == []  # no retry


def test_401_without_a_token_says_none_is_configured(httpserver, export, landing_root) -> None:
    httpserver.expect_request("/export/manifest.json").respond_with_data("no", status=401)
    with pytest.raises(ConfigurationError, match="no token is configured"):
        fetch_export(httpserver.url_for("/export"), landing_root, client=fast_client())


def test_404_for_a_listed_file_names_the_url(httpserver, export, landing_root) -> None:
    httpserver.expect_request("/export/good_practices.csv").respond_with_data("", status=404)
    base = serve(httpserver, export)

    with pytest.raises(SourceError) as caught:
        fetch_export(base, landing_root, TOKEN, client=fast_client())

    assert not isinstance(caught.value, ConfigurationError)
    assert f"GET {base}/good_practices.csv answered 404" in str(caught.value)
    assert len(requests_to(httpserver, "/export/good_practices.csv")) == 1


def test_credentials_in_the_location_are_not_logged(httpserver, landing_root, caplog) -> None:
    httpserver.expect_request("/export/manifest.json").respond_with_data("", status=503)
    base = httpserver.url_for("/export").replace("http://", "http://ops:pw-Hx7@")

    with caplog.at_level(logging.DEBUG), pytest.raises(SourceError) as caught:
        fetch_export(base, landing_root, client=fast_client(max_attempts=2))

    assert "retry 1" in caplog.text
    assert "pw-Hx7" not in caplog.text and "pw-Hx7" not in str(caught.value)
    assert "pw-Hx7" not in all_landed_bytes(landing_root).decode(errors="replace")


# -- redirects and the token --------------------------------------------------------------------


def other_host_name(url: str) -> str:
    """The same server under its other name: localhost <-> 127.0.0.1."""
    if "//localhost:" in url:
        return url.replace("//localhost:", "//127.0.0.1:")
    return url.replace("//127.0.0.1:", "//localhost:")


def _redirect_all(httpserver: HTTPServer, export: Path, target_base: str) -> None:
    for name in ["manifest.json", *CONTRACT_FILES]:
        httpserver.expect_request(f"/export/{name}").respond_with_data(
            "", status=302, headers={"Location": f"{target_base}/{name}"}
        )


def test_redirect_to_another_host_does_not_carry_the_token(
    httpserver, export, landing_root
) -> None:
    # localhost -> 127.0.0.1: same server and port, another host name.
    mirror = other_host_name(httpserver.url_for("/mirror"))
    mirror_host = mirror.split("/")[2]
    _redirect_all(httpserver, export, mirror)
    serve(httpserver, export, prefix="/mirror")

    landed = fetch_export(httpserver.url_for("/export"), landing_root, TOKEN, client=fast_client())

    assert_complete(landed, export)
    for request, _ in httpserver.log:
        if request.path.startswith("/mirror/"):
            assert request.host == mirror_host
            assert "Authorization" not in request.headers, request.path
        else:
            assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert TOKEN.encode() not in all_landed_bytes(landing_root)


def test_redirect_to_another_port_does_not_carry_the_token(
    httpserver, export, landing_root
) -> None:
    other = HTTPServer(host="127.0.0.1", port=0)
    other.start()
    try:
        serve(other, export, prefix="/mirror")
        _redirect_all(httpserver, export, other.url_for("/mirror"))
        landed = fetch_export(
            httpserver.url_for("/export"), landing_root, TOKEN, client=fast_client()
        )
        assert_complete(landed, export)
        assert len(other.log) == 11
        assert all("Authorization" not in request.headers for request, _ in other.log)
    finally:
        other.clear()
        other.stop()


def test_redirect_to_another_host_that_refuses_says_the_token_was_not_sent(
    httpserver, export, landing_root
) -> None:
    mirror = other_host_name(httpserver.url_for("/mirror"))
    _redirect_all(httpserver, export, mirror)
    httpserver.expect_request("/mirror/manifest.json").respond_with_data("", status=401)
    with pytest.raises(ConfigurationError, match="token was not sent .* another host") as caught:
        fetch_export(httpserver.url_for("/export"), landing_root, TOKEN, client=fast_client())
    assert TOKEN not in str(caught.value)


def test_redirect_on_the_same_origin_keeps_the_token(httpserver, export, landing_root) -> None:
    _redirect_all(httpserver, export, httpserver.url_for("/v2"))
    serve(httpserver, export, prefix="/v2")
    fetch_export(httpserver.url_for("/export"), landing_root, TOKEN, client=fast_client())
    v2 = [r for r, _ in httpserver.log if r.path.startswith("/v2/")]
    assert len(v2) == 11
    assert all(r.headers.get("Authorization") == f"Bearer {TOKEN}" for r in v2)


# -- conditional requests -----------------------------------------------------------------------


def serve_with_validators(httpserver: HTTPServer, folder: Path) -> str:
    """Every file with an ETag and a Last-Modified; 304 when the client has them."""

    def handler_for(data: bytes):
        etag = f'"{_sha(data)[:16]}"'
        modified = "Mon, 03 Apr 2023 06:00:00 GMT"

        def handler(request: Request) -> Response:
            if request.headers.get("If-None-Match") == etag:
                return Response(status=304, headers={"ETag": etag})
            return Response(data, headers={"ETag": etag, "Last-Modified": modified})

        return handler

    for path in folder.iterdir():
        httpserver.expect_request(f"/export/{path.name}").respond_with_handler(
            handler_for(path.read_bytes())
        )
    return httpserver.url_for("/export")


def test_etag_second_fetch_is_conditional_and_uses_the_landed_file(
    httpserver, export, landing_root
) -> None:
    base = serve_with_validators(httpserver, export)
    first = fetch_export(base, landing_root, TOKEN, client=fast_client())
    landed_before = sorted(p.name for p in (landing_root / "monitoring").iterdir())
    httpserver.clear_log()

    second = fetch_export(base, landing_root, TOKEN, client=fast_client())

    assert not any(f.from_cache for f in first.files.values())
    assert all(f.from_cache for f in second.files.values())
    assert_complete(second, export)
    assert {n: f.path for n, f in second.files.items()} == {
        n: f.path for n, f in first.files.items()
    }
    assert len(httpserver.log) == 11
    for request, response in httpserver.log:
        assert request.headers["If-None-Match"].startswith('"')
        assert request.headers["If-Modified-Since"] == "Mon, 03 Apr 2023 06:00:00 GMT"
        assert response.status_code == 304  # nothing downloaded again
    assert sorted(p.name for p in (landing_root / "monitoring").iterdir()) == landed_before


def test_a_changed_file_behind_an_etag_is_downloaded_again(
    httpserver, tmp_path, landing_root
) -> None:
    build_export(tmp_path / "v1")
    fetch_export(
        serve_with_validators(httpserver, tmp_path / "v1"), landing_root, client=fast_client()
    )
    httpserver.clear()
    build_export(tmp_path / "v2", big="projects.csv")  # projects.csv has changed

    landed = fetch_export(
        serve_with_validators(httpserver, tmp_path / "v2"), landing_root, client=fast_client()
    )

    assert landed.files["projects.csv"].from_cache is False
    assert landed.files["projects.csv"].expected_rows == 200
    assert landed.files["partners.csv"].from_cache is True


def test_token_never_lands_in_sidecars_or_state(httpserver, export, landing_root) -> None:
    base = serve_with_validators(httpserver, export)
    fetch_export(base, landing_root, TOKEN, client=fast_client())
    fetch_export(base, landing_root, TOKEN, client=fast_client())
    folder = landing_root / "monitoring"
    assert (folder / "state.json").is_file()
    assert len(list(folder.glob("*.meta.json"))) == 11
    assert TOKEN.encode() not in all_landed_bytes(landing_root)
    assert b"Bearer" not in all_landed_bytes(landing_root)


# -- manifest breaches --------------------------------------------------------------------------


def test_schema_version_2_fails_clearly(httpserver, tmp_path, landing_root) -> None:
    build_export(tmp_path / "export", schema_version="2")
    base = serve(httpserver, tmp_path / "export")

    with pytest.raises(ContractError) as caught:
        fetch_export(base, landing_root, client=fast_client())

    assert str(caught.value) == (
        "manifest.json: schema_version '2' is not supported; this pipeline reads contract version 1"
    )
    assert [r.path for r, _ in httpserver.log] == ["/export/manifest.json"]


def test_schema_version_as_a_number_is_not_guessed(tmp_path, landing_root) -> None:
    build_export(tmp_path / "export", schema_version=1)
    with pytest.raises(ContractError, match='schema_version must be the string "1"'):
        fetch_export(tmp_path / "export", landing_root)


@pytest.mark.parametrize(
    "name", ["../x.csv", "/etc/passwd", "sub/x.csv", "..\\x.csv", ".hidden.csv", "C:x.csv"]
)
def test_path_traversal_names_are_rejected(httpserver, tmp_path, name) -> None:
    export, landing_root = tmp_path / "site" / "export", tmp_path / "site" / "landing"
    build_export(export, extra_entries=(name,))
    (tmp_path / "site" / "x.csv").write_bytes(b"outside the export")
    base = serve(httpserver, export)
    before = {p for p in tmp_path.rglob("*")}

    for location in (base, str(export)):
        with pytest.raises(ContractError) as caught:
            fetch_export(location, landing_root, client=fast_client())
        assert caught.value.file == "manifest.json"
        assert repr(name) in str(caught.value)

    written = {p for p in tmp_path.rglob("*")} - before
    assert all(p.is_relative_to(landing_root) for p in written), written
    assert [r.path for r, _ in httpserver.log] == ["/export/manifest.json"]


def test_missing_contract_file_in_manifest(tmp_path, landing_root) -> None:
    build_export(tmp_path / "export", leave_out=("policy_changes.csv",))
    with pytest.raises(ContractError, match=r"does not list policy_changes\.csv"):
        fetch_export(tmp_path / "export", landing_root)


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"name": "projects.csv", "sha256": "abc", "rows": 1}, "sha256 must be 64 hex digits"),
        ({"name": "projects.csv", "sha256": "a" * 64, "rows": -1}, "rows must be an integer"),
        ({"name": "projects.csv", "sha256": "a" * 64, "rows": "1"}, "rows must be an integer"),
        ({"name": 7, "sha256": "a" * 64, "rows": 1}, "name must be a string"),
        ("projects.csv", "must be an object"),
    ],
)
def test_malformed_manifest_entries_are_named(tmp_path, landing_root, entry, problem) -> None:
    manifest = build_export(tmp_path / "export")
    manifest["files"][2] = entry
    (tmp_path / "export" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ContractError, match=rf"^manifest\.json: files\[2\].*{problem}"):
        fetch_export(tmp_path / "export", landing_root)


def test_manifest_that_is_not_json(tmp_path, landing_root) -> None:
    build_export(tmp_path / "export")
    (tmp_path / "export" / "manifest.json").write_text("<html>oops</html>")
    with pytest.raises(ContractError, match=r"^manifest\.json: is not valid JSON"):
        fetch_export(tmp_path / "export", landing_root)


# -- size limit ---------------------------------------------------------------------------------


def test_file_over_the_size_limit_over_http(httpserver, tmp_path, landing_root) -> None:
    build_export(tmp_path / "export", big="projects.csv")
    base = serve(httpserver, tmp_path / "export")

    with pytest.raises(SourceError, match="over the limit of 2000") as caught:
        fetch_export(base, landing_root, client=fast_client(max_bytes=2000))

    assert f"{base}/projects.csv" in str(caught.value)
    assert len(requests_to(httpserver, "/export/projects.csv")) == 1  # not retried
    assert not any(p.stat().st_size > 2000 for p in landing_root.rglob("*") if p.is_file())


def test_file_over_the_size_limit_without_content_length(
    httpserver, tmp_path, landing_root
) -> None:
    build_export(tmp_path / "export", big="projects.csv")
    data = (tmp_path / "export" / "projects.csv").read_bytes()
    httpserver.expect_request("/export/projects.csv").respond_with_response(
        Response(iter([data[i : i + 100] for i in range(0, len(data), 100)]))  # streamed
    )
    base = serve(httpserver, tmp_path / "export")

    with pytest.raises(SourceError, match="exceeds the limit of 2000 bytes"):
        fetch_export(base, landing_root, client=fast_client(max_bytes=2000))


def test_file_over_the_size_limit_in_a_local_folder(tmp_path, landing_root) -> None:
    build_export(tmp_path / "export", big="projects.csv")
    with pytest.raises(SourceError, match=r"projects\.csv: the file exceeds the limit"):
        fetch_export(tmp_path / "export", landing_root, client=fast_client(max_bytes=2000))
