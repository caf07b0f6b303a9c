"""The benchmark's baseline computes the same marts as the pipeline: checked for correctness
on the bundled sample against the independent reference (tests/support/reference_headline.py).

No timing here: `make bench` measures, `make test` only checks that the baseline's SQL is
worth measuring against.
"""

from __future__ import annotations

import importlib.util
import json

import duckdb
import pytest
from support.reference_headline import headline_as_of, headline_dates

from pipelines.config import REPO_ROOT, SAMPLE_MONITORING_DIR
from pipelines.warehouse.summary import FIGURES

# bench/ is a folder of scripts run from the repository (`python -m bench.run`), not an
# installed package: load the baseline by its path.
_spec = importlib.util.spec_from_file_location(
    "bench_baseline", REPO_ROOT / "bench" / "baseline.py"
)
baseline_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(baseline_module)
build = baseline_module.build

pytestmark = pytest.mark.skipif(
    not (SAMPLE_MONITORING_DIR / "manifest.json").is_file(),
    reason=f"no sample export at {SAMPLE_MONITORING_DIR}",
)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("baseline") / "baseline.duckdb"
    figures = build(SAMPLE_MONITORING_DIR, path)
    con = duckdb.connect(str(path), read_only=True)
    yield con, figures
    con.close()


def test_the_baseline_headline_is_the_reference_headline_cell_by_cell(baseline):
    con, _ = baseline
    rows = con.execute(
        f"SELECT as_of_date, {', '.join(FIGURES)} FROM marts.headline_results ORDER BY 1"
    ).fetchall()
    assert [row[0] for row in rows] == headline_dates(SAMPLE_MONITORING_DIR)
    for as_of, *figures in rows:
        expected = headline_as_of(SAMPLE_MONITORING_DIR, as_of)
        assert dict(zip(FIGURES, figures, strict=True)) == expected, f"as of {as_of}"


def test_the_baseline_reads_every_record_of_the_export(baseline):
    _, figures = baseline
    manifest = json.loads((SAMPLE_MONITORING_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert figures["rows_read"] == sum(f["rows"] for f in manifest["files"])


def test_the_baseline_marts_have_the_columns_and_types_of_the_dbt_contracts(baseline):
    con, _ = baseline
    columns = con.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'marts' ORDER BY table_name, ordinal_position"
    ).fetchall()
    by_mart: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in columns:
        by_mart.setdefault(table, []).append((column, data_type))
    assert set(by_mart) == {"headline_results", "policy_changes", "regional_coverage", "projects"}
    assert by_mart["headline_results"][:2] == [("as_of_date", "DATE"), ("projects", "BIGINT")]
    assert ("financial_impact_eur", "DECIMAL(18,2)") in by_mart["headline_results"]
    assert ("nuts2_coverage_pct", "DECIMAL(4,1)") in by_mart["headline_results"]
    assert ("total_influenced_eur", "DECIMAL(18,2)") in by_mart["policy_changes"]
    assert [c for c, _ in by_mart["regional_coverage"]] == [
        "nuts2_code",
        "country_code",
        "region_name",
        "is_eligible",
        "partners",
        "projects",
        "lead_partners",
        "policy_changes",
    ]
