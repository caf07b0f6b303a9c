"""Keep.eu as Dagster assets: the landed inputs, then validated raw tables in raw_keep."""

import re
import time
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    ConfigurableResource,
    MaterializeResult,
    MetadataValue,
    asset,
)

from pipelines.errors import ConfigurationError
from pipelines.sources.http import HttpClient, redact_url
from pipelines.sources.keep.api import search_url
from pipelines.sources.keep.extract import (
    EXPORT_SHA256_TAG,
    LandedKeep,
    land_api_export,
    land_files,
    landed_api_export,
)
from pipelines.sources.keep.limits import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMBER_BYTES,
    DEFAULT_MAX_UNPACKED_BYTES,
    WorkbookLimits,
)
from pipelines.sources.keep.validate import ValidatedKeep, validate_inputs
from pipelines.sources.landing import landed_files_markdown
from pipelines.sources.raw_step import (
    contract_checks,
    load_and_audit,
    raw_table_specs,
    raw_tables_step,
    table_result,
    unchanged_results,
    validated_or_broken,
)
from pipelines.warehouse.audit import loaded_hashes
from pipelines.warehouse.fingerprint import forced
from pipelines.warehouse.load import LoadedRows, raw_schema
from pipelines.warehouse.resource import WarehouseResource
from schemas.keep_contract import KEEP, SOURCE

EXPORT_KEY = AssetKey([SOURCE, "export"])
TABLE_KEYS = [AssetKey([SOURCE, spec.table]) for spec in KEEP.files]
STEP_TIMINGS_TABLE = "projects"


class KeepSource(ConfigurableResource):
    """Where keep.eu data comes from: archived export files, else the live search export."""

    files: list[str] = []  # export files, in order (the first wins where they overlap)
    url: str | None = None  # the API's base, e.g. https://keep.eu/api
    programmes: list[int] = [58]  # keep.eu programme ids (58: Interreg Europe 2014-2020)
    max_rejected_pct: float = 10.0
    # keep.eu builds the export while the request waits: it can take minutes.
    read_timeout: float = 600.0
    total_budget: float = 1800.0
    # Bounds on an input (limits.py): bytes on disk or over the wire, and what a
    # workbook's zip declares uncompressed in all; a hostile workbook is refused unread.
    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES

    def limits(self) -> WorkbookLimits:
        return WorkbookLimits(
            max_bytes=self.max_bytes,
            max_unpacked_bytes=self.max_unpacked_bytes,
            max_member_bytes=min(DEFAULT_MAX_MEMBER_BYTES, self.max_unpacked_bytes),
        )

    def describe(self) -> str:
        if self.files:
            return f"{len(self.files)} export file(s)"
        return f"POST {redact_url(search_url(self.url or ''))} for programmes {self.programmes}"


@asset(
    key=EXPORT_KEY,
    group_name="extract",
    kinds={"python"},
    description="Keep.eu's projects and partners: the search export of the configured "
    "programmes (POST, XLSX) or archived export files, landed as immutable raw files.",
)
def keep_export(
    context: AssetExecutionContext, keep: KeepSource, warehouse: WarehouseResource
) -> LandedKeep:
    landing_root = warehouse.store.landing_root
    if keep.files:
        if keep.url:
            context.log.warning("INTERREG_KEEP_FILES is set: INTERREG_KEEP_URL is not used")
        landed = land_files([Path(f) for f in keep.files], landing_root, keep.max_bytes)
    elif (
        keep.url
        and (sensed_sha256 := context.run.tags.get(EXPORT_SHA256_TAG))
        and (sensed := landed_api_export(keep.url, keep.programmes, landing_root, sensed_sha256))
    ):
        # The change sensor that started this run landed the export it saw: load that one.
        landed = sensed
    elif keep.url:
        with HttpClient(
            read_timeout=keep.read_timeout,
            total_budget=keep.total_budget,
            max_bytes=keep.max_bytes,
        ) as client:
            landed = land_api_export(keep.url, keep.programmes, landing_root, client)
    else:
        raise ConfigurationError("keep.eu: set INTERREG_KEEP_URL or INTERREG_KEEP_FILES")
    context.add_output_metadata(
        {
            "source": keep.describe(),
            "inputs": MetadataValue.md(
                landed_files_markdown(
                    "bytes", ((i.name, i.sha256, i.size, i.from_cache) for i in landed.inputs)
                )
            ),
        }
    )
    return landed


RAW_SPECS = raw_table_specs(
    KEEP,
    EXPORT_KEY,
    lambda spec: (
        f"keep.eu {spec.table} of every input and layout, typed; the rows that "
        "could not be read or broke a rule are in audit.rejected_rows."
    ),
)


LAYOUT_CHECK = "meets_layout"
LAYOUT_CHECKS = contract_checks(
    KEEP,
    LAYOUT_CHECK,
    lambda spec: (
        "Every keep.eu sheet loading into this table against its layout's Pandera "
        "schema (schemas/keep.py). Fails, and stops the run, when a file is in no known layout "
        "or more than INTERREG_KEEP_MAX_REJECTED_PCT % of a sheet's rows are quarantined; "
        "warns when rows were quarantined."
    ),
)


@raw_tables_step(RAW_SPECS, LAYOUT_CHECKS, EXPORT_KEY)
def keep_raw_tables(
    context: AssetExecutionContext,
    landed: LandedKeep,
    keep: KeepSource,
    warehouse: WarehouseResource,
):
    """Detect each input's layout, validate every sheet, load the accepted rows.

    Inputs whose bytes are all unchanged since the published load are not loaded again.
    """
    con = warehouse.store.connect_build(context.run.run_id)
    try:
        if not forced(context.run.tags) and _unchanged(con, landed):
            context.log.info("keep.eu inputs unchanged since the published load; not reloading")
            yield from unchanged_results(TABLE_KEYS, LAYOUT_CHECK)
            return
        validated = yield from validated_or_broken(
            lambda: validate_inputs(
                landed.inputs, max_rejected_pct=keep.max_rejected_pct, limits=keep.limits()
            ),
            LAYOUT_CHECK,
            lambda error: TABLE_KEYS,  # which sheet broke is in the message
        )
        load_started = time.perf_counter()
        loaded = load_and_audit(
            con,
            KEEP,
            validated.tables,
            run_id=context.run.run_id,
            files=lambda loaded: validated.files,
            rejected=validated.rejected,
            drift=validated.drift,
        )
        seconds = validated.timings | {"load": time.perf_counter() - load_started}
    finally:
        con.close()

    for file, columns in validated.drift.items():
        context.log.warning(f"{file}: columns keep.eu added, not loaded: {columns}")
    if len(validated.rejected):
        context.log.warning(
            f"{validated.rejected['row_number'].count()} keep.eu rule failures quarantined in"
            f" audit.rejected_rows. {validated.summary()}"
        )
    yield from _table_results(landed, validated, loaded, seconds)


def _table_results(
    landed: LandedKeep, validated: ValidatedKeep, loaded: LoadedRows, seconds: dict[str, float]
) -> Iterator[MaterializeResult]:
    """Every raw table with its check; the step's timings once, on STEP_TIMINGS_TABLE."""
    for spec in KEEP.files:
        sheets = [f for f in validated.files if f["table"] == spec.table]
        metadata = {
            "dagster/row_count": loaded[spec.table],
            "rows_rejected": sum(f["rows_rejected"] for f in sheets),
            "inputs": ", ".join(i.name for i in landed.inputs),
        }
        if spec.table == STEP_TIMINGS_TABLE:  # for operators and bench/
            metadata["stage_timings"] = MetadataValue.json(
                {f"{stage}_s": round(s, 3) for stage, s in seconds.items()}
            )
        yield table_result(
            AssetKey([SOURCE, spec.table]),
            LAYOUT_CHECK,
            metadata,
            validated.rejected[validated.rejected["file"].isin([f["file"] for f in sheets])],
        )


def _unchanged(con, landed: LandedKeep) -> bool:
    """The build holds exactly these inputs (same names, same bytes) and their tables."""
    loaded = loaded_hashes(con, SOURCE)
    if not loaded:
        return False
    as_loaded = {(re.sub(r" \[[^\]]*\]$", "", file), sha) for file, sha in loaded.items()}
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [raw_schema(KEEP)]
        ).fetchall()
    }
    return as_loaded == {(i.name, i.sha256) for i in landed.inputs} and tables >= {
        spec.table for spec in KEEP.files
    }
