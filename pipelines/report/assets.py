"""The results page as a Dagster asset: rebuilt from the published file after each publish."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from pipelines.config import Settings
from pipelines.publish.assets import PUBLISHED_KEY
from pipelines.report.site import refresh_published_page
from pipelines.warehouse.resource import WarehouseResource

REPORT_KEY = AssetKey(["site", "report"])


@asset(
    key=REPORT_KEY,
    group_name="publish",
    kinds={"html"},
    deps=[PUBLISHED_KEY],
    description="The results page (site/index.html): headline figures, trends, the map of "
    "partners per NUTS 2 region (when INTERREG_NUTS_URL is set), policy changes, projects.",
)
def results_page(context: AssetExecutionContext, warehouse: WarehouseResource):
    # Read at run time, like the CLI: the page's map follows the environment of the run.
    result = refresh_published_page(warehouse.store.directory, Settings.from_env().nuts_url)
    if result is None:
        return MaterializeResult(
            metadata={"unchanged": "the page of the published release is already in place"}
        )
    for note in result.notes:
        context.log.warning(note)
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path / "index.html")),
            "as_of": result.as_of.isoformat(),
            "map": result.map_drawn,
            "notes": "; ".join(result.notes) or "none",
        }
    )
