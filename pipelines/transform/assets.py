"""dbt models as Dagster assets, grouped by layer, run against the run's private build."""

import os
from collections.abc import Iterator, Mapping
from graphlib import TopologicalSorter
from typing import Any

import duckdb
from dagster import (
    AssetCheckResult,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    Output,
)
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    dbt_assets,
)

from pipelines.constants import STALE_AFTER, STALE_WARNING_AFTER
from pipelines.errors import PipelineError
from pipelines.transform.failures import (
    failed_nodes,
    failures_line,
    is_failed_check,
    with_build_metadata,
)
from pipelines.transform.project import dbt_project, dbt_workdir
from pipelines.warehouse.fingerprint import forced, unchanged_since_published
from pipelines.warehouse.resource import WarehouseResource
from pipelines.warehouse.summary import headline_markdown

HEADLINE_KEY = AssetKey(["marts", "headline_results"])
# The marts and the published file say when they are stale (the UI shows it).
PUBLISHED_FRESHNESS = FreshnessPolicy.time_window(
    fail_window=STALE_AFTER, warn_window=STALE_WARNING_AFTER
)


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
    # No `project=`: dagster-dbt would start dbt in the project's folder, not the run's
    # working folder (dbt_workdir).
    dagster_dbt_translator=LayeredTranslator(
        settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True)
    ),
)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    store = warehouse.store
    build = store.start_build(context.run.run_id)
    with duckdb.connect(str(build)) as con:
        unchanged = not forced(context.run.tags) and unchanged_since_published(con, build)
    if unchanged:
        context.log.info(
            "no source file and no code changed since the published build: dbt is not run"
            " and nothing is published again"
        )
        yield from unchanged_results(context, build)
        return
    # dbt works in the warehouse's .dbt/ folder, where build/ links to the run's build.
    store.dbt_build_path(context.run.run_id)
    (store.dbt_target_dir / "run_results.json").unlink(missing_ok=True)  # not a past run's
    run_dbt = dbt_workdir(store.dbt_dir, store.dbt_target_dir, dbt)
    invocation = run_dbt.cli(
        dbt_build_args(), context=context, raise_on_error=False, target_path=store.dbt_target_dir
    )
    # The headline's events and the failed data tests' wait for dbt to finish: only then can
    # we read the build for the table the asset shows in the UI and the failing rows a check
    # shows (dbt holds the file while it runs).
    held = []
    for event in invocation.stream():
        if event_asset_key(context, event) == HEADLINE_KEY or is_failed_check(event):
            held.append(event)
        else:
            yield event
    succeeded = invocation.is_successful()
    markdown = headline_of(build) if succeeded else None
    failures = [] if succeeded else failed_nodes(invocation, build)
    yield from with_build_metadata(held, markdown, failures)
    if not succeeded:
        raise PipelineError(f"dbt build failed: {failures_line(failures)}")


def event_asset_key(context: AssetExecutionContext, event: Any) -> AssetKey | None:
    if isinstance(event, Output):
        return context.asset_key_for_output(event.output_name)
    return getattr(event, "asset_key", None)


def headline_of(build: os.PathLike) -> str:
    with duckdb.connect(str(build), read_only=True) as con:
        return headline_markdown(con)


def unchanged_results(context: AssetExecutionContext, build: os.PathLike) -> Iterator[Any]:
    """Every model and test as the published build left them: same inputs, same results."""
    note = {"unchanged": "same sources and code as the published build; dbt not run"}
    # Dagster takes a multi-asset's materialisations in dependency order only.
    deps = context.assets_def.asset_deps
    selected = context.selected_asset_keys
    for key in TopologicalSorter(
        {k: deps.get(k, set()) & selected for k in selected}
    ).static_order():
        metadata = dict(note)
        if key == HEADLINE_KEY:
            metadata["headline"] = MetadataValue.md(headline_of(build))
        yield MaterializeResult(asset_key=key, metadata=metadata)
    for check in context.selected_asset_check_keys:
        yield AssetCheckResult(
            asset_key=check.asset_key, check_name=check.name, passed=True, metadata=note
        )
