"""The packages of pipelines/ form layers, and nothing imports upward: no cycles.

Read from the source (every `import` and `from ... import`, those inside functions too),
so a lazy import cannot hide an upward dependency.

From the bottom:
- base: the settings, the shared constants, the errors, the crash points and the step log
  bridge. Any module may import them; they import only each other (constants nothing).
- warehouse: the store on disk, its Dagster resource, the loader and the audit tables, the
  fingerprint and the export formats. Every step reads or writes through it.
- sources: each source's extract, contract and raw-table assets, loading into the warehouse.
- transform: the dbt project and its assets, over the raw tables.
- publish: the last step of a run, after every dbt model.
- ops (schedules, sensors, the run's logger), postgres (a copy of the published marts)
  and report (the results page): each reads what is published, none imports another.
- definitions, the code location that assembles them all; cli, on top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "pipelines"
BASE = {"config", "constants", "errors", "crash_points", "step_logs"}
LAYERS = [
    BASE,
    {"warehouse"},
    {"sources"},
    {"transform"},
    {"publish"},
    {"ops", "postgres", "report"},
    {"definitions"},
    {"cli"},
]
RANK = {unit: rank for rank, layer in enumerate(LAYERS) for unit in layer}
# Upward imports tolerated for now, each with its way out. An entry that no longer exists
# fails the test too: remove it then.
KNOWN: dict[tuple[str, str], str] = {}


def modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
            ".__init__"
        ): path
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def imported(module: str, path: Path) -> set[str]:
    """The modules of this project that `module` imports, as dotted names."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            if base == "pipelines":  # from pipelines import config
                names.update(f"pipelines.{alias.name}" for alias in node.names)
    return {name for name in names if name == "pipelines" or name.startswith("pipelines.")}


def unit(module: str) -> str:
    """The layer unit of a module: its package under pipelines/, or the module itself."""
    return module.split(".")[1] if "." in module else ""


def imports_by_module() -> dict[str, set[str]]:
    return {module: imported(module, path) for module, path in modules().items()}


def test_every_package_and_module_has_a_layer():
    units = {unit(m) for m in modules()} - {""}
    assert units <= set(RANK), f"give these a layer in LAYERS: {sorted(units - set(RANK))}"


def offences(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """(importer, imported) pairs that import upward, or sideways into another package."""
    found = set()
    for module, targets in graph.items():
        for target in targets:
            mine, theirs = unit(module), unit(target)
            if not mine or not theirs or mine == theirs:
                continue
            if mine in BASE and theirs in BASE:
                continue
            if RANK.get(theirs, len(LAYERS)) >= RANK.get(mine, -1):
                found.add((module, target))
    return found


def test_nothing_imports_upward_or_across():
    found = offences(imports_by_module())
    new = sorted(found - set(KNOWN))
    assert not new, "upward or sideways imports:\n" + "\n".join(f"{a} -> {b}" for a, b in new)
    assert not set(KNOWN) - found, f"fixed, remove from KNOWN: {sorted(set(KNOWN) - found)}"


def test_the_constants_import_nothing_of_the_project():
    assert imports_by_module()["pipelines.constants"] == set()


@pytest.mark.parametrize(
    ("module", "target"),
    [
        ("pipelines.warehouse.store", "pipelines.transform.project"),
        ("pipelines.sources.keep.extract", "pipelines.publish.assets"),
        ("pipelines.config", "pipelines.warehouse.store"),
        ("pipelines.report.site", "pipelines.postgres.publish"),
    ],
)
def test_an_upward_or_sideways_import_is_found(module, target):
    graph = imports_by_module()
    graph[module] = graph[module] | {target}
    assert (module, target) in offences(graph)


def test_a_lazy_relative_import_is_read(tmp_path):
    path = tmp_path / "assets.py"
    path.write_text("def f():\n    from ..ops import automation\n", encoding="utf-8")
    assert imported("pipelines.warehouse.assets", path) == {"pipelines.ops"}
