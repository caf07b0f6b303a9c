"""The marts in PostgreSQL as a Dagster asset, after the DuckDB file is published.

Without INTERREG_POSTGRES_URL it does nothing and says so. It runs after every run, the
unchanged ones included: when PostgreSQL holds an older release than the published file
(its last copy failed, say), it is brought up to date.
"""

from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, ConfigurableResource, MaterializeResult, asset

from pipelines.postgres.connection import redact_url
from pipelines.postgres.marts import mart_docs
from pipelines.postgres.publish import publish_marts
from pipelines.publish.assets import PUBLISHED_KEY
from pipelines.transform.project import dbt_project
from pipelines.warehouse.fingerprint import forced
from pipelines.warehouse.resource import WarehouseResource
from pipelines.warehouse.store import Warehouse

POSTGRES_KEY = AssetKey(["postgres", "marts"])


class PostgresTarget(ConfigurableResource):
    """Where the marts are copied: a libpq URL, or None for nowhere. definitions.py gives
    it as EnvVar("INTERREG_POSTGRES_URL"), so the UI shows the variable, never a password."""

    url: str | None = None


def release_name(store: Warehouse) -> str:
    """What identifies the published file: its release folder (a UTC time and a run id)."""
    release = store.current_release()
    if release is not None:
        return release.name
    stat = store.published_path.stat()  # published by hand, outside releases/
    return f"file-{stat.st_ino}-{stat.st_mtime_ns}"


@asset(
    key=POSTGRES_KEY,
    group_name="publish",
    kinds={"postgres"},
    deps=[PUBLISHED_KEY],
    description="Schema marts of the published file, copied to PostgreSQL "
    "(INTERREG_POSTGRES_URL) and swapped in by one transaction, for BI tools; "
    "does nothing when the variable is unset.",
)
def postgres_marts(
    context: AssetExecutionContext, warehouse: WarehouseResource, postgres: PostgresTarget
):
    if not postgres.url:
        return MaterializeResult(
            metadata={"not configured": "set INTERREG_POSTGRES_URL to copy the marts there"}
        )
    store = warehouse.store
    publication = publish_marts(
        postgres.url,
        store.published_path,
        release_name(store),
        mart_docs(Path(dbt_project.manifest_path)),
        force=forced(context.run.tags),
    )
    metadata = {
        "target": redact_url(postgres.url),
        "release": publication.release,
        "seconds": round(publication.seconds, 3),
    }
    if publication.unchanged:
        context.log.info(f"PostgreSQL already holds release {publication.release}")
        return MaterializeResult(
            metadata=metadata | {"unchanged": "PostgreSQL already holds this release"}
        )
    return MaterializeResult(metadata=metadata | {"mart_rows": publication.rows})
