"""What a source's raw-tables step tells Dagster, whatever the source.

Each source (monitoring, keep.eu) has one multi-asset step that validates its landed files
and loads the accepted rows, with one blocking check per raw table. The step's outcomes
are the same for every source: nothing to load (the inputs are unchanged since the
published load), the inputs break the contract (the checks fail, the run stops), or rows
were loaded, some perhaps quarantined (the checks pass, or warn with the quarantined rows).
"""

from collections.abc import Iterable, Iterator

import pandas as pd
from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MaterializeResult, MetadataValue


def unchanged_results(keys: Iterable[AssetKey], check_name: str) -> Iterator[MaterializeResult]:
    """Every table as the published load left it, its check passed."""
    for key in keys:
        passed = AssetCheckResult(
            asset_key=key,
            check_name=check_name,
            passed=True,
            metadata={"unchanged since the published load": True},
        )
        yield MaterializeResult(asset_key=key, metadata={"unchanged": True}, check_results=[passed])


def broken_contract_results(
    keys: Iterable[AssetKey], check_name: str, error: Exception
) -> Iterator[AssetCheckResult]:
    """The checks of the tables an input that broke its contract was meant for: failed."""
    for key in keys:
        yield AssetCheckResult(
            asset_key=key,
            check_name=check_name,
            passed=False,
            severity=AssetCheckSeverity.ERROR,
            metadata={"error": str(error)},
        )


def quarantine_check(
    key: AssetKey, check_name: str, rejected: pd.DataFrame, shown: int = 20
) -> AssetCheckResult:
    """Passed, or a warning with the table's quarantined rows: counts per rule, first cases.

    `rejected` holds the table's rows of audit.rejected_rows: one per rule a row broke.
    """
    by_rule = rejected.groupby(["column_name", "check_name"], dropna=False).size()
    return AssetCheckResult(
        asset_key=key,
        check_name=check_name,
        passed=rejected.empty,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "rows_rejected": len(rejected[["file", "row_number"]].drop_duplicates()),
            "failures_by_rule": MetadataValue.md(
                "| column | check | failures |\n|---|---|---:|\n"
                + "\n".join(
                    f"| {markdown_cell(column)} | {check} | {count} |"
                    for (column, check), count in by_rule.sort_values(ascending=False).items()
                )
            ),
            "failure_cases": MetadataValue.md(
                "| file | row | column | check | value | message |\n|---|---:|---|---|---|---|\n"
                + "\n".join(
                    f"| {r.file} | {r.row_number} | {markdown_cell(r.column_name)}"
                    f" | {r.check_name} | {markdown_cell(r.value)} | {markdown_cell(r.message)} |"
                    for r in rejected.head(shown).itertuples()
                )
            ),
        },
    )


def markdown_cell(value: object) -> str:
    """A value fit for a Markdown table cell: one line, no column break, at most 200 chars."""
    text = "" if value is None or value is pd.NA or value != value else str(value)  # NaN too
    return text.replace("|", "\\|").replace("\n", " ")[:200]
