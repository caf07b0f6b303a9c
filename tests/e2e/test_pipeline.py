"""`interreg run` end to end, as an operator runs it: a real process, real files, real HTTP.

Every cell of marts.headline_results is compared with an independent computation of the
contract's definitions (tests/support/reference_headline.py).
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from support.cli import copy_warehouse, file_hash, interreg, published
from support.exports import copy_export, edit_file, rewrite_manifest
from support.reference_headline import headline_as_of
from support.warehouse import assert_headline_matches_reference
from werkzeug import Response

from pipelines.config import SAMPLE_MONITORING_DIR
from pipelines.warehouse.exports import DOWNLOADS, mart_tables
from pipelines.warehouse.summary import FIGURES

TOKEN = "s3cret-token-never-printed"


@pytest.fixture(scope="module")
def sample_warehouse(sample_run, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A copy of the session's first run on the bundled sample (tests here run again on
    it), and what that first run printed."""
    warehouse, result = sample_run
    return copy_warehouse(warehouse, tmp_path_factory.mktemp("sample") / "warehouse"), result


def test_run_on_the_bundled_sample_publishes_and_prints_every_figure(sample_warehouse):
    warehouse, result = sample_warehouse
    assert result.returncode == 0, result.stderr[-3000:]
    for label in FIGURES.values():
        assert label in result.stdout
    assert published(warehouse).exists()
    # Every download whose mart was built is published as CSV and XLSX beside the file.
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        marts = set(mart_tables(con))
    built = [name for name in DOWNLOADS if name in marts]
    assert "policy_changes" in built and "headline_results" in built
    files = {p.name for p in (warehouse / "exports").iterdir()}
    assert {f"{name}.{ext}" for name in built for ext in ("csv", "xlsx")} <= files


def test_the_first_run_of_a_new_warehouse_does_not_parse_the_dbt_project_from_nothing(
    sample_warehouse,
):
    # dbt keeps the parse state `make` left when its profile is the same string: a run's
    # dbt names its build by a relative path in the warehouse's .dbt/ folder.
    warehouse, result = sample_warehouse
    assert result.returncode == 0, result.stderr[-3000:]
    first_run = min((warehouse / "logs").glob("run-*.log")).read_text()
    assert "Running with dbt" in first_run
    assert "Unable to do partial parsing" not in first_run


def test_every_headline_cell_equals_an_independent_computation(sample_warehouse):
    warehouse, _ = sample_warehouse
    assert_headline_matches_reference(warehouse, SAMPLE_MONITORING_DIR)


def test_headline_command_prints_the_figures_of_a_chosen_date(sample_warehouse):
    warehouse, _ = sample_warehouse
    result = interreg("headline", "--as-of", "2023-03-31", warehouse=warehouse)
    assert result.returncode == 0, result.stderr
    assert "as of 2023-03-31" in result.stdout
    projects = headline_as_of(SAMPLE_MONITORING_DIR, date(2023, 3, 31))["projects"]
    assert re.search(rf"Projects\s+{projects:,}\b", result.stdout)


def test_a_second_run_on_unchanged_sources_and_code_publishes_nothing_new(sample_warehouse):
    warehouse, _ = sample_warehouse
    before = file_hash(published(warehouse))
    releases = sorted(p.name for p in (warehouse / "releases").iterdir())

    result = interreg("run", warehouse=warehouse)

    assert result.returncode == 0, result.stderr[-3000:]
    assert "dbt is not run and nothing is published again" in result.stderr
    assert "Headline results as of" in result.stdout
    assert file_hash(published(warehouse)) == before
    assert sorted(p.name for p in (warehouse / "releases").iterdir()) == releases
    assert not list((warehouse / ".build").iterdir())
    records = [json.loads(line) for line in (warehouse / "runs.jsonl").read_text().splitlines()]
    assert [r["status"] for r in records][-2:] == ["success", "unchanged"]
    assert records[-1]["fingerprint"] == records[-2]["fingerprint"]


def test_a_results_page_that_fails_after_publishing_says_the_warehouse_is_published(
    sample_warehouse, tmp_path
):
    warehouse, _ = sample_warehouse
    missing = tmp_path / "no-such-boundaries.geojson"
    result = interreg("run", warehouse=warehouse, env={"INTERREG_NUTS_URL": str(missing)})
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("interreg run failed: the warehouse is published, but site__report:")
    assert "no-such-boundaries.geojson" in last
    assert interreg("headline", warehouse=warehouse).returncode == 0


def serve_with_token(httpserver, export: Path) -> str:
    def handler(request):
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("unauthorised", status=401)
        path = export / request.path.rsplit("/", 1)[-1]
        return Response(path.read_bytes(), status=200) if path.exists() else Response(status=404)

    httpserver.expect_request(re.compile(r"/export/.*")).respond_with_handler(handler)
    return httpserver.url_for("/export")


def test_a_refused_token_fails_the_run_and_says_so(httpserver, tmp_path):
    result = interreg(
        "run",
        warehouse=tmp_path / "w",
        url=serve_with_token(httpserver, SAMPLE_MONITORING_DIR),
        token="wrong-token",
    )
    assert result.returncode != 0
    assert "token" in result.stderr.strip().splitlines()[-1]
    assert "wrong-token" not in result.stdout + result.stderr


def test_a_broken_file_fails_the_run_and_leaves_the_published_file_unchanged(
    sample_warehouse, tmp_path
):
    warehouse, _ = sample_warehouse
    before = file_hash(published(warehouse))
    export = copy_export(SAMPLE_MONITORING_DIR, tmp_path / "export")
    edit_file(
        export,
        "projects.csv",
        lambda h, r: (
            [c for c in h if c != "approved_on"],
            [{k: v for k, v in row.items() if k != "approved_on"} for row in r],
        ),
    )
    rewrite_manifest(export)
    result = interreg("run", warehouse=warehouse, url=str(export))
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "projects.csv" in last_line and "approved_on" in last_line
    assert file_hash(published(warehouse)) == before
