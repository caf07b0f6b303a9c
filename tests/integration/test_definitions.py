"""The code location as Dagster loads it: the graph, its checks, its automation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, EnvVar

from pipelines.config import Settings
from pipelines.definitions import build_definitions
from pipelines.definitions import defs as load_definitions

defs = load_definitions()  # as Dagster loads the code location

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.txt"


def asset_graph_text() -> str:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        parents = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(f"{key.to_user_string()} [{node.group_name}] <- {parents}")
    return "\n".join(lines) + "\n"


def test_the_asset_graph_is_the_reviewed_one():
    """Every change to the graph shows in review. Update: UPDATE_SNAPSHOTS=1 pytest this."""
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(asset_graph_text(), encoding="utf-8")
    assert asset_graph_text() == SNAPSHOT.read_text(encoding="utf-8")


def test_assets_are_grouped_by_layer_from_sources_to_the_published_file():
    graph = defs.resolve_asset_graph()
    groups = {graph.get(k).group_name for k in graph.get_all_asset_keys()}
    assert {"extract", "raw", "staging", "intermediate", "marts", "publish"} <= groups
    published = AssetKey(["warehouse", "published"])
    upstream = graph.upstream_key_iterator(published)
    assert AssetKey(["monitoring", "export"]) in set(upstream)


def test_every_contract_file_has_a_blocking_pandera_check():
    graph = defs.resolve_asset_graph()
    checks = {
        key.asset_key.path[-1]: graph.get_check_spec(key)
        for key in graph.asset_check_keys
        if key.name == "meets_contract"
    }
    assert set(checks) == {
        "programme", "eligible_regions", "projects", "partners", "progress_reports",
        "indicators", "indicator_values", "policy_instruments", "policy_changes",
        "good_practices",
    }  # fmt: skip
    assert all(spec.blocking for spec in checks.values())


def test_dbt_tests_are_asset_checks_on_the_marts():
    graph = defs.resolve_asset_graph()
    on_headline = [
        k.name
        for k in graph.asset_check_keys
        if k.asset_key == AssetKey(["marts", "headline_results"])
    ]
    assert "unique_headline_results_as_of_date" in on_headline


def test_the_refresh_runs_weekly_and_a_lost_run_is_retried():
    job = defs.resolve_job_def("refresh_warehouse")
    assert job.tags["dagster/max_retries"] == "2"
    assert job.tags["dagster/retry_on_asset_or_op_failure"] == "false"
    schedule = defs.resolve_schedule_def("weekly_refresh")
    assert schedule.cron_schedule == "0 5 * * 1"


def test_the_marts_say_when_they_are_stale():
    graph = defs.resolve_asset_graph()
    for name in ("headline_results", "policy_changes", "regional_coverage", "projects"):
        assert graph.get(AssetKey(["marts", name])).freshness_policy is not None


def test_the_dagster_ui_loads_the_workspace_with_its_assets_sensors_and_schedule(tmp_path):
    """`dagster dev -w workspace.yaml` without the server: dagster-graphql loads workspace.yaml
    in a code server as the UI does and answers the UI's GraphQL. No daemon: nothing runs."""
    query = """{
      workspaceOrError { ... on Workspace { locationEntries { name loadStatus
        locationOrLoadError { __typename ... on PythonError { message } } } } }
      assetNodes { assetKey { path } groupName }
      repositoriesOrError { ... on RepositoryConnection { nodes { location { name }
        sensors { name } schedules { name } } } }
    }"""
    out = tmp_path / "answer.json"
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    bin_dir = Path(sys.executable).parent
    with subprocess.Popen(
        [bin_dir / "dagster-graphql", "-w", "workspace.yaml", "--ephemeral-instance"]
        + ["-t", query, "-o", str(out)],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the code server it starts goes with it
    ) as process:
        try:
            log, _ = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, log[-3000:]
    answer = json.loads(out.read_text())
    assert "errors" not in answer, answer["errors"]
    data = answer["data"]
    (location,) = data["workspaceOrError"]["locationEntries"]
    assert location["name"] == "interreg" and location["loadStatus"] == "LOADED", location
    assert location["locationOrLoadError"]["__typename"] == "RepositoryLocation", location

    graph = defs.resolve_asset_graph()
    in_ui = {tuple(n["assetKey"]["path"]): n["groupName"] for n in data["assetNodes"]}
    assert in_ui == {
        tuple(key.path): graph.get(key).group_name for key in graph.get_all_asset_keys()
    }
    assert {"extract", "raw", "staging", "intermediate", "marts", "publish"} <= set(in_ui.values())
    (repository,) = data["repositoriesOrError"]["nodes"]
    assert {s["name"] for s in repository["sensors"]} == {
        "monitoring_export_changed",
        "keep_export_changed",
    }
    assert [s["name"] for s in repository["schedules"]] == ["weekly_refresh"]


def test_the_settings_reach_the_sensors_and_the_resources():
    settings = Settings.from_env(
        {"INTERREG_KEEP_SENSOR_INTERVAL": "3600", "INTERREG_MAX_REJECTED_PCT": "2.5"}
    )
    built = build_definitions(settings)
    assert built.resolve_sensor_def("keep_export_changed").minimum_interval_seconds == 3600
    assert built.resources["monitoring"].max_rejected_pct == 2.5
    assert built.resources["monitoring"].token is None


def test_a_secret_reaches_its_resource_as_the_name_of_its_variable_never_its_value():
    settings = Settings.from_env(
        {"INTERREG_MONITORING_TOKEN": "s3cret", "INTERREG_POSTGRES_URL": "postgresql://u:pw@h/db"}
    )
    resources = build_definitions(settings).resources
    assert isinstance(resources["monitoring"].token, EnvVar)
    assert isinstance(resources["postgres"].url, EnvVar)
    assert (resources["monitoring"].token, resources["postgres"].url) == (
        "INTERREG_MONITORING_TOKEN",
        "INTERREG_POSTGRES_URL",
    )


def test_loading_the_module_reads_no_setting():
    """A wrong value fails when the code location is built, naming the variable; importing
    the module (as a test or a tool does) reads nothing."""
    env = {**os.environ, "INTERREG_MAX_REJECTED_PCT": "abc"}
    script = (
        "import pipelines.definitions as d\n"
        "try:\n    d.defs()\nexcept Exception as e:\n    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "INTERREG_MAX_REJECTED_PCT='abc'" in done.stdout


@pytest.mark.slow
def test_dg_check_defs_finds_nothing_wrong_with_the_code_location():
    """`dg check defs`, as a developer runs it before a commit (here, beside the other
    tests rather than before them all)."""
    checked = subprocess.run(
        [Path(sys.executable).with_name("dg"), "check", "defs"],
        cwd=Path(__file__).resolve().parents[2],
        env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, (checked.stdout + checked.stderr)[-3000:]
