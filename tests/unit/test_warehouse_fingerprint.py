"""A build is "unchanged" only when the same source files were loaded by the same code."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.warehouse import fingerprint
from pipelines.warehouse.audit import ensure_audit_schema, write_runs
from pipelines.warehouse.fingerprint import (
    build_fingerprint,
    code_digest,
    published_fingerprint,
    run_fingerprint,
    shaping_files,
    unchanged_since_published,
)


@pytest.fixture
def code(tmp_path):
    for relative in ("pipelines/cli.py", "schemas/monitoring.py", "dbt_project/models/m.sql"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(f"-- {relative}\n")
    return tmp_path


def test_the_code_digest_changes_with_any_file_of_the_code(code):
    before = code_digest(code)
    (code / "dbt_project" / "models" / "m.sql").write_text("select 2\n")
    assert code_digest(code) != before


def test_the_code_digest_changes_when_a_file_is_added_or_renamed(code):
    before = code_digest(code)
    (code / "schemas" / "monitoring.py").rename(code / "schemas" / "renamed.py")
    renamed = code_digest(code)
    (code / "pipelines" / "new.py").write_text("")
    assert len({before, renamed, code_digest(code)}) == 3


def test_generated_files_are_not_code(code):
    before = code_digest(code)
    for generated in ("pipelines/__pycache__/cli.pyc", "dbt_project/target/manifest.json"):
        (code / generated).parent.mkdir(parents=True, exist_ok=True)
        (code / generated).write_text("changes on every run")
    assert code_digest(code) == before


def build(files: list[tuple[str, str, str]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    ensure_audit_schema(con)
    con.executemany("INSERT INTO audit.loaded_files (source, file, sha256) VALUES (?, ?, ?)", files)
    return con


FILES = [("monitoring", "projects.csv", "aa"), ("keep", "export.xlsx", "bb")]


def test_the_build_fingerprint_follows_the_loaded_files():
    same = build(list(reversed(FILES)))
    other = build([FILES[0], ("keep", "export.xlsx", "cc")])
    assert build_fingerprint(build(FILES)) == build_fingerprint(same)
    assert build_fingerprint(build(FILES)) != build_fingerprint(other)


def test_the_build_fingerprint_follows_the_code(monkeypatch):
    before = build_fingerprint(build(FILES))
    monkeypatch.setattr(fingerprint, "code_digest", lambda: "other code")
    assert build_fingerprint(build(FILES)) != before


def test_the_published_fingerprint_is_that_of_the_last_run_that_published():
    con = build(FILES)
    assert published_fingerprint(con) is None  # a warehouse built before fingerprints
    write_runs(
        con,
        [
            {"run_id": "1", "status": "success", "finished_at": "2026-01-01T00:00:00+00:00",
             "fingerprint": "first"},
            {"run_id": "2", "status": "success", "finished_at": "2026-01-08T00:00:00+00:00",
             "fingerprint": "second"},
            {"run_id": "3", "status": "not_published", "finished_at": "2026-01-09T00:00:00+00:00"},
        ],
    )  # fmt: skip
    assert published_fingerprint(con) == "second"


def test_a_build_is_unchanged_only_when_its_fingerprint_is_the_published_one(tmp_path):
    con = build(FILES)
    for run in ("run", "next-run"):
        (tmp_path / run).mkdir()
    assert not unchanged_since_published(con, tmp_path / "run" / "interreg.duckdb")
    record = {"run_id": "1", "status": "success", "finished_at": "2026-01-01T00:00:00+00:00"}
    write_runs(con, [record | {"fingerprint": build_fingerprint(con)}])
    assert unchanged_since_published(con, tmp_path / "run" / "interreg.duckdb")
    con.execute("UPDATE audit.loaded_files SET sha256 = 'changed' WHERE file = 'projects.csv'")
    assert not unchanged_since_published(con, tmp_path / "next-run" / "interreg.duckdb")


def test_a_run_judges_by_one_fingerprint_even_if_the_code_changes_meanwhile(tmp_path, monkeypatch):
    con, build_file = build(FILES), tmp_path / "interreg.duckdb"
    first = run_fingerprint(con, build_file)
    monkeypatch.setattr(fingerprint, "code_digest", lambda: "replaced during the run")
    assert run_fingerprint(con, build_file) == first
    assert build_fingerprint(con) != first


OUTSIDE = [
    "tools/samples/monitoring.py",  # the sample generator
    "bench/run.py",
    "tests/unit/test_x.py",
    "pipelines/report/templates/index.html.j2",  # the page has its own stamp
    "pipelines/postgres/publish.py",
    "pipelines/ops/automation.py",
    "pipelines/cli.py",
    "README.md",
]
INSIDE = [
    "pipelines/sources/monitoring/validate.py",
    "pipelines/warehouse/load.py",
    "pipelines/transform/assets.py",
    "pipelines/publish/assets.py",
    "pipelines/config.py",
    "schemas/monitoring.py",
    "dbt_project/models/m.sql",
    "dbt_project/macros/x.sql",
]


@pytest.mark.parametrize(
    ("path", "shapes"), [(p, False) for p in OUTSIDE] + [(p, True) for p in INSIDE]
)
def test_only_a_file_that_shapes_the_warehouse_changes_the_digest(code, path, shapes):
    """An edit to dev tooling keeps the "nothing changed, nothing published" skip."""
    (code / path).parent.mkdir(parents=True, exist_ok=True)
    (code / path).write_text("one version\n")
    before = code_digest(code)
    (code / path).write_text("another version\n")
    assert (code_digest(code) != before) is shapes


def test_the_repository_s_own_sample_generator_and_report_are_not_hashed():
    hashed = {path.relative_to(fingerprint.REPO_ROOT).parts[:2] for path in shaping_files()}
    assert {("pipelines", "sources"), ("pipelines", "transform"), ("schemas", "keep.py")} <= hashed
    assert {top for top, *_ in hashed} == {"pipelines", "schemas", "dbt_project"}
    assert ("pipelines", "report") not in hashed
