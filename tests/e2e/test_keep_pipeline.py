"""`interreg run` with keep.eu as an operator configures it: the live export API (a stand-in
keep.eu on 127.0.0.1) or archived export files, end to end into the published marts."""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from support.built_once import built_once
from support.cli import copy_warehouse, file_hash, interreg, published
from werkzeug import Request, Response

from pipelines.config import SAMPLE_KEEP_FILE

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run_with_keep(warehouse: Path, **keep: str) -> subprocess.CompletedProcess:
    """`interreg run` with the INTERREG_KEEP_* settings `keep`."""
    env = {f"INTERREG_KEEP_{name.upper()}": value for name, value in keep.items()}
    return interreg("run", warehouse=warehouse, env=env)


def query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        return con.execute(sql).fetchall()


def stand_in(httpserver, workbook: bytes, status: int = 200) -> tuple[str, list[Request]]:
    """keep.eu's search export on 127.0.0.1; returns the API base and the requests seen."""
    seen: list[Request] = []

    def handle(request: Request) -> Response:
        seen.append(request)
        if status != 200:
            return Response("no such search", status=status)
        return Response(workbook, status=200, content_type=XLSX_TYPE)

    httpserver.expect_request("/api/search/projects/").respond_with_handler(handle)
    return httpserver.url_for("/api"), seen


@pytest.fixture(scope="module")
def api_run(tmp_path_factory, worker_id):
    """One run against a stand-in keep.eu serving the bundled sample, once for the session:
    the warehouse, the run, each request's method and body, and the API's base URL."""
    from pytest_httpserver import HTTPServer

    def run(folder: Path):
        server = HTTPServer(host="127.0.0.1")
        server.start()
        try:
            base, seen = stand_in(server, SAMPLE_KEEP_FILE.read_bytes())
            result = run_with_keep(folder / "warehouse", url=base, programmes="58,394")
            requests = [{"method": r.method, "body": r.get_data()} for r in seen]
            return folder / "warehouse", result, requests, base
        finally:
            server.clear()
            server.stop()

    return built_once(tmp_path_factory, worker_id, "keep-api-run", run)


def test_the_api_is_posted_once_with_the_programmes_and_excel(api_run):
    _, result, seen, _ = api_run
    assert result.returncode == 0, result.stderr[-3000:]
    (request,) = seen
    assert request["method"] == "POST"
    body = json.loads(request["body"])
    assert body["programmes"]["available"] == [{"id": 58}, {"id": 394}]
    assert body["response_type"] == "excel"


def test_the_api_export_is_landed_and_reconciled_with_the_monitoring_export(api_run):
    warehouse, _, seen, base = api_run
    sidecars = list((warehouse / "landing" / "keep").glob("*.meta.json"))
    (sidecar,) = [json.loads(p.read_text()) for p in sidecars]
    assert sidecar["request_body"] == json.loads(seen[0]["body"])
    assert sidecar["url"] == f"{base}/search/projects/"
    assert sidecar["sha256"] == file_hash(SAMPLE_KEEP_FILE)
    files = query(warehouse, "select file, rows_read, rows_loaded from audit.loaded_files"
                  " where source = 'keep' order by file")  # fmt: skip
    assert files == [
        ("keep-eu-search-export.xlsx [Search results, partners]", 2071, 2071),
        ("keep-eu-search-export.xlsx [Search results, projects]", 266, 266),
    ]
    presence = dict(
        query(warehouse, "select presence, count(*) from marts.source_reconciliation group by 1")
    )
    assert presence == {"both": 256, "monitoring_only": 2, "keep_only": 1}
    assert query(warehouse, "select count(*) from marts.projects where is_in_keep") == [(256,)]
    flagged = query(
        warehouse,
        "select count(*) from marts.source_reconciliation where has_total_budget_difference"
        " or has_eu_funding_difference or has_partner_count_difference",
    )
    assert flagged == [(3,)]


def test_a_failing_api_fails_the_run_naming_the_url_and_publishes_nothing(
    api_run, httpserver, tmp_path
):
    warehouse = copy_warehouse(api_run[0], tmp_path / "warehouse")  # others read api_run's
    before = file_hash(published(warehouse))
    base, seen = stand_in(httpserver, b"", status=404)
    result = run_with_keep(warehouse, url=base)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert f"{base}/search/projects/" in last_line and "404" in last_line
    assert len(seen) == 1 and seen[0].method == "POST"
    assert file_hash(published(warehouse)) == before


def test_the_real_legacy_files_through_interreg_keep_files(tmp_path, shared_data):
    folder = shared_data / "keep_eu_legacy"
    files = [folder / "keep_closed_1420_dev.xlsx", folder / "keep_closed_1420_Partnership_dev.csv"]
    result = run_with_keep(tmp_path / "w", files=os.pathsep.join(map(str, files)))
    assert result.returncode == 0, result.stderr[-3000:]
    warehouse = tmp_path / "w"
    loaded = query(
        warehouse,
        "select file, rows_read, rows_loaded, rows_rejected from audit.loaded_files"
        " where source = 'keep' order by file",
    )
    assert loaded == [
        ("keep_closed_1420_Partnership_dev.csv", 6690, 6689, 1),
        ("keep_closed_1420_dev.xlsx [Calls]", 90, 90, 0),
        ("keep_closed_1420_dev.xlsx [Partners]", 6690, 6689, 1),
        ("keep_closed_1420_dev.xlsx [Projects (lead partners)]", 1497, 1497, 0),
    ]
    # keep.eu lists VASAB twice in Baltic LINes, in both files: the second row is quarantined.
    assert (
        query(
            warehouse,
            "select check_name, value from audit.rejected_rows where source = 'keep'",
        )
        == [("listed_once", "Baltic LINes / VASAB")] * 2
    )
    assert query(warehouse, "select sum(total_budget_eur) from raw_keep.projects") == [
        (Decimal("3574798239.31"),)
    ]
    # 1,497 rows of 1,458 projects (39 with two lead partners); the CSV twin of the
    # Partners sheet is not counted twice, nor VASAB, listed twice in Baltic LINes.
    assert query(
        warehouse,
        "select count(*), sum(partners), count(distinct programme) from marts.keep_projects",
    ) == [(1458, 6689, 52)]
    assert query(warehouse, "select count(*) from marts.keep_partners") == [(6689,)]
    two_leads = query(
        warehouse,
        "select lead_partner_name from marts.keep_projects where project_acronym = 'Bioraff'",
    )
    assert two_leads == [("PFI, Papir- og fiberinstituttet AS; SP Processum AB",)]
    ((coded, plain),) = query(
        warehouse,
        "select count(nuts2_code), count(*) filter (where regexp_full_match(nuts2_code,"
        " '[A-Z]{2}[0-9A-Z]{2}')) from marts.keep_partners",
    )
    assert coded == 6602 and plain == coded
    # None of these closed projects is of Interreg Europe: nothing matches.
    assert query(warehouse, "select count(*) from marts.projects where is_in_keep") == [(0,)]
