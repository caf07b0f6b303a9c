"""The code location as Dagster loads it: the graph, its checks, its automation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance, SkipReason, build_sensor_context

from pipelines.definitions import defs
from pipelines.ops.automation import monitoring_export_changed
from pipelines.sources.monitoring.assets import MonitoringSource
from pipelines.warehouse.resource import WarehouseResource

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


@pytest.fixture
def export(tmp_path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "manifest.json").write_text('{"schema_version": "1"}')
    return folder


def evaluate_sensor(export: Path, warehouse: Path, cursor: str | None):
    resources = {
        "monitoring": MonitoringSource(url=str(export)),
        "warehouse": WarehouseResource(directory=str(warehouse)),
    }
    with (
        DagsterInstance.ephemeral() as instance,
        build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context,
    ):
        result = monitoring_export_changed(context)
        return result, context.cursor


def test_the_sensor_starts_a_run_when_the_manifest_changes_and_only_then(export, tmp_path):
    first, cursor = evaluate_sensor(export, tmp_path / "w", None)
    assert first.run_key.startswith("monitoring-")
    again, same_cursor = evaluate_sensor(export, tmp_path / "w", cursor)
    assert isinstance(again, SkipReason) and same_cursor == cursor
    (export / "manifest.json").write_text('{"schema_version": "1", "exported_at": "later"}')
    changed, _ = evaluate_sensor(export, tmp_path / "w", cursor)
    assert changed.run_key != first.run_key


def test_the_sensor_asks_over_http_with_the_etag(httpserver, tmp_path):
    httpserver.expect_ordered_request("/export/manifest.json").respond_with_data(
        "{}", headers={"ETag": '"v1"'}
    )
    httpserver.expect_ordered_request(
        "/export/manifest.json", headers={"If-None-Match": '"v1"'}
    ).respond_with_data("", status=304)
    url = httpserver.url_for("/export")
    first, cursor = evaluate_sensor(url, tmp_path / "w", None)
    assert first.run_key
    second, _ = evaluate_sensor(url, tmp_path / "w", cursor)
    assert isinstance(second, SkipReason)
    httpserver.check_assertions()
