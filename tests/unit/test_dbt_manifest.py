"""`dagster dev` parses the dbt project again only when a file of it changed since the
manifest was written (pipelines/transform/project.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipelines.transform.project import manifest_is_current


@pytest.fixture
def project(tmp_path) -> Path:
    """A dbt project's files, all older than its manifest."""
    for name in ("dbt_project.yml", "profiles.yml", "models/marts/projects.sql", "seeds/x.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("select 1")
    for path in [tmp_path, *tmp_path.rglob("*")]:
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    (tmp_path / "target").mkdir()
    (tmp_path / "target" / "manifest.json").write_text("{}")
    return tmp_path


def current(project: Path) -> bool:
    return manifest_is_current(project, project / "target" / "manifest.json")


def test_a_manifest_newer_than_every_file_is_current(project):
    assert current(project)


def test_no_manifest_is_not_current(project):
    (project / "target" / "manifest.json").unlink()
    assert not current(project)


@pytest.mark.parametrize(
    "change",
    [
        lambda p: (p / "models/marts/projects.sql").write_text("select 2"),  # an edit
        lambda p: (p / "models/marts/new.sql").write_text("select 3"),  # a new model
        lambda p: (p / "models/marts/projects.sql").unlink(),  # a model removed
        lambda p: (p / "seeds/x.csv").rename(p / "seeds/y.csv"),  # a seed renamed
        lambda p: (p / "dbt_project.yml").write_text("name: x"),
        lambda p: (p / "profiles.yml").write_text("x: {}"),
    ],
    ids=["edited", "added", "removed", "renamed", "project_file", "profiles"],
)
def test_a_change_to_the_project_since_the_manifest_makes_it_stale(project, change):
    change(project)
    assert not current(project)


def test_what_dbt_does_not_read_changes_nothing(project):
    (project / "target" / "run_results.json").write_text("{}")
    (project / "README.md").write_text("notes")
    assert current(project)
