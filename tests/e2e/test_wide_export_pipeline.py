"""`interreg run` on an export nobody on the project has seen, made to the letter of the
contract (tools/samples/wide_export.py, a fresh seed each session), as a data engineer
points it at their own system: it publishes, loses no row, and every mart, every download
and the results page of a past date agree with an independent reading of the files
(tests/support/reference_marts.py).

The seed is in the test ids; `SAMPLE_SEED=<n> make test` runs this export again.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from support.built_once import built_once
from support.cli import copy_warehouse, interreg, published
from support.mart_diff import mart_differences, mart_rows
from support.reference_marts import MART_KEYS, expected_marts
from support.seeds import scale_of, seeds

from pipelines.warehouse.exports import DOWNLOADS

# The session's last seed (support/seeds.py): scale 0.2 in a plain run.
SEED = seeds()[-1]


@pytest.fixture(scope="module", params=[SEED], ids=lambda s: f"seed-{s}-scale-{scale_of(s)}")
def wide_run(request, tmp_path_factory, worker_id) -> dict:
    """The run of the seed's export into a new warehouse, once for the session."""

    def run(folder: Path) -> dict:
        from tools.samples.wide_export import generate

        export = folder / "export"
        generate(export, seed=request.param, scale=scale_of(request.param))
        warehouse = folder / "warehouse"
        result = interreg("run", warehouse=warehouse, url=str(export))
        return {"export": export, "warehouse": warehouse, "result": result}

    found = built_once(tmp_path_factory, worker_id, f"wide-run-{request.param}", run)
    print(f"the export of seed {request.param}, scale {scale_of(request.param)}")
    return found


def query(warehouse: Path, sql: str, params=()) -> list[tuple]:
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_the_run_publishes_and_quarantines_nothing(wide_run):
    result = wide_run["result"]
    assert result.returncode == 0, result.stderr[-3000:]
    rejected = query(
        wide_run["warehouse"], "select count(*) from audit.rejected_rows where source = ?",
        ["monitoring"],
    )  # fmt: skip
    assert rejected == [(0,)]


def test_every_mart_is_the_reading_of_the_files(wide_run):
    expected = expected_marts(wide_run["export"])
    differences = [
        mart_differences(mart, expected[mart], *mart_rows(published(wide_run["warehouse"]), mart))
        for mart in MART_KEYS
    ]
    assert not [d for d in differences if d], "\n".join(d for d in differences if d)


def test_every_download_holds_its_marts_rows(wide_run):
    exports = wide_run["warehouse"] / "exports"
    for name in DOWNLOADS:
        with open(exports / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
            records = list(csv.DictReader(handle))
        (count,) = query(wide_run["warehouse"], f'select count(*) from marts."{name}"')[0]
        assert len(records) == count, name


def row_files(folder: Path) -> list:
    rows = []
    for page in sorted(folder.glob("p*.js"), key=lambda p: int(p.stem[1:])):
        body = page.read_text(encoding="utf-8")
        rows += json.loads(body[body.index("[") : body.rindex(")")])
    return rows


def test_a_past_page_counts_and_shows_each_project_as_it_stood(wide_run, tmp_path):
    """The page of a date in the middle of the series: its projects are those approved by
    then, each with its status on that date from its own dates, not today's."""
    warehouse = copy_warehouse(wide_run["warehouse"], tmp_path / "warehouse")
    dates = [d for (d,) in query(warehouse, "select as_of_date from marts.headline_results")]
    day = sorted(dates)[len(dates) // 2]
    result = interreg("report", "--as-of", day.isoformat(), warehouse=warehouse)
    assert result.returncode == 0, result.stderr[-3000:]
    headline = expected_marts(wide_run["export"])["headline_results"][(day,)]
    with open(wide_run["export"] / "projects.csv", encoding="utf-8-sig", newline="") as handle:
        projects = {
            r["project_id"]: r
            for r in csv.DictReader(handle)
            if r["status"] != "withdrawn" and date.fromisoformat(r["approved_on"]) <= day
        }
    shown = row_files(warehouse / "site" / "data" / "projects")
    assert len(shown) == headline["projects"] == len(projects)

    def status(project: dict) -> str:
        start, end = (date.fromisoformat(project[c]) for c in ("start_date", "end_date"))
        return "not started" if start > day else "ended" if end < day else "running"

    by_acronym = {p["acronym"]: status(p) for p in projects.values()}
    assert {row[0][0][0]: row[0][4] for row in shown} == by_acronym
