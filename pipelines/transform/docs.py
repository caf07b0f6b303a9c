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


def marts_markdown(manifest: dict) -> str:
    models = sorted(
        (node for node in manifest["nodes"].values()
         if node["resource_type"] == "model" and node["fqn"][1] == "marts"),
        key=lambda node: node["name"],
    )  # fmt: skip
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
