"""`interreg run`'s last line names the step that failed, once, and what it said; not the
steps it kept from running (Dagster's message of those names a failed step once per input it
feeds: 42 times for the dbt assets)."""

from __future__ import annotations

from dagster import AssetOut, DagsterInstance, asset, materialize, multi_asset

from pipelines.cli import failure_summary
from pipelines.errors import PipelineError


@multi_asset(outs={f"mart_{n}": AssetOut() for n in range(3)})
def dbt_models():
    raise PipelineError("dbt build failed: assert_x on mart_1: 2 rows (k=1; k=2)")
    yield


@asset(deps=[dbt_models])
def published() -> None:
    return None


def test_the_summary_names_the_failed_step_once_with_its_own_message():
    with DagsterInstance.ephemeral() as instance:
        result = materialize([dbt_models, published], instance=instance, raise_on_error=False)

    assert not result.success
    assert failure_summary(result) == (
        "dbt_models: dbt build failed: assert_x on mart_1: 2 rows (k=1; k=2)"
    )
