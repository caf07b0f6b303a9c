"""The monitoring export as Dagster assets: landed files, then validated raw tables."""

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import duckdb
from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    ConfigurableResource,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.crash_points import pause_point
from pipelines.errors import ContractError
from pipelines.sources.http import HttpClient
from pipelines.sources.landing import landed_files_markdown
from pipelines.sources.monitoring.extract import LandedExport, fetch_export
from pipelines.sources.monitoring.validate import ValidatedExport, stage_timings, validate_export
from pipelines.sources.raw_step import (
    contract_checks,
    load_and_audit,
    raw_table_specs,
    raw_tables_step,
    table_result,
    unchanged_results,
    validated_or_broken,
)
from pipelines.step_logs import python_logs_to_step
from pipelines.warehouse.audit import loaded_hashes
from pipelines.warehouse.fingerprint import forced
from pipelines.warehouse.load import LoadedRows, quote, raw_schema
from pipelines.warehouse.resource import WarehouseResource
from schemas.monitoring_contract import MONITORING

SOURCE = MONITORING.source
EXPORT_KEY = AssetKey([SOURCE, "export"])
MANIFEST_TABLE = "export_manifest"
MANIFEST_FILE = "manifest.json"
TABLE_KEYS = [AssetKey([SOURCE, spec.table]) for spec in MONITORING.files]
MANIFEST_KEY = AssetKey([SOURCE, MANIFEST_TABLE])


class MonitoringSource(ConfigurableResource):
    """Where the monitoring export is: an http(s):// base URL, a file:// URL or a folder."""

    url: str
    token: str | None = None  # sent as a bearer token; an EnvVar, so the UI shows only its name
    max_rejected_pct: float = 1.0
    # The HTTP client's limits, in seconds: a wait for the next bytes, and one file's
    # download with its retries.
    read_timeout: float = 60.0
    total_budget: float = 900.0

    def client(self) -> HttpClient:
        return HttpClient(
            token=self.token, read_timeout=self.read_timeout, total_budget=self.total_budget
        )


@asset(
    key=EXPORT_KEY,
    group_name="extract",
    kinds={"python"},
    description="The monitoring export (manifest, then every file), landed as immutable raw "
    "files and checked against the manifest's hashes.",
)
def monitoring_export(
    context: AssetExecutionContext, monitoring: MonitoringSource, warehouse: WarehouseResource
) -> LandedExport:
    # Retries, refetches after a hash mismatch and ignored manifest entries are logged by
    # the HTTP client and the extractor: show them in this step's log.
    with python_logs_to_step(context), monitoring.client() as client:
        landed = fetch_export(monitoring.url, warehouse.store.landing_root, client=client)
    pause_point("download")
    context.add_output_metadata(
        {
            "exported_at": landed.manifest["exported_at"],
            "files": MetadataValue.md(
                landed_files_markdown(
                    "rows",
                    (
                        (f.name, f.sha256, f.expected_rows, f.from_cache)
                        for f in landed.files.values()
                    ),
                )
            ),
        }
    )
    return landed


RAW_SPECS = raw_table_specs(
    MONITORING, EXPORT_KEY, lambda spec: f"{spec.name}: the rows that passed the contract, typed."
) + [
    AssetSpec(
        MANIFEST_KEY,
        deps=[EXPORT_KEY],
        group_name="raw",
        kinds={"duckdb"},
        description="The export's manifest: schema version, programme, exported_at.",
    )
]


CONTRACT_CHECK = "meets_contract"
CONTRACT_CHECKS = contract_checks(
    MONITORING,
    CONTRACT_CHECK,
    lambda spec: (
        f"{spec.name} against its Pandera schema (schemas/monitoring.py). Fails, "
        "and stops the run, when the file breaks the contract as a whole or more than "
        "INTERREG_MAX_REJECTED_PCT % of its rows are rejected; warns when rows were quarantined."
    ),
)


@raw_tables_step(RAW_SPECS, CONTRACT_CHECKS, EXPORT_KEY)
def monitoring_raw_tables(
    context: AssetExecutionContext,
    landed: LandedExport,
    monitoring: MonitoringSource,
    warehouse: WarehouseResource,
):
    """Validate every file against its Pandera schema and load the rows that pass.

    Rows that break a rule go to audit.rejected_rows with the rows that depend on them.
    An export whose files and manifest are unchanged since the published load is not
    loaded again.
    """
    con = warehouse.store.connect_build(context.run.run_id)
    try:
        # The manifest counts: a new export of the same files is a new export date, and
        # the headline's dates run to it.
        manifest_sha256 = hashlib.sha256(landed.manifest_path.read_bytes()).hexdigest()
        hashes = {name: f.sha256 for name, f in landed.files.items()}
        hashes[MANIFEST_FILE] = manifest_sha256
        if not forced(context.run.tags) and loaded_hashes(con, SOURCE) == hashes:
            context.log.info(
                "every file is unchanged since the published load, the manifest too; not reloading"
            )
            yield from unchanged_results(TABLE_KEYS, CONTRACT_CHECK)
            yield MaterializeResult(asset_key=MANIFEST_KEY, metadata={"unchanged": True})
            return
        validated = yield from validated_or_broken(
            lambda: validate_export(
                {name: f.path for name, f in landed.files.items()},
                {name: f.expected_rows for name, f in landed.files.items()},
                max_rejected_pct=monitoring.max_rejected_pct,
                source=SOURCE,
            ),
            CONTRACT_CHECK,
            _broken_table,
        )

        def manifest() -> None:
            pause_point("load")
            _load_manifest(con, landed.manifest)

        loaded = load_and_audit(
            con,
            MONITORING,
            validated.tables,
            run_id=context.run.run_id,
            files=lambda loaded: _audit_files(landed, validated, loaded, manifest_sha256),
            rejected=validated.rejected,
            drift=validated.drift,
            also=manifest,
        )
    finally:
        con.close()

    for name, columns in validated.drift.items():
        context.log.warning(f"schema drift: {name} has columns beyond the contract: {columns}")
    if len(validated.rejected):
        context.log.warning(
            f"{validated.rejected['row_number'].count()} rule failures quarantined in"
            " audit.rejected_rows"
        )
    yield from _table_results(landed, validated, loaded)


def _broken_table(error: ContractError) -> list[AssetKey]:
    """The table of the file that broke the contract (none for the export as a whole)."""
    if error.file in MONITORING.file_names:
        return [AssetKey([SOURCE, MONITORING.file(error.file).table])]
    return []


def _rejected_by_file(validated: ValidatedExport) -> dict[str, int]:
    """file -> rows quarantined (a row that broke several rules counts once)."""
    return validated.rejected.groupby("file")["row_number"].nunique().to_dict()


def _audit_files(
    landed: LandedExport, validated: ValidatedExport, loaded: LoadedRows, manifest_sha256: str
) -> list[dict]:
    """audit.loaded_files: every contract file, then the manifest."""
    rejected_by_file = _rejected_by_file(validated)
    return [
        {
            "file": spec.name,
            "sha256": landed.files[spec.name].sha256,
            "url": landed.files[spec.name].url,
            "rows_read": validated.row_counts[spec.name],
            "rows_loaded": loaded[spec.table],
            "rows_rejected": int(rejected_by_file.get(spec.name, 0)),
        }
        for spec in MONITORING.files
    ] + [
        {
            "file": MANIFEST_FILE,
            "sha256": manifest_sha256,
            "url": f"{landed.location.rstrip('/')}/{MANIFEST_FILE}",
            "rows_read": 1,
            "rows_loaded": 1,
            "rows_rejected": 0,
        }
    ]


def _table_results(
    landed: LandedExport, validated: ValidatedExport, loaded: LoadedRows
) -> Iterator[MaterializeResult]:
    """Every raw table with its check, then the manifest with the step's timings."""
    rejected_by_file = _rejected_by_file(validated)
    for spec in MONITORING.files:
        yield table_result(
            AssetKey([SOURCE, spec.table]),
            CONTRACT_CHECK,
            {
                "dagster/row_count": loaded[spec.table],
                "rows_rejected": int(rejected_by_file.get(spec.name, 0)),
                "sha256": landed.files[spec.name].sha256,
                "schema_drift": ", ".join(validated.drift.get(spec.name, [])) or "none",
            },
            validated.rejected[validated.rejected["file"] == spec.name],
        )
    yield MaterializeResult(
        asset_key=MANIFEST_KEY,
        metadata={
            "dagster/row_count": 1,
            # Seconds of parse, validate and load, for operators and bench/.
            "stage_timings": MetadataValue.json(stage_timings(validated, loaded)),
        },
    )


def _load_manifest(con: duckdb.DuckDBPyConnection, manifest: dict) -> None:
    schema = quote(raw_schema(MONITORING))
    con.execute(
        f"CREATE OR REPLACE TABLE {schema}.{MANIFEST_TABLE} (schema_version VARCHAR,"
        " programme_id VARCHAR, exported_at TIMESTAMP, files JSON)"
    )
    con.execute(
        f"INSERT INTO {schema}.{MANIFEST_TABLE} VALUES (?, ?, ?, ?)",
        [
            manifest["schema_version"],
            manifest["programme_id"],
            utc_naive(manifest["exported_at"]),
            json.dumps(manifest.get("files", [])),
        ],
    )


def utc_naive(timestamp: str) -> datetime:
    """An ISO timestamp as naive UTC, the way the contract's dates are compared."""
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment
