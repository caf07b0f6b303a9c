"""The warehouse as a Dagster resource: one writer per run, a private build, a run log."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from pipelines.warehouse.store import Warehouse, utc_now

# dbt's profile (dbt_project/profiles.yml) names the DuckDB file through this variable.
DBT_PATH_VARIABLE = "INTERREG_DUCKDB_PATH"
# Run statuses of runs.jsonl for a run that did its job: published, or nothing to publish.
ENDED_WELL = {"success", "unchanged"}


class WarehouseResource(ConfigurableResource):
    """Where the warehouse lives. A run holds its write lock from start to end."""

    directory: str
    _started_at: str = PrivateAttr(default="")

    @property
    def store(self) -> Warehouse:
        return Warehouse(Path(self.directory).resolve())

    @property
    def started_at(self) -> str:
        return self._started_at

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator[WarehouseResource]:
        if context.run is None:  # a sensor or a schedule: it reads, it never writes
            yield self
            return
        store = self.store
        run_id = context.run.run_id
        self._started_at = utc_now().isoformat()
        with store.write_lock(), dbt_profile_names(store.dbt_build_link):
            try:
                yield self
            finally:
                # A published build was moved into releases/; any other is removed.
                store.discard_build(run_id)
                if not any(
                    r["run_id"] == run_id and r["status"] in ENDED_WELL for r in store.run_records()
                ):
                    store.record_run(
                        {
                            "run_id": run_id,
                            "started_at": self._started_at,
                            "finished_at": utc_now().isoformat(),
                            "status": "not_published",
                            "error": "the run ended without publishing; see its Dagster log",
                        }
                    )


@contextmanager
def dbt_profile_names(path: Path) -> Iterator[None]:
    """For the run, dbt's profile names `path`: dagster-dbt starts dbt with this process's
    environment, and its public API takes no other. Set here, where the run's build is
    owned, not in an asset; the previous value comes back when the run ends."""
    previous = os.environ.get(DBT_PATH_VARIABLE)
    os.environ[DBT_PATH_VARIABLE] = str(path)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(DBT_PATH_VARIABLE, None)
        else:
            os.environ[DBT_PATH_VARIABLE] = previous
