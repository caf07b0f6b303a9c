"""The benchmark's baseline, piece by piece, without dbt (tests/e2e/test_bench_baseline.py
compares its marts with a published run's): its loaders read every record of the bundled
samples into the raw tables the dbt project reads, the plan runs models after what they
read, and the report's ratios are the issue's arithmetic.

No timing here: `make bench` measures, `make test` only checks.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from bench import baseline, plan, stages
from pipelines.config import SAMPLE_KEEP_FILE, SAMPLE_MONITORING_DIR
from schemas.keep_contract import KEEP

pytestmark = pytest.mark.skipif(
    not (SAMPLE_MONITORING_DIR / "manifest.json").is_file(),
    reason=f"no sample export at {SAMPLE_MONITORING_DIR}",
)


@pytest.fixture(scope="module")
def raw():
    con = duckdb.connect()
    rows = baseline.load_monitoring(con, SAMPLE_MONITORING_DIR)
    keep_rows = baseline.load_keep(con, [SAMPLE_KEEP_FILE])
    yield con, rows, keep_rows
    con.close()


def test_the_baseline_reads_every_record_of_the_export(raw):
    _, rows, _ = raw
    manifest = json.loads((SAMPLE_MONITORING_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert rows == sum(f["rows"] for f in manifest["files"])


def test_the_raw_tables_are_named_and_typed_as_the_pipelines(raw):
    con, _, keep_rows = raw
    tables = {
        (schema, table)
        for schema, table in con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
        ).fetchall()
    }
    assert ("raw_monitoring", "export_manifest") in tables
    for spec in KEEP.files:
        columns = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns()"
            " WHERE schema_name = 'raw_keep' AND table_name = ? ORDER BY column_index",
            [spec.table],
        ).fetchall()
        assert columns == [("_row_number", "BIGINT")] + [
            (c.name, c.sql_type.upper().replace(", ", ",")) for c in spec.columns
        ]
    projects = con.execute("SELECT count(*) FROM raw_keep.projects").fetchone()[0]
    assert 0 < projects < keep_rows


def test_the_keep_cells_are_converted_as_the_rules_convert_them(raw):
    con, _, _ = raw
    nulls = con.execute(
        "SELECT count(*) FILTER (WHERE acronym IS NULL),"
        " count(*) FILTER (WHERE start_date IS NULL) FROM raw_keep.projects"
    ).fetchone()
    assert nulls == (0, 0)
    assert con.execute(
        "SELECT count(*) FROM raw_keep.partners WHERE lead_partner NOT IN ('Yes', 'No')"
    ).fetchone() == (0,)


def test_the_plan_runs_models_after_what_they_read_and_leaves_out_the_delivery():
    def model(name, *deps, schema="marts"):
        return {
            "resource_type": "model",
            "name": name,
            "alias": name,
            "schema": schema,
            "config": {"materialized": "table", "contract": {"enforced": True}},
            "compiled_code": f"select 1 as {name}",
            "columns": {name: {"data_type": "integer", "description": "a\n column"}},
            "depends_on": {"nodes": list(deps)},
        }

    nodes = {
        "model.p.mart": model("mart", "model.p.stg"),
        "model.p.stg": model("stg", "source.p.monitoring.projects", schema="staging"),
        "model.p.data_freshness": model("data_freshness", "model.p.audit"),
        "model.p.audit": model("audit", "source.p.audit.loaded_files", schema="staging"),
    }
    steps = plan.plan_from_manifest({"nodes": nodes})
    assert [m["name"] for m in steps["models"]] == ["stg", "mart"]
    assert steps["models"][1]["columns"] == {"mart": "integer"}
    assert steps["models"][1]["descriptions"] == {"mart": "a column"}


def _result(scale, pipeline, baseline_s, load=(0.0, 0.0)):
    compared = dict.fromkeys(stages.COMPARED, 0.0)
    return {
        "scale": scale,
        "pipeline": {"seconds": pipeline},
        "baseline": {"seconds": baseline_s},
        "compared": {
            "pipeline": compared | {"load": load[0]},
            "baseline": {"startup": 0.0, "load": load[1], "keep": 0.0, "transform": 0.0},
        },
    }


def test_the_marginal_and_fixed_costs_are_the_issues_ratios():
    results = [_result(1, 20.0, 2.0, (1.0, 0.5)), _result(100, 45.0, 12.0, (6.0, 2.5))]
    found = stages.marginal(results)
    assert found["ratio"] == 2.5
    assert found["stages"]["load"]["ratio"] == 2.5
    assert found["stages"]["page"]["ratio"] is None  # the pipeline's alone
    fixed = stages.fixed_cost(results, {"seconds": 14.0})
    assert fixed["pipeline_minus_baseline_s"] == 18.0
    assert fixed["allowed_s"] == 17.0
    assert not fixed["met"]
