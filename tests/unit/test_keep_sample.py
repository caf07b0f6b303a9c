"""The bundled keep.eu sample: deterministic, exactly what its generator makes, and shaped
to exercise the reconciliation with the monitoring sample."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipelines.config import SAMPLE_KEEP_FILE, SAMPLE_MONITORING_DIR
from pipelines.sources.keep.extract import KeepInput
from pipelines.sources.keep.validate import validate_inputs
from tools.samples.keep import generate, plan_mismatches, read_csv
from tools.samples.monitoring import generate as generate_monitoring

REGENERATE = "python -m tools.samples.keep"


def members(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("keep") / "keep_eu_export.xlsx"
    generate(out)
    return out


def test_the_same_inputs_give_the_same_bytes(fresh, tmp_path):
    generate(tmp_path / "again.xlsx")
    generate(tmp_path / "other.xlsx", seed=2015)
    assert (tmp_path / "again.xlsx").read_bytes() == fresh.read_bytes()
    assert (tmp_path / "other.xlsx").read_bytes() != fresh.read_bytes()


def test_the_committed_sample_is_exactly_what_the_generator_makes(fresh):
    # Member by member: the content, whatever zlib compressed it on another machine.
    assert members(SAMPLE_KEEP_FILE) == members(fresh), f"run `{REGENERATE}`"


def test_the_sample_reads_cleanly_and_covers_the_programme(fresh):
    validated = validate_inputs(
        [KeepInput("s.xlsx", 1, fresh, "x", "u", 0, False)], max_rejected_pct=0
    )
    assert len(validated.rejected) == 0
    projects, partners = validated.tables["projects"], validated.tables["partners"]
    monitoring = read_csv(SAMPLE_MONITORING_DIR / "projects.csv")
    active = {p["acronym"] for p in monitoring if p["status"] != "withdrawn"}
    plan = plan_mismatches(monitoring, read_csv(SAMPLE_MONITORING_DIR / "partners.csv"))
    ie = projects[
        (projects["programme"] == "Interreg Europe") & (projects["period"] == "2014-2020")
    ]
    listed = {plan.respelled.get(a, a).strip() for a in active - set(plan.missing)}
    assert set(ie["acronym"]) == listed | set(plan.keep_only)
    assert set(projects["programme"]) == {"Interreg Europe", "URBACT III", "ESPON 2020"}
    # The quirks it is there to exercise:
    assert {"GR", "GB", "RS", "MK", "AL", "BA", "TR", "ME"} <= set(partners["country_code"])
    assert partners["nuts2_code"].isna().any() and partners["nuts2_name"].notna().any()
    assert projects["end_date"].isna().any()  # N.a.
    assert projects["project_id"].notna().any()  # 2021-2027
    assert plan.flagged_budget and plan.flagged_partners
    assert set(plan.missing) <= set(projects["acronym"])  # namesakes in other programmes


def test_the_sample_holds_excel_date_cells_and_the_typographic_apostrophe(fresh):
    workbook = openpyxl.load_workbook(fresh, read_only=True)
    projects = list(workbook["Search results, projects"].iter_rows(min_row=2, max_row=2))[0]
    header = next(workbook["Search results, partners"].iter_rows(max_row=1, values_only=True))
    workbook.close()
    assert projects[12].is_date
    assert "Partner\u2019s ID if not PIC" in header


def test_scale_multiplies_the_other_programmes_and_follows_a_scaled_monitoring_export(tmp_path):
    generate_monitoring(tmp_path / "monitoring", scale=2)
    generate(tmp_path / "keep.xlsx", tmp_path / "monitoring", scale=2)
    validated = validate_inputs(
        [KeepInput("k.xlsx", 1, tmp_path / "keep.xlsx", "x", "u", 0, False)],
        max_rejected_pct=0,
    )
    projects = validated.tables["projects"]
    counts = projects.groupby(["programme", "period"]).size().to_dict()
    assert counts[("URBACT III", "2014-2020")] == 6
    monitoring = read_csv(tmp_path / "monitoring" / "projects.csv")
    active = [p for p in monitoring if p["status"] != "withdrawn"]
    assert counts[("Interreg Europe", "2014-2020")] == len(active) - 2 + 1
