"""A failing blocking check stops everything downstream of it, the publish step included."""

from __future__ import annotations

from dagster import AssetCheckResult, AssetKey, DagsterInstance, asset_check, materialize
from support.cli import copy_warehouse, file_hash

from pipelines.config import SAMPLE_MONITORING_DIR
from pipelines.publish.assets import published_warehouse
from pipelines.sources.monitoring.assets import (
    MonitoringSource,
    monitoring_export,
    monitoring_raw_tables,
)
from pipelines.transform.assets import dbt_models
from pipelines.transform.project import dbt_resource
from pipelines.warehouse.resource import WarehouseResource
from pipelines.warehouse.store import Warehouse

PIPELINE = [monitoring_export, monitoring_raw_tables, dbt_models, published_warehouse]


@asset_check(asset=AssetKey(["marts", "headline_results"]), blocking=True)
def headline_is_distrusted():
    return AssetCheckResult(passed=False, metadata={"why": "a test says so"})


def run(directory, *extra):
    resources = {
        "warehouse": WarehouseResource(directory=str(directory)),
        "monitoring": MonitoringSource(url=str(SAMPLE_MONITORING_DIR)),
        "dbt": dbt_resource(),
    }
    with DagsterInstance.ephemeral() as instance:
        return materialize(
            [*PIPELINE, *extra], resources=resources, instance=instance, raise_on_error=False
        )


def test_a_failing_blocking_check_keeps_the_published_file_unchanged(published_sample, tmp_path):
    warehouse = copy_warehouse(published_sample, tmp_path / "warehouse")
    published = Warehouse(warehouse).published_path
    before = file_hash(published)

    result = run(warehouse, headline_is_distrusted)

    assert not result.success
    skipped = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"}
    failed_checks = [
        e for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]  # fmt: skip
    assert [e.event_specific_data.check_name for e in failed_checks] == ["headline_is_distrusted"]
    assert "warehouse__published" in skipped or not any(
        e.event_type_value == "STEP_SUCCESS" and e.step_key == "warehouse__published"
        for e in result.all_events
    )
    assert file_hash(published) == before
