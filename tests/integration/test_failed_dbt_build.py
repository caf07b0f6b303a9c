"""A failed `dbt build` names in one line what failed, from dbt's own artifacts: a tiny
project of this test's own, whose data tests fail and one of whose models errors (the line's
parts on made-up artifacts: tests/unit/test_dbt_failures.py)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from pipelines.transform.failures import describe_failures
from pipelines.transform.project import DBT_EXECUTABLE

FILES = {
    "dbt_project.yml": """
name: tiny
version: "1.0.0"
config-version: 2
profile: tiny
flags:
  send_anonymous_usage_stats: false
models:
  tiny:
    +schema: marts
""",
    "profiles.yml": """
tiny:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('TINY_DUCKDB_PATH') }}"
      threads: 1
      extensions: []
""",
    "macros/generate_schema_name.sql": """
{% macro generate_schema_name(custom_schema_name, node) %}{{ custom_schema_name }}{% endmacro %}
""",
    "models/regional_coverage.sql": """
select * from (values
    (date '2024-05-31', 'FR10', 3), (date '2024-05-31', 'FR11', 0),
    (date '2024-04-30', 'FR10', 0), (date '2024-04-30', null, 1)
) as t(as_of_date, nuts2_code, projects)
""",
    "models/headline_results.sql": "select 1 as projects",
    "models/broken.sql": "select * from no_such_table",
    "models/schema.yml": """
version: 2
models:
  - name: regional_coverage
    columns:
      - name: nuts2_code
        data_tests: [not_null]
""",
    # Two parents: the model it is on is its meta's ref, as in the project.
    "tests/assert_every_region_has_projects.sql": """
{{ config(meta={'dagster': {'ref': {'name': 'regional_coverage'}}}) }}
select as_of_date, nuts2_code
from {{ ref('regional_coverage') }}
where projects < (select min(projects) from {{ ref('headline_results') }})
""",
}


@pytest.mark.slow
def test_each_failed_test_is_named_with_its_model_its_count_and_first_rows(tmp_path):
    project, build, target = tmp_path / "project", tmp_path / "interreg.duckdb", tmp_path / "target"
    for name, text in FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    # One dbt process, as tests/support/dbt.py starts it (dagster-dbt's resource would
    # spend seconds more loading the project before it).
    completed = subprocess.run(
        [str(DBT_EXECUTABLE), "build", "--project-dir", str(project),
         "--profiles-dir", str(project), "--target-path", str(target),
         "--log-path", str(tmp_path / "logs"), "--no-use-colors"],
        env={**os.environ, "TINY_DUCKDB_PATH": str(build)},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert completed.returncode == 1, completed.stdout[-5000:]

    failures = describe_failures(
        json.loads((target / "run_results.json").read_text())["results"],
        json.loads((target / "manifest.json").read_text()),
        build,
    )

    assert sorted(failure.text for failure in failures) == [
        "assert_every_region_has_projects on regional_coverage: 2 rows"
        " (as_of_date=2024-04-30, nuts2_code=FR10; as_of_date=2024-05-31, nuts2_code=FR11)",
        "broken",
        "not_null_regional_coverage_nuts2_code on regional_coverage: 1 row (nuts2_code=null)",
    ]
