"""When runs happen: every week, whenever a source changes, and how stale is too stale."""

from __future__ import annotations

import json
import os

import duckdb
from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorDefinition,
    SensorEvaluationContext,
    SkipReason,
    define_asset_job,
    sensor,
)

from pipelines.config import Settings
from pipelines.constants import WEEKLY_REFRESH_CRON
from pipelines.errors import PipelineError, SourceError
from pipelines.sources.http import HttpClient
from pipelines.sources.keep.assets import KeepSource
from pipelines.sources.keep.extract import (
    API_EXPORT_NAME,
    EXPORT_SHA256_TAG,
    ExportProbe,
    landed_export_path,
    probe_api_export,
    workbook_fingerprint,
)
from pipelines.sources.monitoring.assets import MonitoringSource
from pipelines.sources.monitoring.extract import fetch_manifest
from pipelines.warehouse.resource import WarehouseResource
from pipelines.warehouse.store import Warehouse
from schemas.keep_contract import SOURCE as KEEP_SOURCE

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
    cron_schedule=WEEKLY_REFRESH_CRON,  # before the working week reads the results
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
    try:
        manifest = fetch_manifest(monitoring.url, warehouse.store.landing_root, monitoring.token)
    except PipelineError as error:  # the export is unreachable or refused: look again later
        context.log.warning(f"monitoring manifest not checked: {error}")
        return SkipReason(f"monitoring manifest not checked: {error}. No run was started.")
    if manifest.sha256 == context.cursor:
        return SkipReason("the monitoring export is unchanged")
    context.update_cursor(manifest.sha256)
    return RunRequest(run_key=f"monitoring-{manifest.sha256}")


# keep.eu has no cheap change signal: the sensor POSTs the whole export (one request a
# day by default; keep.eu refreshes about every four months) and compares what it got with
# what the published warehouse loaded.
KEEP_SHA256_TAG = EXPORT_SHA256_TAG  # on the runs the sensor starts
KEEP_CONTENT_TAG = "interreg/keep_export_content"
KEEP_SENSOR_ATTEMPTS = 4
KEEP_SENSOR_BACKOFF_S = 2.0  # 2, 4, 8 s between attempts, within the fetch budget


def sensor_fetch_budget() -> float:
    """Seconds the keep.eu fetch may take: Dagster abandons a sensor tick after its gRPC
    timeout (DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS, else DAGSTER_GRPC_TIMEOUT_SECONDS, else
    60 s); the fetch stops 10 s before that, so the tick ends with a reason, not a timeout."""
    raw = os.environ.get("DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS") or os.environ.get(
        "DAGSTER_GRPC_TIMEOUT_SECONDS"
    )
    try:
        timeout = float(raw) if raw else 60.0
    except ValueError:
        timeout = 60.0
    return max(5.0, timeout - 10.0)


def published_keep_sha256(store: Warehouse) -> str | None:
    """The sha256 of the keep.eu API export the published warehouse loaded, if it did.

    Read from `audit.loaded_files` over a read-only connection, as a BI tool reads it;
    None when nothing is published yet or the published data came from export files.
    """
    if not store.published_path.exists():
        return None
    with store.connect_published() as con:
        try:
            rows = con.execute(
                "SELECT DISTINCT sha256 FROM audit.loaded_files"
                " WHERE source = ? AND (file = ? OR starts_with(file, ?))",
                [KEEP_SOURCE, API_EXPORT_NAME, API_EXPORT_NAME + " ["],
            ).fetchall()
        except duckdb.CatalogException:  # no audit schema: nothing of keep.eu loaded
            return None
    return rows[0][0] if len(rows) == 1 else None


def _keep_cursor(cursor: str | None) -> dict:
    try:
        state = json.loads(cursor or "{}")
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def keep_export_sensor(interval_s: int = Settings.keep_sensor_interval_s) -> SensorDefinition:
    """The sensor keep_export_changed, looking every `interval_s` seconds
    (INTERREG_KEEP_SENSOR_INTERVAL, read when the code location is built)."""

    @sensor(
        name="keep_export_changed",
        job=refresh_warehouse,
        minimum_interval_seconds=interval_s,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts a refresh when keep.eu's search export changes: POSTs the export "
        "(conditional when keep.eu sent an ETag or Last-Modified), lands it, and compares its "
        "sha256, then the workbook's data parts, with the export the published warehouse "
        "loaded. Only when keep.eu is read by URL (INTERREG_KEEP_URL); with "
        "INTERREG_KEEP_FILES it skips.",
    )
    def keep_export_changed(
        context: SensorEvaluationContext, keep: KeepSource, warehouse: WarehouseResource
    ):
        return look_at_keep_export(context, keep, warehouse, interval_s)

    return keep_export_changed


keep_export_changed = keep_export_sensor()  # with the default interval, for tests and tools


def look_at_keep_export(
    context: SensorEvaluationContext,
    keep: KeepSource,
    warehouse: WarehouseResource,
    interval_s: int,
) -> RunRequest | SkipReason:
    """One look of keep_export_changed: a run request when the export changed."""
    if keep.files:
        return SkipReason(
            "keep.eu is read from export files (INTERREG_KEEP_FILES), not from keep.eu:"
            " nothing to watch"
        )
    if not keep.url:
        return SkipReason("keep.eu is not configured: set INTERREG_KEEP_URL")
    previous = _keep_cursor(context.cursor)
    store = warehouse.store
    budget = min(sensor_fetch_budget(), keep.total_budget)
    try:
        with (
            HttpClient(
                read_timeout=min(budget, keep.read_timeout),
                total_budget=budget,
                max_attempts=KEEP_SENSOR_ATTEMPTS,
                backoff_base=KEEP_SENSOR_BACKOFF_S,
            ) as client,
            probe_api_export(
                keep.url,
                keep.programmes,
                store.landing_root,
                client,
                etag=previous.get("etag"),
                last_modified=previous.get("last_modified"),
                max_bytes=keep.max_bytes,
            ) as probe,
        ):
            if probe.not_modified:
                return SkipReason("keep.eu answered 304 Not Modified: the export is unchanged")
            result = _judge_keep_export(probe, store)
    except (SourceError, OSError, duckdb.Error) as error:  # keep.eu down, refused, ...
        context.log.warning(f"keep.eu export not checked: {error}")
        return SkipReason(
            f"keep.eu export not checked: {error}. The next look is in"
            f" {interval_s} s; no run was started."
        )
    # Last, once all went well: the validators make the next request conditional.
    context.update_cursor(
        json.dumps(
            {"sha256": probe.sha256, "etag": probe.etag, "last_modified": probe.last_modified},
            sort_keys=True,
        )
    )
    return result


def _judge_keep_export(probe: ExportProbe, store: Warehouse) -> RunRequest | SkipReason:
    """Skip when the export is what the published warehouse loaded, else land it and ask
    for a run keyed by its data."""
    assert probe.path is not None and probe.sha256 is not None
    sha256, published = probe.sha256, published_keep_sha256(store)
    if sha256 == published:
        return SkipReason(
            f"the keep.eu export ({sha256[:12]}) is the one the published warehouse loaded"
        )
    # keep.eu writes the workbook anew for each request: its creation time may differ
    # while the data is the same. The run key is the data's fingerprint, so that one
    # change of the data starts one run, however often its bytes differ.
    content = workbook_fingerprint(probe.path) or sha256
    if published and content == workbook_fingerprint(
        landed_export_path(store.landing_root, published)
    ):
        return SkipReason(
            f"the keep.eu export ({sha256[:12]}) holds the data the published warehouse loaded"
            f" ({published[:12]}); only the workbook's properties (its creation time) differ"
        )
    probe.land()  # what started the run stays on record, as keep_export would land it
    return RunRequest(
        run_key=f"keep-{content}", tags={KEEP_SHA256_TAG: sha256, KEEP_CONTENT_TAG: content}
    )
