"""docs/marts.md says what the dbt project says, and nothing older."""

from __future__ import annotations

import json

from pipelines.config import REPO_ROOT
from pipelines.transform.docs import marts_markdown
from pipelines.transform.project import dbt_project


def test_the_marts_reference_is_generated_from_the_current_dbt_docs():
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    committed = (REPO_ROOT / "docs" / "marts.md").read_text(encoding="utf-8")
    assert committed == marts_markdown(manifest), "run `make docs` and commit docs/marts.md"


def test_every_mart_column_is_described():
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    undocumented = [
        f"{node['name']}.{name}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
        for name, column in node["columns"].items()
        if not column.get("description", "").strip()
    ]
    assert undocumented == []
