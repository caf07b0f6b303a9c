"""docs/marts.md from the dbt project's own documentation: what each mart holds.

The descriptions live once, in the marts' yml; this renders them for readers of the
repository. `make docs` rewrites the file; a test fails when it is out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipelines.transform.project import dbt_project

HEADER = """# The marts

Schema `marts` of the published `interreg.duckdb`, and `exports/<mart>.parquet` beside
it. Column names and types are contracts enforced by dbt: BI tools can rely on them.
Generated from `dbt_project/models/marts/*.yml` by `make docs`; do not edit by hand.
"""


def mart_models(manifest: dict) -> list[dict]:
    return sorted(
        (node for node in manifest["nodes"].values()
         if node["resource_type"] == "model" and node["fqn"][1] == "marts"),
        key=lambda node: node["name"],
    )  # fmt: skip


def mart_column_descriptions(manifest: dict | None = None) -> dict[str, dict[str, str]]:
    """mart -> column -> its dbt description, one line each: the exports' About sheets
    explain the columns in the words of the marts' yml. Empty when there is no manifest
    (the downloads are still written, without the descriptions)."""
    if manifest is None:
        path = Path(dbt_project.manifest_path)
        if not path.is_file():
            return {}
        manifest = json.loads(path.read_text(encoding="utf-8"))
    return {
        model["name"]: {
            name: " ".join(column.get("description", "").split())
            for name, column in model["columns"].items()
        }
        for model in mart_models(manifest)
    }


def marts_markdown(manifest: dict) -> str:
    models = mart_models(manifest)
    parts = [HEADER]
    for model in models:
        parts.append(f"\n## `marts.{model['name']}`\n\n{model['description'].strip()}\n")
        parts.append("\n| column | type | meaning |\n|---|---|---|")
        for name, column in model["columns"].items():
            meaning = " ".join(column.get("description", "").split()).replace("|", "\\|")
            parts.append(f"| `{name}` | {column.get('data_type') or ''} | {meaning} |")
        parts.append("")
    return "\n".join(parts)


def main() -> None:
    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    sys.stdout.write(marts_markdown(manifest))


if __name__ == "__main__":
    main()
