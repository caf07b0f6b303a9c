"""Exports as wide as the contract, through the marts, checked cell by cell.

For each seed, tools/samples/wide_export.py writes a random export that follows contract v1
and uses what it allows (report histories to untangle, rows dated on and after the export
day, withdrawn projects, national instruments, changes validated before their project's
approval...). The pipeline's own steps build its marts (tests/support/seed_build.py:
validate, without losing a row; load; `dbt build` with the data tests), and every mart must
hold exactly the rows of the independent reference (tests/support/reference_marts.py,
the contract's definitions and the rule of "as of"): every key, every date, every column,
amounts to the cent.

The rule of "as of", in every mart: E is the date of the manifest's exported_at; a row
dated after a date D counts on no date <= D; nothing dated after E is in any mart; nothing
of a withdrawn project counts anywhere.

Seeds: every session draws fresh ones, shown in the test ids (`seed-<n>-scale-<s>`);
`SAMPLE_SEED=<n> make test` reproduces a failure (tests/support/seeds.py).

Cost: a seed is built once for the session, whichever worker asks first, in about 7 s of
CPU at any scale up to 2 (dbt in a server process per worker: 7.6 s once, 3.3 s for each
further worker; support/seed_build.py). Its ten comparisons then take well under a second.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.built_once import built_once
from support.mart_diff import mart_differences, mart_rows
from support.reference_headline import headline_as_of
from support.reference_marts import Marts, expected_marts
from support.seed_build import Cost, DbtServer, build_marts, not_passed
from support.seeds import scale_of, seeds

pytestmark = pytest.mark.slow

SEEDS = seeds()


# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class Seed:
    seed: int
    scale: float
    export_dir: Path
    db_path: Path
    dbt_results: list[dict]
    cost: Cost

    def __str__(self) -> str:
        return (
            f"seed {self.seed}, scale {self.scale}"
            f" (again: SAMPLE_SEED={self.seed} SAMPLE_SCALE={self.scale} make test)"
        )


class LazyServer:
    """This worker's dbt server, started by the first build it makes. The session's first
    server parses the project; the others start from its parse (support/seed_build.py)."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory, worker_id: str):
        self.tmp_path_factory, self.worker_id = tmp_path_factory, worker_id
        self.server: DbtServer | None = None

    def get(self) -> DbtServer:
        if self.server is None:
            self.server = DbtServer()
            state = built_once(
                self.tmp_path_factory,
                self.worker_id,
                "contract-seeds-dbt-parse",
                lambda folder: self.server.parse(folder / "parse"),
            )
            if not self.server.parsed:
                self.server.parse(self.tmp_path_factory.mktemp("dbt-parse"), state)
        return self.server

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


@pytest.fixture(scope="session")
def dbt_server(tmp_path_factory, worker_id):
    server = LazyServer(tmp_path_factory, worker_id)
    yield server
    server.close()


@pytest.fixture(scope="module", params=SEEDS, ids=lambda s: f"seed-{s}-scale-{scale_of(s)}")
def seed(request, tmp_path_factory, worker_id, dbt_server) -> Seed:
    """The seed's export and its marts, built once for the session."""
    number, scale = request.param, scale_of(request.param)

    def build(folder: Path) -> Seed:
        from tools.samples.wide_export import generate

        export_dir = folder / "export"
        generate(export_dir, seed=number, scale=scale)
        built = build_marts(export_dir, folder / "build", dbt_server.get())
        print(f"seed {number}, scale {scale}: {built.cost}")
        return Seed(number, scale, export_dir, built.db_path, built.results, built.cost)

    return built_once(tmp_path_factory, worker_id, f"contract-seed-{number}-{scale}", build)


@functools.lru_cache(maxsize=4)
def expected(export_dir: Path) -> Marts:
    return expected_marts(export_dir)


# --------------------------------------------------------------------------- comparing


def assert_mart_is_the_reference(seed: Seed, mart: str) -> None:
    read = mart_rows(seed.db_path, mart)
    if read is None:
        failed = "\n".join(not_passed(seed.dbt_results))
        pytest.fail(f"{seed}: marts.{mart} was not built; dbt build:\n{failed}", pytrace=False)
    differences = mart_differences(mart, expected(seed.export_dir)[mart], *read)
    if differences:
        pytest.fail(f"{seed}: {differences}", pytrace=False)


# --------------------------------------------------------------------------- the rules


def test_the_export_loads_whole_and_dbt_passes_every_data_test(seed: Seed):
    """A contract-valid export loses no row (seed_build asserts it as it loads), and
    dbt's data tests, those that tie the marts to each other included, all pass."""
    failed = not_passed(seed.dbt_results)
    if failed:
        pytest.fail(
            f"{seed}: dbt build:\n"
            + "\n".join(failed)
            + "\n(the models skipped were built after it, and are compared all the same)",
            pytrace=False,
        )


def test_the_reference_replays_the_headline_definitions_date_by_date(seed: Seed):
    """The reference's headline (a replay of the dated facts) is the contract's
    definitions computed afresh on every date (reference_headline.headline_as_of)."""
    for (d,), row in expected(seed.export_dir)["headline_results"].items():
        definitions = headline_as_of(seed.export_dir, d)
        assert {k: v for k, v in row.items() if k != "as_of_date"} == definitions, (seed, d)


def test_headline_results_are_the_contracts_definitions_on_every_date(seed: Seed):
    """One row per date D: month ends from the earliest approval (withdrawn projects
    included) to E, the last one E; every figure as the contract defines it as of D."""
    assert_mart_is_the_reference(seed, "headline_results")


def test_project_results_are_each_projects_own_figures_and_progress(seed: Seed):
    """A non-withdrawn project has a row on D from its approval on, or earlier where one
    of its figures is not zero; its figures are the headline's on its own rows, and
    progress_status is not_approved, not_started, ended or running by its dates."""
    assert_mart_is_the_reference(seed, "project_results")


def test_country_results_count_partners_changes_and_good_practices_by_country(seed: Seed):
    """Partners and projects approved by D, by the partner's country; changes validated by
    D, by their instrument's responsible partner's country; good practices validated by D,
    by the practice's own country; eligible regions and those involved by D."""
    assert_mart_is_the_reference(seed, "country_results")


def test_regional_coverage_history_counts_by_region_on_every_date(seed: Seed):
    """Every eligible region and every partner's region, on every date: partners, lead
    partners and projects approved by D; changes validated by D on the region's own
    instruments (a national instrument is in no region)."""
    assert_mart_is_the_reference(seed, "regional_coverage_history")


def test_regional_coverage_is_the_history_at_the_export_date(seed: Seed):
    """Of the regions eligible or with a partner at E: a region whose only partners belong
    to projects approved after E has no row."""
    assert_mart_is_the_reference(seed, "regional_coverage")


def test_projects_are_those_approved_by_the_export_date_with_their_results_then(seed: Seed):
    """A project approved after E is not listed (its change validated before its approval
    still counts in the dated marts)."""
    assert_mart_is_the_reference(seed, "projects")


def test_partners_are_those_of_projects_approved_by_the_export_date(seed: Seed):
    assert_mart_is_the_reference(seed, "partners")


def test_policy_changes_are_those_validated_by_the_export_date(seed: Seed):
    """A change validated after E is not listed, whatever its status in the export."""
    assert_mart_is_the_reference(seed, "policy_changes")


def test_good_practices_are_as_they_stood_at_the_export_date(seed: Seed):
    """Submitted by E, or validated by E; one validated after E is still 'submitted',
    without a validated_on."""
    assert_mart_is_the_reference(seed, "good_practices")


def test_progress_reports_are_each_version_as_it_stood_at_the_export_date(seed: Seed):
    """A version submitted after E is not listed; one approved after E is still
    'submitted'; the version effective at E is the highest approved by E of its period."""
    assert_mart_is_the_reference(seed, "progress_reports")
