"""The results page as a Dagster asset: rebuilt from the published file after each publish."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from pipelines.config import Settings
from pipelines.report.site import SITE_DIR, build_site
from pipelines.warehouse.assets import PUBLISHED_KEY
from pipelines.warehouse.resource import WarehouseResource

REPORT_KEY = AssetKey(["site", "report"])
BUILT_FROM = ".built-from"  # in site/: the release and map source the page was built from


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
    nuts_url = Settings.from_env().nuts_url
    store = warehouse.store
    # What the page is built from: the published release, and the map's source.
    built_from = f"{store.current_release()}\n{nuts_url}\n"
    stamp = store.directory / SITE_DIR / BUILT_FROM
    if stamp.exists() and stamp.read_text(encoding="utf-8") == built_from:
        return MaterializeResult(
            metadata={"unchanged": "the page of the published release is already in place"}
        )
    result = build_site(store.directory, None, nuts_url)
    if result.map_drawn or nuts_url is None:  # a map that failed is tried again next run
        (result.path / BUILT_FROM).write_text(built_from, encoding="utf-8")
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
