"""What the Dagster UI shows on the assets, read from `interreg run`'s run storage as the UI
reads it: the headline table on the headline asset, and an unchanged run that says so
instead of building and publishing again."""

from __future__ import annotations

import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance
from support.cli import copy_warehouse, interreg

from pipelines.warehouse.store import Warehouse
from pipelines.warehouse.summary import format_value, headline_as_of

HEADLINE = AssetKey(["marts", "headline_results"])
PUBLISHED = AssetKey(["warehouse", "published"])


def last_run_materialisations(dagster_home) -> dict:
    """Each asset the newest run of this Dagster home materialised, with its metadata."""
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        (run,) = instance.get_runs(limit=1)
        events = instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION)
    materialisations = [e.dagster_event.event_specific_data.materialization for e in events]
    return {m.asset_key: m.metadata for m in materialisations}


@pytest.fixture(scope="module")
def runs(sample_run, tmp_path_factory):
    """The session's sample run (which built everything), then a second run, unchanged, on
    a copy of its warehouse and its Dagster home."""
    folder = sample_run[0].parent
    first = last_run_materialisations(folder / "dagster_home")
    copy = copy_warehouse(folder, tmp_path_factory.mktemp("metadata") / "sample")
    result = interreg(
        "run", warehouse=copy / "warehouse", env={"DAGSTER_HOME": str(copy / "dagster_home")}
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return folder / "warehouse", first, last_run_materialisations(copy / "dagster_home")


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
