"""What a source's raw-tables step does and tells Dagster, whatever the source.

Each source (monitoring, keep.eu) has one multi-asset step that validates its landed files
and loads the accepted rows with the audit rows, in one transaction, with one blocking
check per raw table. The step's outcomes
are the same for every source: nothing to load (the inputs are unchanged since the
published load), the inputs break the contract (the checks fail, the run stops), or rows
were loaded, some perhaps quarantined (the checks pass, or warn with the quarantined rows).
"""

from collections.abc import Callable, Generator, Iterable, Iterator
from typing import TypeVar

import duckdb
import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetIn,
    AssetKey,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from pipelines.errors import ContractError
from pipelines.warehouse.audit import replace_source_audit
from pipelines.warehouse.load import LoadedRows, load_export
from schemas.contract import Contract, FileSpec

Validated = TypeVar("Validated")


def raw_tables_step(specs: list[AssetSpec], checks: list[AssetCheckSpec], landed: AssetKey):
    """The decorator of a source's step: every raw table at once, from the landed inputs
    (the asset `landed`, passed to the step as its argument `landed`)."""
    return multi_asset(
        specs=specs, check_specs=checks, ins={"landed": AssetIn(landed)}, can_subset=False
    )


def raw_table_specs(
    contract: Contract, landed: AssetKey, describe: Callable[[FileSpec], str]
) -> list[AssetSpec]:
    """One asset per raw table of the contract, in raw_<source>, from the landed inputs."""
    return [
        AssetSpec(
            [contract.source, spec.table],
            deps=[landed],
            group_name="raw",
            kinds={"duckdb"},
            description=describe(spec),
        )
        for spec in contract.files
    ]


def contract_checks(
    contract: Contract, check_name: str, describe: Callable[[FileSpec], str]
) -> list[AssetCheckSpec]:
    """One blocking check per raw table: a table is never used when its inputs broke."""
    return [
        AssetCheckSpec(
            check_name,
            asset=[contract.source, spec.table],
            blocking=True,
            description=describe(spec),
        )
        for spec in contract.files
    ]


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


def validated_or_broken(
    validate: Callable[[], Validated],
    check_name: str,
    keys: Callable[[ContractError], Iterable[AssetKey]],
) -> Generator[AssetCheckResult, None, Validated]:
    """`validate()`; when the inputs break their contract, first fail the checks of the
    tables `keys(error)` names, then raise. Use as `validated = yield from ...`."""
    try:
        return validate()
    except ContractError as error:
        yield from broken_contract_results(keys(error), check_name, error)
        raise


def load_and_audit(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    tables,
    *,
    run_id: str,
    files: Callable[[LoadedRows], list[dict]],
    rejected: pd.DataFrame,
    drift: dict[str, list[str]],
    also: Callable[[], None] = lambda: None,
) -> LoadedRows:
    """The accepted rows, `also` (more tables of the source) and the source's audit rows
    (`files(loaded)`, the quarantine, the drift) in one transaction: all or nothing."""
    con.execute("BEGIN TRANSACTION")
    loaded = load_export(con, contract, tables)
    also()
    replace_source_audit(
        con,
        run_id=run_id,
        source=contract.source,
        files=files(loaded),
        rejected=rejected,
        drift=drift,
    )
    con.execute("COMMIT")
    return loaded


def table_result(
    key: AssetKey, check_name: str, metadata: dict, rejected: pd.DataFrame
) -> MaterializeResult:
    """A loaded table, its check passed or warning with the table's quarantined rows."""
    return MaterializeResult(
        asset_key=key,
        metadata=metadata,
        check_results=[quarantine_check(key, check_name, rejected)],
    )


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
