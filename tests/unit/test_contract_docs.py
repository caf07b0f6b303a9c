"""docs/monitoring-export.md says what the validator checks, and nothing older."""

from __future__ import annotations

from pipelines.config import REPO_ROOT
from schemas.docs import contract_markdown
from schemas.monitoring import RULES
from schemas.monitoring_contract import MONITORING


def test_the_contract_page_is_generated_from_the_current_contract():
    committed = (REPO_ROOT / "docs" / "monitoring-export.md").read_text(encoding="utf-8")
    assert committed == contract_markdown(), "run `make docs` and commit docs/monitoring-export.md"


def test_the_page_names_every_file_column_and_rule():
    page = contract_markdown()
    for spec in MONITORING.files:
        assert f"### {spec.name}" in page
        assert all(f"| `{column}` |" in page for column in spec.column_names), spec.name
        assert all(f"(`{rule.name}`)" in page for rule in RULES.get(spec.name, [])), spec.name
