"""What the Dagster UI shows on the assets: the headline table on the headline asset, and
an unchanged run that says so instead of building and publishing again."""

from __future__ import annotations

import pytest
from dagster import AssetKey, DagsterInstance, materialize
from support.built_once import built_once

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
from pipelines.warehouse.summary import format_value, headline_as_of

HEADLINE = AssetKey(["marts", "headline_results"])
PUBLISHED = AssetKey(["warehouse", "published"])


def run(directory):
    resources = {
        "warehouse": WarehouseResource(directory=str(directory)),
        "monitoring": MonitoringSource(url=str(SAMPLE_MONITORING_DIR)),
        "dbt": dbt_resource(),
    }
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [monitoring_export, monitoring_raw_tables, dbt_models, published_warehouse],
            resources=resources,
            instance=instance,
        )
    materialisations = [
        e.event_specific_data.materialization for e in result.get_asset_materialization_events()
    ]
    return {m.asset_key: m.metadata for m in materialisations}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, worker_id):
    """Two runs in a row on a new warehouse, once for the session (tests only read them)."""

    def first_and_second(directory):
        return directory, run(directory), run(directory)

    return built_once(tmp_path_factory, worker_id, "asset-metadata-runs", first_and_second)


def test_the_headline_asset_shows_the_latest_figures_of_the_published_mart(runs):
    directory, first, _ = runs
    markdown = first[HEADLINE]["headline"].value
    with Warehouse(directory).connect_published() as con:
        as_of, figures = headline_as_of(con)
    assert markdown.startswith(f"As of {as_of.isoformat()}")
    assert f"| Projects | {format_value(figures['projects'])} |" in markdown
    assert f"| Action plans | {format_value(figures['action_plans'])} |" in markdown


def test_an_unchanged_run_materialises_every_model_as_unchanged_with_the_same_headline(runs):
    _, first, second = runs
    assert "unchanged" not in first[HEADLINE] and "unchanged" not in first[PUBLISHED]
    assert set(second) == set(first)
    models = [k for k in second if k.path[0] in {"staging", "intermediate", "marts"}]
    assert models and all("unchanged" in second[k] for k in models)
    assert "unchanged" in second[PUBLISHED]
    assert second[HEADLINE]["headline"].value == first[HEADLINE]["headline"].value
