"""When runs happen: every week, whenever a source changes, and how stale is too stale."""

from __future__ import annotations

from datetime import timedelta

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    FreshnessPolicy,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from pipelines.sources.monitoring.assets import MonitoringSource
from pipelines.sources.monitoring.extract import fetch_manifest
from pipelines.warehouse.resource import WarehouseResource

# Run retries: a run that dies (a lost process, a killed machine) is started again, but
# never one whose step failed, because a bad export or a refused token fails the same way
# twice. Needs run_retries enabled in dagster.yaml (make sets DAGSTER_HOME to dagster_home/).
RETRY_TAGS = {"dagster/max_retries": "2", "dagster/retry_on_asset_or_op_failure": "false"}

refresh_warehouse = define_asset_job(
    "refresh_warehouse",
    selection=AssetSelection.all(),
    description="Fetch every source, validate, load, build the models and publish.",
    # Loggers run only when the run config names them.
    config={"loggers": {"console": {}}},
    tags=RETRY_TAGS,
)

weekly_refresh = ScheduleDefinition(
    name="weekly_refresh",
    job=refresh_warehouse,
    cron_schedule="0 5 * * 1",  # Mondays 05:00, before the working week reads the results
    execution_timezone="Europe/Brussels",
    default_status=DefaultScheduleStatus.RUNNING,
    description="The full refresh, weekly, whatever the sensors saw.",
)


@sensor(
    job=refresh_warehouse,
    minimum_interval_seconds=15 * 60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts a refresh when the monitoring export's manifest changes: a conditional "
    "GET (ETag), then the sha256 of its bytes, which list every file's hash.",
)
def monitoring_export_changed(
    context: SensorEvaluationContext, monitoring: MonitoringSource, warehouse: WarehouseResource
):
    manifest = fetch_manifest(monitoring.url, warehouse.store.landing_root, monitoring.token)
    if manifest.sha256 == context.cursor:
        return SkipReason("the monitoring export is unchanged")
    context.update_cursor(manifest.sha256)
    return RunRequest(run_key=f"monitoring-{manifest.sha256}")


# Weekly schedule plus a day's grace: a mart older than that means runs are failing.
PUBLISHED_FRESHNESS = FreshnessPolicy.time_window(
    fail_window=timedelta(days=8), warn_window=timedelta(days=7, hours=6)
)
