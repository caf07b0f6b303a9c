"""What a failed dbt build says, in one line: each failed model by name, each failed data
test by name, the model it tests, its number of failing rows and the first of them; and the
same rows in the failed check's metadata in the Dagster UI."""

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
from dagster import AssetCheckResult, MetadataValue, Output
from dagster_dbt import DbtCliInvocation


def is_failed_check(event: Any) -> bool:
    return isinstance(event, AssetCheckResult) and not event.passed


def metadata_text(event: Any, key: str) -> str | None:
    value = event.metadata.get(key)
    return None if value is None else str(getattr(value, "value", value))


# A failed build's error line names this many failed nodes at most, and shows this many
# failing rows of a failed data test, this many columns of a row, this many characters of
# a value.
SHOWN_FAILURES = 5
SHOWN_ROWS = 3
SHOWN_COLUMNS = 4
SHOWN_CHARACTERS = 40
FAILED_STATUSES = {"error", "fail", "runtime error"}


@dataclass(frozen=True)
class Failure:
    """A node of a dbt build that failed: its part of the error line and, for a failed data
    test, its first failing rows (`as_of_date=2024-05-31, nuts2_code=FR10; ...`)."""

    unique_id: str
    text: str
    rows: str | None = None


def with_build_metadata(
    held: list[Any], markdown: str | None, failures: list[Failure]
) -> Iterator[Any]:
    """The held events with what only the finished build tells: the headline's table (in
    the UI), a failed data test's first failing rows (its check's metadata in the UI)."""
    rows = {failure.unique_id: failure.rows for failure in failures if failure.rows}
    for event in held:
        if isinstance(event, Output) and markdown is not None:
            event = event.with_metadata({**event.metadata, "headline": MetadataValue.md(markdown)})
        elif is_failed_check(event) and (found := rows.get(metadata_text(event, "unique_id"))):
            event = event.with_metadata({**event.metadata, "first_failing_rows": found})
        yield event


def failed_nodes(invocation: DbtCliInvocation, build: os.PathLike) -> list[Failure]:
    """The models and tests that failed, in dbt's order, from the run's dbt artifacts; the
    failed data tests' first rows from the build, once dbt has let go of it."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except Exception:  # no artifact: dbt failed before running anything
        return []
    try:
        manifest = invocation.get_artifact("manifest.json")
    except Exception:  # the test names stay, without the models they test
        manifest = {}
    return describe_failures(results, manifest, build)


def describe_failures(
    results: list[Mapping[str, Any]], manifest: Mapping[str, Any], build: os.PathLike
) -> list[Failure]:
    """What to say of each failed node: a model by its name, a data test by its name, the
    model it tests, its number of failing rows and the first of them (run again, read-only,
    from the build: its `compiled_code` in run_results.json, the query dbt counted)."""
    failed = [r for r in results if r["status"] in FAILED_STATUSES]
    queries = {
        r["unique_id"]: r.get("compiled_code")
        for r in failed[:SHOWN_FAILURES]
        if r["unique_id"].startswith("test.") and r["status"] == "fail"
    }
    rows = first_failing_rows(build, queries)
    nodes = manifest.get("nodes") or {}
    return [
        describe_test(r, nodes.get(r["unique_id"]) or {}, rows.get(r["unique_id"]))
        if r["unique_id"].startswith("test.")
        else Failure(r["unique_id"], node_name(r["unique_id"], models_only=True))
        for r in failed
    ]


def node_name(unique_id: str, *, models_only: bool = False) -> str:
    """`model.interreg.projects` -> `projects`, `source.interreg.monitoring.partners` ->
    `monitoring.partners`; with `models_only`, any other node keeps its unique_id."""
    if models_only and not unique_id.startswith("model."):
        return unique_id
    return ".".join(unique_id.split(".")[2:])


def describe_test(result: Mapping[str, Any], node: Mapping[str, Any], rows: str | None) -> Failure:
    unique_id = result["unique_id"]
    text = unique_id.split(".")[2]  # a generic test's id ends in a hash: not its name
    if tested := tested_node(node):
        text += f" on {tested}"
    count = result.get("failures")
    if result["status"] != "fail":
        text += f": {result['status']}"
    elif count is not None:
        text += f": {count} row{'' if count == 1 else 's'}"
    return Failure(unique_id, text + (f" ({rows})" if rows else ""), rows)


def tested_node(node: Mapping[str, Any]) -> str | None:
    """The model (seed, source) a test is attached to, as dagster-dbt attaches its asset
    check: the test's `meta.dagster.ref`, else its `attached_node`, else its only parent."""
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    ref = ((meta.get("dagster") or {}).get("ref") or {}).get("name")
    if ref:
        return ref
    parents = (node.get("depends_on") or {}).get("nodes") or []
    attached = node.get("attached_node") or (parents[0] if len(parents) == 1 else None)
    return node_name(attached) if attached else None


def first_failing_rows(build: os.PathLike, queries: Mapping[str, str | None]) -> dict[str, str]:
    """The first SHOWN_ROWS distinct rows (in the order of their values) of each test's
    query, by the test's unique_id; a query that fails to run again has none: its count
    still says much."""
    found: dict[str, str] = {}
    if not any(queries.values()):
        return found
    try:
        con = duckdb.connect(str(build), read_only=True)
    except duckdb.Error:
        return found
    with con:
        for unique_id, sql in queries.items():
            if not sql:
                continue
            query = sql.strip().rstrip(";")
            try:
                cursor = con.execute(
                    f"select distinct * from (\n{query}\n) as failing"
                    f" order by all limit {SHOWN_ROWS}"
                )
                columns = [column[0] for column in cursor.description]
                found[unique_id] = "; ".join(row_keys(columns, row) for row in cursor.fetchall())
            except duckdb.Error:
                continue
    return {k: v for k, v in found.items() if v}


def row_keys(columns: list[str], row: tuple) -> str:
    """`as_of_date=2024-05-31, nuts2_code=FR10`: a failing row's first columns that hold a
    value (a row of nulls only shows them: a not_null test's)."""
    pairs = [(c, v) for c, v in zip(columns, row, strict=True) if v is not None]
    pairs = pairs or list(zip(columns, row, strict=True))
    shown = ", ".join(f"{c}={short_value(v)}" for c, v in pairs[:SHOWN_COLUMNS])
    return shown + (", ..." if len(pairs) > SHOWN_COLUMNS else "")


def short_value(value: object) -> str:
    text = "null" if value is None else " ".join(str(value).split())  # one line
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 3] + "..."


def failures_line(failures: list[Failure]) -> str:
    """`assert_x on regional_coverage_history: 3 rows (...); stg_y; and 2 more`."""
    shown = "; ".join(failure.text for failure in failures[:SHOWN_FAILURES])
    more = len(failures) - SHOWN_FAILURES
    return (shown + (f"; and {more} more" if more > 0 else "")) or "see the dbt log"
