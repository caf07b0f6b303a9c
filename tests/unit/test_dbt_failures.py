"""A failed `dbt build` says in one line what failed: a model by its name, a data test by its
name, the model it tests, its number of failing rows and the first of them, read again from
the run's build (pipelines/transform/assets.py). The same with real dbt artifacts:
tests/integration/test_failed_dbt_build.py."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from dagster import AssetCheckResult, AssetKey, Output

from pipelines.transform.failures import (
    Failure,
    describe_failures,
    failed_nodes,
    failures_line,
    row_keys,
    with_build_metadata,
)

HISTORY_TEST = "test.interreg.assert_regional_history_matches_headline"
NOT_NULL_TEST = "test.interreg.not_null_partners_country_code.4f1b2c3d4e"


@pytest.fixture
def build(tmp_path):
    """A build with a mart whose rows two tests find wrong."""
    path = tmp_path / "interreg.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.regional_coverage_history as select * from (values"
            " (date '2024-05-31', 'FR10', 3), (date '2024-04-30', 'FR10', 3),"
            " (date '2024-05-31', 'DE30', 0), (date '2024-04-30', null, 1),"
            " (date '2024-03-31', 'BE10', 5), (date '2024-03-31', 'BE10', 4))"
            " as t(as_of_date, nuts2_code, projects)"
        )
        con.execute("create table marts.partners as select null::varchar as country_code")
    return path


def history_result(**overrides) -> dict:
    return {
        "unique_id": HISTORY_TEST,
        "status": "fail",
        "failures": 5,
        "compiled_code": (
            "select as_of_date, case when projects > 2 then nuts2_code end as nuts2_code\n"
            'from "marts"."regional_coverage_history"\nwhere projects <> 0\n-- a comment'
        ),
        **overrides,
    }


MANIFEST = {
    "nodes": {
        HISTORY_TEST: {
            "config": {"meta": {"dagster": {"ref": {"name": "regional_coverage_history"}}}},
            "depends_on": {
                "nodes": [
                    "model.interreg.regional_coverage_history",
                    "model.interreg.headline_results",
                ]
            },
        },
        NOT_NULL_TEST: {
            "attached_node": "model.interreg.partners",
            "depends_on": {"nodes": ["model.interreg.partners"]},
        },
    }
}


def line(results, build, manifest=MANIFEST) -> str:
    return failures_line(describe_failures(results, manifest, build))


def test_a_failed_test_names_its_model_its_count_and_its_first_distinct_rows(build):
    assert line([history_result()], build) == (
        "assert_regional_history_matches_headline on regional_coverage_history: 5 rows"
        " (as_of_date=2024-03-31, nuts2_code=BE10; as_of_date=2024-04-30, nuts2_code=FR10;"
        " as_of_date=2024-04-30)"
    )


def test_a_row_of_nulls_shows_them_and_a_generic_test_its_attached_model(build):
    result = {
        "unique_id": NOT_NULL_TEST,
        "status": "fail",
        "failures": 1,
        "compiled_code": 'select country_code from "marts"."partners" where country_code is null',
    }
    assert line([result], build) == (
        "not_null_partners_country_code on partners: 1 row (country_code=null)"
    )


def test_errored_models_keep_their_names_and_passed_or_skipped_nodes_are_not_named(build):
    results = [
        {"unique_id": "model.interreg.stg_monitoring__partners", "status": "error"},
        {"unique_id": "seed.interreg.country_names", "status": "error"},
        {"unique_id": "model.interreg.projects", "status": "skipped"},
        {"unique_id": "test.interreg.assert_ok", "status": "pass", "failures": 0},
        {"unique_id": "test.interreg.assert_warned", "status": "warn", "failures": 2},
        history_result(status="error", failures=None, compiled_code="select nonsense"),
    ]
    assert line(results, build) == (
        "stg_monitoring__partners; seed.interreg.country_names;"
        " assert_regional_history_matches_headline on regional_coverage_history: error"
    )


def test_a_query_that_fails_again_or_finds_nothing_leaves_the_count(build):
    broken = history_result(compiled_code='select * from "marts"."gone"')
    assert line([broken], build, manifest={}) == (
        "assert_regional_history_matches_headline: 5 rows"
    )
    no_rows = history_result(compiled_code="select 1 as x where false")
    assert line([no_rows], build, manifest={}) == (
        "assert_regional_history_matches_headline: 5 rows"
    )


def test_a_build_that_cannot_be_opened_leaves_the_counts(tmp_path):
    assert line([history_result()], tmp_path / "missing" / "interreg.duckdb") == (
        "assert_regional_history_matches_headline on regional_coverage_history: 5 rows"
    )


def test_past_five_failures_the_line_counts_the_others(build):
    results = [{"unique_id": f"model.interreg.m{n}", "status": "error"} for n in range(7)]
    assert line(results, build) == "m0; m1; m2; m3; m4; and 2 more"
    assert line([], build) == "see the dbt log"


def test_a_row_stays_short_and_on_one_line():
    columns = ["a", "b", "c", "d", "e"]
    row = ("first\nline", "x" * 60, date(2024, 5, 31), 1.5, None)
    assert row_keys(columns, row) == (f"a=first line, b={'x' * 37}..., c=2024-05-31, d=1.5")
    assert row_keys([*columns, "f"], (*row[:4], 7, 8)).endswith(", d=1.5, ...")


def test_a_failed_checks_metadata_gets_its_first_rows_and_a_passed_one_nothing():
    key = AssetKey(["marts", "regional_coverage_history"])
    failed = AssetCheckResult(
        asset_key=key, check_name="a", passed=False, metadata={"unique_id": HISTORY_TEST}
    )
    passed = AssetCheckResult(
        asset_key=key, check_name="b", passed=True, metadata={"unique_id": HISTORY_TEST}
    )
    output = Output(None, output_name="marts_headline_results")
    failures = [Failure(HISTORY_TEST, "...", "as_of_date=2024-05-31")]

    events = list(with_build_metadata([failed, passed, output], None, failures))

    assert events[0].metadata["first_failing_rows"].value == "as_of_date=2024-05-31"
    assert events[0].metadata["unique_id"].value == HISTORY_TEST
    assert "first_failing_rows" not in events[1].metadata
    assert events[2] is output


class Invocation:
    """What failed_nodes reads of dagster-dbt's DbtCliInvocation: the artifacts dbt wrote."""

    def __init__(self, **artifacts) -> None:
        self.artifacts = artifacts

    def get_artifact(self, name: str) -> dict:
        if name not in self.artifacts:
            raise FileNotFoundError(name)
        return self.artifacts[name]


def test_the_line_reads_dbts_artifacts_and_says_so_when_dbt_wrote_none(build):
    results = {"results": [history_result()]}
    found = failed_nodes(Invocation(**{"run_results.json": results}), build)
    assert [f.text.split(" (")[0] for f in found] == [
        "assert_regional_history_matches_headline: 5 rows"  # no manifest: no model
    ]
    both = Invocation(**{"run_results.json": results, "manifest.json": MANIFEST})
    assert failed_nodes(both, build)[0].text.startswith(
        "assert_regional_history_matches_headline on regional_coverage_history: 5 rows ("
    )
    assert failures_line(failed_nodes(Invocation(), build)) == "see the dbt log"
