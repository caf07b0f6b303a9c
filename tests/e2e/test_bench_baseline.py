"""The benchmark's baseline does the pipeline's job: on the bundled samples (the monitoring
export and the keep.eu workbook a default run reads), its marts equal, row for row, those
`interreg run` publishes, and it writes the same export files.

`make bench` checks the same at every scale it runs; this is the check at scale 1 that
`make test` keeps. No timing here: the bench measures, the tests only check that the
baseline is worth measuring against.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from support.built_once import built_once
from support.reference_headline import headline_as_of, headline_dates

from bench import baseline, plan
from pipelines.config import SAMPLE_KEEP_FILE, SAMPLE_MONITORING_DIR
from pipelines.warehouse.summary import FIGURES
from tools.compare_marts import DELIVERY_ONLY, differences


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, worker_id: str):
    """The baseline on the bundled samples, with the dbt project's compiled SQL (once for
    the session: tests only read it)."""

    def build(folder: Path):
        steps = plan.make_plan(folder / "plan.json")
        database = folder / "baseline.duckdb"
        figures = baseline.build(
            SAMPLE_MONITORING_DIR, database, steps, [SAMPLE_KEEP_FILE], folder / "exports"
        )
        return folder, database, figures

    return built_once(tmp_path_factory, worker_id, "bench-baseline", build)


def test_every_published_mart_equals_the_baselines_row_for_row(published_sample, built):
    _, database, _ = built
    found = differences(published_sample / "interreg.duckdb", database)
    assert {mart: text for mart, text in found.items() if text} == {}
    con = duckdb.connect(str(published_sample / "interreg.duckdb"), read_only=True)
    try:
        published = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'"
            ).fetchall()
        }
    finally:
        con.close()
    assert set(found) == published - set(DELIVERY_ONLY)  # every mart but the delivery's
    assert len(found) >= 12


def test_the_baseline_writes_the_pipelines_export_files(published_sample, built):
    folder, _, figures = built
    ours = {p.name for p in (folder / "exports").iterdir()}
    theirs = {p.name for p in (published_sample / "exports").iterdir()}
    assert ours == theirs - {f"{mart}.parquet" for mart in DELIVERY_ONLY}
    assert figures["export_files"] == len(ours)
    for name in sorted(n for n in ours if n.endswith(".csv")):  # ordered by all columns
        assert (folder / "exports" / name).read_bytes() == (
            published_sample / "exports" / name
        ).read_bytes(), name


def test_the_baseline_headline_is_the_reference_headline_cell_by_cell(built):
    _, database, _ = built
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            f"SELECT as_of_date, {', '.join(FIGURES)} FROM marts.headline_results ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert [row[0] for row in rows] == headline_dates(SAMPLE_MONITORING_DIR)
    for as_of, *figures in rows:
        expected = headline_as_of(SAMPLE_MONITORING_DIR, as_of)
        assert dict(zip(FIGURES, figures, strict=True)) == expected, f"as of {as_of}"


def test_the_baseline_reports_its_stages(built):
    _, _, figures = built
    assert set(figures["stages"]) == {"load", "keep", "transform", "exports"}
    assert figures["keep_rows"] > 0
