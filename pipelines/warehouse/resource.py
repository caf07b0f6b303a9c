"""The warehouse as a Dagster resource: one writer per run, a private build, a run log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import PrivateAttr

from pipelines.warehouse.store import Warehouse, utc_now

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
        with store.write_lock():
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
