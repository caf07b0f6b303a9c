"""The keep.eu search export over real HTTP: a stand-in keep.eu on 127.0.0.1 answers the
search POST with an XLSX workbook, and can be slow, fail, or answer something else."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from werkzeug import Request, Response

from pipelines.errors import SourceError
from pipelines.sources.http import HttpClient
from pipelines.sources.keep.extract import land_api_export
from pipelines.sources.keep.validate import validate_inputs
from tools.samples.keep import convert_legacy

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SAMPLE = Path(__file__).resolve().parents[2] / "sample" / "keep" / "keep_eu_export.xlsx"


class KeepStandIn:
    """keep.eu's search export: POST /api/search/projects/ answers with a workbook.

    `answers` are tried in turn, one per request (the last one repeats): a status code
    to fail with, a callable to run first (e.g. to be slow), or None for the workbook.
    Every request is kept, to check what the client sent.
    """

    def __init__(self, httpserver, workbook: bytes, *answers) -> None:
        self.workbook, self.answers, self.requests = workbook, list(answers) or [None], []
        httpserver.expect_request("/api/search/projects/").respond_with_handler(self.handle)
        self.base = httpserver.url_for("/api")

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, int):
            return Response("keep.eu is busy", status=answer, headers={"Retry-After": "0"})
        if isinstance(answer, Callable):
            answer()
        if isinstance(answer, bytes):
            return Response(answer, status=200, content_type="application/json")
        return Response(self.workbook, status=200, content_type=XLSX_TYPE)

    def bodies(self) -> list[dict]:
        return [json.loads(r.get_data()) for r in self.requests]


def client(**options) -> HttpClient:
    defaults = {"read_timeout": 10, "total_budget": 30, "backoff_base": 0.05, "jitter": 0}
    return HttpClient(**(defaults | options))


def test_the_export_is_posted_with_the_programmes_and_landed_with_its_request(httpserver, tmp_path):
    keep = KeepStandIn(httpserver, SAMPLE.read_bytes())
    landed = land_api_export(keep.base, [58, 394], tmp_path, client())
    (request,) = keep.requests
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "*/*"
    body = keep.bodies()[0]
    assert body["programmes"]["available"] == [{"id": 58}, {"id": 394}]
    assert body["response_type"] == "excel"
    (item,) = landed.inputs
    assert item.path.read_bytes() == SAMPLE.read_bytes()
    sidecar = json.loads((item.path.parent / f"{item.sha256}.meta.json").read_text())
    assert sidecar["method"] == "POST"
    assert sidecar["request_body"] == body
    assert sidecar["sha256"] == item.sha256 and sidecar["fetched_at"].endswith("Z")
    assert sidecar["url"] == keep.base + "/search/projects/"


def test_a_503_is_retried_with_the_same_request(httpserver, tmp_path):
    keep = KeepStandIn(httpserver, SAMPLE.read_bytes(), 503, 503, None)
    landed = land_api_export(keep.base, [58], tmp_path, client())
    assert len(keep.requests) == 3
    assert all(r.method == "POST" for r in keep.requests)
    assert all(b["programmes"]["available"] == [{"id": 58}] for b in keep.bodies())
    assert landed.inputs[0].size == len(SAMPLE.read_bytes())


def test_a_slow_answer_within_the_read_timeout_is_waited_for(httpserver, tmp_path):
    keep = KeepStandIn(httpserver, SAMPLE.read_bytes(), lambda: time.sleep(1.5))
    started = time.monotonic()
    land_api_export(keep.base, [58], tmp_path, client(read_timeout=5))
    assert time.monotonic() - started >= 1.5
    assert len(keep.requests) == 1


def test_an_answer_slower_than_the_timeout_fails_within_the_budget_naming_the_url(
    httpserver, tmp_path
):
    keep = KeepStandIn(httpserver, SAMPLE.read_bytes(), lambda: time.sleep(1.2))
    started = time.monotonic()
    with pytest.raises(SourceError) as caught:
        land_api_export(keep.base, [58], tmp_path, client(read_timeout=0.3, total_budget=2))
    assert time.monotonic() - started < 6
    assert f"POST {keep.base}/search/projects/" in str(caught.value)
    assert "time budget" in str(caught.value) or "attempts" in str(caught.value)


@pytest.mark.parametrize(("status", "retried"), [(500, True), (404, False), (400, False)])
def test_a_failing_export_fails_naming_the_url(httpserver, tmp_path, status, retried):
    keep = KeepStandIn(httpserver, SAMPLE.read_bytes(), status)
    with pytest.raises(SourceError) as caught:
        land_api_export(keep.base, [58], tmp_path, client(total_budget=1, max_attempts=3))
    assert f"POST {keep.base}/search/projects/" in str(caught.value)
    assert (len(keep.requests) > 1) == retried


def test_an_answer_that_is_not_a_workbook_fails_saying_so(httpserver, tmp_path):
    keep = KeepStandIn(httpserver, b"", b'{"count": 258, "results": []}')
    with pytest.raises(SourceError, match="not an XLSX workbook"):
        land_api_export(keep.base, [58], tmp_path, client())


def test_the_real_legacy_export_converted_to_the_current_layout_through_the_api(
    httpserver, tmp_path, shared_data
):
    legacy = shared_data / "keep_eu_legacy" / "keep_closed_1420_dev.xlsx"
    keep = KeepStandIn(httpserver, convert_legacy(legacy))
    landed = land_api_export(keep.base, [58], tmp_path, client())
    validated = validate_inputs(landed.inputs, max_rejected_pct=1)
    counts = {f["file"]: (f["rows_read"], f["rows_loaded"]) for f in validated.files}
    assert counts == {
        "keep-eu-search-export.xlsx [Search results, projects]": (1458, 1458),
        "keep-eu-search-export.xlsx [Search results, partners]": (6690, 6689),  # VASAB twice
    }
    total = sum(Decimal(v) for v in validated.tables["projects"]["total_budget_eur"])
    # The legacy file's Budget column summed once per project (see test_keep_validate).
    assert total == Decimal("3574798239.31") - duplicated_budgets(legacy)


def duplicated_budgets(legacy: Path) -> Decimal:
    """The budgets of the legacy rows that repeat a project (one row per lead partner)."""
    workbook = openpyxl.load_workbook(legacy, read_only=True)
    seen, repeated = set(), Decimal(0)
    for row in workbook["Projects (lead partners)"].iter_rows(min_row=2, values_only=True):
        if not any(row):
            continue
        key = (row[0], str(row[1]))
        if key in seen:
            repeated += Decimal(row[11].replace(",", ""))
        seen.add(key)
    workbook.close()
    return repeated
