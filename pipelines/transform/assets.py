"""dbt models as Dagster assets, grouped by layer, run against the run's private build."""

import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetSpec
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    dbt_assets,
)

from pipelines.errors import PipelineError
from pipelines.ops.automation import PUBLISHED_FRESHNESS
from pipelines.transform.project import dbt_project
from pipelines.warehouse.resource import WarehouseResource


class LayeredTranslator(DagsterDbtTranslator):
    """Group every model by its folder under models/: staging, intermediate, marts."""

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: Any
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] in {"model", "seed", "snapshot"}:
            spec = spec.replace_attributes(group_name=props["fqn"][1])
        if spec.group_name == "marts":
            spec = spec.replace_attributes(freshness_policy=PUBLISHED_FRESHNESS)
        return spec


def dbt_build_args() -> list[str]:
    """The dbt command of a run. Unit tests test the SQL, not the data: `make test` runs them."""
    return ["build", "--exclude-resource-type", "unit_test"]


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=LayeredTranslator(
        settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
    ),
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # The profile reads the file's path from the environment of the dbt process we start.
    os.environ["INTERREG_DUCKDB_PATH"] = str(warehouse.store.start_build(context.run.run_id))
    invocation = dbt.cli(dbt_build_args(), context=context, raise_on_error=False)
    yield from invocation.stream()
    if not invocation.is_successful():
        raise PipelineError(f"dbt build failed: {failed_nodes(invocation)}")


def failed_nodes(invocation: DbtCliInvocation) -> str:
    """The models and tests that failed, by name, for the run's last error line."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except Exception:  # no artifact: dbt failed before running anything
        return "see the dbt log"
    failed = [
        r["unique_id"].split(".")[-1] if r["unique_id"].startswith("model.") else r["unique_id"]
        for r in results
        if r["status"] in {"error", "fail", "runtime error"}
    ]
    shown = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
    return shown or "see the dbt log"
