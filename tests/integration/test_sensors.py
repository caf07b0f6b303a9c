"""The sensors that start a refresh when a source changed, evaluated as the daemon does.

Real HTTP: a stand-in keep.eu (pytest-httpserver on 127.0.0.1) answers the export POST;
the published warehouse is a real DuckDB file written by the audit code of a run.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest
from dagster import DagsterInstance, RunRequest, SkipReason, build_sensor_context, materialize
from werkzeug import Request, Response

from pipelines.config import Settings
from pipelines.errors import ConfigurationError
from pipelines.ops import automation
from pipelines.ops.automation import keep_export_changed, monitoring_export_changed
from pipelines.sources.http import HttpClient
from pipelines.sources.keep.assets import KeepSource, keep_export
from pipelines.sources.keep.extract import (
    API_EXPORT_NAME,
    land_api_export,
    landed_api_export,
    workbook_fingerprint,
)
from pipelines.sources.landing import Landing
from pipelines.sources.monitoring.assets import MonitoringSource
from pipelines.warehouse.audit import REJECTED_COLUMNS, replace_source_audit
from pipelines.warehouse.resource import WarehouseResource
from pipelines.warehouse.store import Warehouse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def evaluate(sensor, resources: dict, cursor: str | None):
    with (
        DagsterInstance.ephemeral() as instance,
        build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context,
    ):
        return sensor(context), context.cursor


# -- monitoring: manifest.json -------------------------------------------------------------


@pytest.fixture
def export(tmp_path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"schema_version": "1"}')
    return folder


def evaluate_monitoring(export: Path | str, warehouse: Path, cursor: str | None):
    resources = {
        "monitoring": MonitoringSource(url=str(export)),
        "warehouse": WarehouseResource(directory=str(warehouse)),
    }
    return evaluate(monitoring_export_changed, resources, cursor)


def test_the_sensor_starts_a_run_when_the_manifest_changes_and_only_then(export, tmp_path):
    first, cursor = evaluate_monitoring(export, tmp_path / "w", None)
    assert first.run_key.startswith("monitoring-")
    again, same_cursor = evaluate_monitoring(export, tmp_path / "w", cursor)
    assert isinstance(again, SkipReason) and same_cursor == cursor
    (export / "manifest.json").write_text('{"schema_version": "1", "exported_at": "later"}')
    changed, _ = evaluate_monitoring(export, tmp_path / "w", cursor)
    assert changed.run_key != first.run_key


def test_the_sensor_asks_over_http_with_the_etag(httpserver, tmp_path):
    httpserver.expect_ordered_request("/export/manifest.json").respond_with_data(
        "{}", headers={"ETag": '"v1"'}
    )
    httpserver.expect_ordered_request(
        "/export/manifest.json", headers={"If-None-Match": '"v1"'}
    ).respond_with_data("", status=304)
    url = httpserver.url_for("/export")
    first, cursor = evaluate_monitoring(url, tmp_path / "w", None)
    assert first.run_key
    second, _ = evaluate_monitoring(url, tmp_path / "w", cursor)
    assert isinstance(second, SkipReason)
    httpserver.check_assertions()


def test_an_unreachable_export_skips_naming_it_and_starts_no_run(httpserver, tmp_path):
    httpserver.expect_request("/export/manifest.json").respond_with_data("gone", status=404)
    url = httpserver.url_for("/export")
    result, cursor = evaluate_monitoring(url, tmp_path / "w", "previous")
    assert isinstance(result, SkipReason)
    assert "manifest.json" in result.skip_message and "No run was started" in result.skip_message
    assert cursor == "previous"
    missing, _ = evaluate_monitoring(tmp_path / "no-such-folder", tmp_path / "w", None)
    assert isinstance(missing, SkipReason) and "no-such-folder" in missing.skip_message


# -- keep.eu: the search export ----------------------------------------------------------


def workbook(title: str, written: datetime = datetime(2026, 7, 1, 8, 0)) -> bytes:
    """A small XLSX in keep.eu's sheet layout: other data with another title; the same
    data written at another time differs only in its properties (and zip time stamps)."""
    book = openpyxl.Workbook()
    book.properties.created = book.properties.modified = written
    sheet = book.active
    sheet.title = "Search results, projects"
    sheet.append(["Period", "Programme", "Project acronym", "Project name in English"])
    sheet.append(["2014-2020", "Interreg Europe", "ACRO", title])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class KeepEu:
    """keep.eu's export endpoint: answers `body`, with the validators given, or `status`.

    With `honours_validators`, a request whose If-None-Match matches the ETag gets a 304,
    as a server that implements conditional requests would answer.
    """

    def __init__(self, httpserver, body: bytes) -> None:
        self.body, self.status, self.requests = body, 200, []
        self.etag: str | None = None
        self.last_modified: str | None = None
        self.honours_validators = False
        httpserver.expect_request("/api/search/projects/", method="POST").respond_with_handler(
            self.handle
        )
        self.base = httpserver.url_for("/api")

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        if self.status != 200:
            return Response("keep.eu is down", status=self.status)
        if (
            self.honours_validators
            and self.etag
            and request.headers.get("If-None-Match") == (self.etag)
        ):
            return Response(status=304, headers={"ETag": self.etag})
        headers = {}
        if self.etag:
            headers["ETag"] = self.etag
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        return Response(self.body, status=200, content_type=XLSX_TYPE, headers=headers)


@pytest.fixture
def keep_eu(httpserver, monkeypatch) -> KeepEu:
    monkeypatch.setattr(automation, "KEEP_SENSOR_BACKOFF_S", 0.01)  # retries in milliseconds
    return KeepEu(httpserver, workbook("first version"))


def evaluate_keep(keep: KeepSource, warehouse: Path, cursor: str | None = None):
    resources = {"keep": keep, "warehouse": WarehouseResource(directory=str(warehouse))}
    return evaluate(keep_export_changed, resources, cursor)


def publish_keep_load(warehouse: Path, body: bytes) -> None:
    """A published file whose audit says it loaded this keep.eu export, as a run leaves it
    (with the export landed)."""
    warehouse.mkdir(parents=True, exist_ok=True)
    sha256 = hashlib.sha256(body).hexdigest()
    store = Warehouse(warehouse)
    Landing(store.landing_root, "keep").land(body, url="https://keep.eu/api/", extension=".xlsx")
    with duckdb.connect(str(store.published_path)) as con:
        replace_source_audit(
            con,
            run_id="published-run",
            source="keep",
            files=[
                {
                    "file": f"{API_EXPORT_NAME} [{sheet}]",
                    "sha256": sha256,
                    "url": "https://keep.eu/api/search/projects/",
                    "rows_read": 1,
                    "rows_loaded": 1,
                    "rows_rejected": 0,
                }
                for sheet in ("Search results, projects", "Search results, partners")
            ],
            rejected=pd.DataFrame(columns=REJECTED_COLUMNS),
            drift={},
        )


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def landed(warehouse: Path) -> set[str]:
    return {p.name for p in (warehouse / "landing" / "keep").glob("*.xlsx")}


def test_with_nothing_published_the_export_starts_a_run_and_is_landed(keep_eu, tmp_path):
    result, cursor = evaluate_keep(KeepSource(url=keep_eu.base, programmes=[58]), tmp_path / "w")
    assert isinstance(result, RunRequest)
    assert result.tags[automation.KEEP_SHA256_TAG] == sha(keep_eu.body)
    (request,) = keep_eu.requests
    assert request.method == "POST"
    body = json.loads(request.get_data())
    assert body["programmes"]["available"] == [{"id": 58}]
    assert body["response_type"] == "excel"
    assert "If-None-Match" not in request.headers  # keep.eu sent no validators to use
    # Landed as the keep asset lands it: content-addressed, with the request in the sidecar.
    landed = tmp_path / "w" / "landing" / "keep" / f"{sha(keep_eu.body)}.xlsx"
    assert landed.read_bytes() == keep_eu.body
    sidecar = json.loads(landed.with_name(f"{sha(keep_eu.body)}.meta.json").read_text())
    assert sidecar["method"] == "POST" and sidecar["request_body"] == body
    assert json.loads(cursor)["sha256"] == sha(keep_eu.body)
    assert result.run_key == f"keep-{workbook_fingerprint(landed)}"


def test_the_export_the_published_warehouse_loaded_starts_no_run(keep_eu, tmp_path):
    publish_keep_load(tmp_path / "w", keep_eu.body)
    result, _ = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w")
    assert isinstance(result, SkipReason)
    assert "published warehouse loaded" in result.skip_message
    assert len(keep_eu.requests) == 1
    assert landed(tmp_path / "w") == {f"{sha(keep_eu.body)}.xlsx"}  # only the published one


def test_a_changed_export_starts_one_run_keyed_by_its_hash(keep_eu, tmp_path):
    old = keep_eu.body
    publish_keep_load(tmp_path / "w", old)
    unchanged, cursor = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w")
    assert isinstance(unchanged, SkipReason)
    keep_eu.body = workbook("second version")
    changed, new_cursor = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w", cursor)
    assert isinstance(changed, RunRequest)
    assert changed.tags[automation.KEEP_SHA256_TAG] == sha(keep_eu.body) != sha(old)
    assert f"{sha(keep_eu.body)}.xlsx" in landed(tmp_path / "w")
    # The same change seen again gives the same run key: Dagster starts one run for it,
    # also when keep.eu wrote the workbook again at another time (other bytes).
    again, _ = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w", new_cursor)
    assert again.run_key == changed.run_key
    keep_eu.body = workbook("second version", written=datetime(2026, 7, 2, 9, 30))
    rewritten, _ = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w", new_cursor)
    assert rewritten.tags[automation.KEEP_SHA256_TAG] != changed.tags[automation.KEEP_SHA256_TAG]
    assert rewritten.run_key == changed.run_key


def test_the_published_data_written_again_at_another_time_starts_no_run(keep_eu, tmp_path):
    publish_keep_load(tmp_path / "w", keep_eu.body)
    keep_eu.body = workbook("first version", written=datetime(2026, 11, 1, 6, 0))
    result, _ = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w")
    assert isinstance(result, SkipReason), "the bytes differ, the data does not"
    assert "holds the data the published warehouse loaded" in result.skip_message
    assert f"{sha(keep_eu.body)}.xlsx" not in landed(tmp_path / "w")  # dropped, not landed


def test_validators_are_sent_back_and_a_304_starts_no_run(keep_eu, tmp_path):
    keep_eu.etag, keep_eu.last_modified = '"v1"', "Wed, 01 Jul 2026 08:00:00 GMT"
    keep_eu.honours_validators = True
    first, cursor = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w")
    assert isinstance(first, RunRequest)
    second, second_cursor = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w", cursor)
    assert keep_eu.requests[1].headers["If-None-Match"] == '"v1"'
    assert keep_eu.requests[1].headers["If-Modified-Since"] == keep_eu.last_modified
    assert isinstance(second, SkipReason) and "304" in second.skip_message
    assert second_cursor == cursor


def test_a_server_that_ignores_the_validators_is_judged_by_the_hash(keep_eu, tmp_path):
    keep_eu.etag = '"v1"'  # sent, but a 200 with the whole body comes back
    publish_keep_load(tmp_path / "w", keep_eu.body)
    first, cursor = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w")
    second, _ = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w", cursor)
    assert keep_eu.requests[1].headers["If-None-Match"] == '"v1"'
    assert isinstance(first, SkipReason) and isinstance(second, SkipReason)
    assert "published warehouse loaded" in second.skip_message


def test_keep_eu_down_skips_with_the_error_and_starts_no_run(keep_eu, tmp_path):
    keep_eu.status = 503
    result, cursor = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w", '{"x": 1}')
    assert isinstance(result, SkipReason)
    assert "503" in result.skip_message and "no run was started" in result.skip_message
    assert len(keep_eu.requests) == automation.KEEP_SENSOR_ATTEMPTS  # retried, then gave up
    assert cursor == '{"x": 1}'


def test_an_answer_that_is_not_a_workbook_skips(keep_eu, tmp_path):
    keep_eu.body = b"<html>maintenance</html>"
    result, _ = evaluate_keep(KeepSource(url=keep_eu.base), tmp_path / "w")
    assert isinstance(result, SkipReason) and "not an XLSX workbook" in result.skip_message


def test_with_local_export_files_the_sensor_skips_without_asking_keep_eu(keep_eu, tmp_path):
    keep = KeepSource(files=[str(tmp_path / "export.xlsx")], url=keep_eu.base)
    result, _ = evaluate_keep(keep, tmp_path / "w")
    assert isinstance(result, SkipReason) and "INTERREG_KEEP_FILES" in result.skip_message
    assert keep_eu.requests == []


def test_the_fetch_ends_before_dagster_abandons_the_tick(monkeypatch):
    monkeypatch.delenv("DAGSTER_GRPC_TIMEOUT_SECONDS", raising=False)
    monkeypatch.delenv("DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS", raising=False)
    assert automation.sensor_fetch_budget() == 50
    monkeypatch.setenv("DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS", "300")
    assert automation.sensor_fetch_budget() == 290


def test_the_keep_sensor_looks_once_a_day_unless_configured():
    from pipelines.definitions import defs

    assert defs().resolve_sensor_def("keep_export_changed").minimum_interval_seconds == 86400


def test_the_keep_sensor_interval_is_whole_seconds_of_at_least_a_minute():
    assert Settings.from_env({}).keep_sensor_interval_s == 86400
    assert (
        Settings.from_env({"INTERREG_KEEP_SENSOR_INTERVAL": "3600"}).keep_sensor_interval_s == 3600
    )
    for bad in ("1h", "10", "-5"):
        with pytest.raises(ConfigurationError, match="INTERREG_KEEP_SENSOR_INTERVAL"):
            Settings.from_env({"INTERREG_KEEP_SENSOR_INTERVAL": bad})


def test_a_run_can_load_the_export_the_sensor_landed_without_a_second_post(keep_eu, tmp_path):
    result, _ = evaluate_keep(KeepSource(url=keep_eu.base, programmes=[58]), tmp_path / "w")
    sha256 = result.tags[automation.KEEP_SHA256_TAG]
    landing = tmp_path / "w" / "landing"
    reused = landed_api_export(keep_eu.base, [58], landing, sha256)
    assert len(keep_eu.requests) == 1  # no second POST
    with HttpClient(read_timeout=10, total_budget=10) as client:
        fetched = land_api_export(keep_eu.base, [58], landing, client)
    assert reused is not None
    assert reused.request_body == fetched.request_body
    assert [(i.name, i.sha256, i.path, i.url) for i in reused.inputs] == [
        (i.name, i.sha256, i.path, i.url) for i in fetched.inputs
    ]
    # Another request (other programmes, another URL) or damaged bytes: POST again.
    assert landed_api_export(keep_eu.base, [58, 394], landing, sha256) is None
    assert landed_api_export("https://keep.eu/api", [58], landing, sha256) is None
    assert landed_api_export(keep_eu.base, [58], landing, "0" * 64) is None
    path = reused.inputs[0].path
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"damaged")
    assert landed_api_export(keep_eu.base, [58], landing, sha256) is None


def test_the_run_the_sensor_starts_loads_the_landed_export_without_a_second_post(keep_eu, tmp_path):
    keep = KeepSource(url=keep_eu.base, programmes=[58])
    request, _ = evaluate_keep(keep, tmp_path / "w")
    resources = {"keep": keep, "warehouse": WarehouseResource(directory=str(tmp_path / "w"))}
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [keep_export], resources=resources, instance=instance, tags=request.tags
        )
    assert result.success
    assert len(keep_eu.requests) == 1  # the sensor's POST only
    landed = result.output_for_node("keep__export")
    assert [i.sha256 for i in landed.inputs] == [request.tags[automation.KEEP_SHA256_TAG]]
