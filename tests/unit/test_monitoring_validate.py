"""Validating an export: every rule of the contract, the quarantine, the cascade, the threshold."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support.exports import Rows, write_export
from support.tiny_export import partner, project, report, valid_export

from pipelines.config import SAMPLE_MONITORING_DIR
from pipelines.errors import ContractError
from pipelines.sources.monitoring.validate import validate_export
from pipelines.sources.quarantine import REJECTED_COLUMNS
from pipelines.warehouse.load import load_export
from schemas.monitoring import SCHEMAS
from schemas.monitoring_contract import MONITORING


def validate(tmp_path: Path, files: dict[str, Rows], **options):
    return validate_export(*write_export(tmp_path / "export", files), **options)


def rejected_cases(result, file: str) -> set[tuple[int, str, str]]:
    """(row_number, column_name, check_name) of every failure in `file`."""
    frame = result.rejected[result.rejected["file"] == file]
    return set(zip(frame["row_number"], frame["column_name"], frame["check_name"], strict=True))


def rejected_rows(result, file: str) -> set[int]:
    return set(result.rejected.loc[result.rejected["file"] == file, "row_number"])


def loaded(result, table: str, column: str) -> list[str]:
    return result.tables[table][column].tolist()


# --- the happy path ---------------------------------------------------------------------------


def test_an_export_that_follows_the_contract_is_accepted_whole(tmp_path):
    files = valid_export()
    result = validate(tmp_path, files)

    assert len(result.rejected) == 0
    assert list(result.rejected.columns) == REJECTED_COLUMNS
    assert result.row_counts == {name: len(rows) for name, rows in files.items()}
    assert result.drift == {}
    assert set(result.tables) == {spec.table for spec in MONITORING.files}
    projects = result.tables["projects"]
    assert list(projects.columns) == ["_row_number", *MONITORING.file("projects.csv").column_names]
    assert projects["_row_number"].tolist() == [1, 2]
    assert result.summary() == "no rows rejected"


def test_the_accepted_rows_load_with_the_contract_types(tmp_path):
    files = valid_export()
    files["projects.csv"][1]["erdf_eur"] = "1.234,56"  # quarantined, so never cast
    result = validate(tmp_path, files, max_rejected_pct=100)
    con = duckdb.connect()
    counts = load_export(con, MONITORING, result.tables)
    assert counts["projects"] == 1 and counts["partners"] == 2
    erdf, approved_on = con.execute(
        "SELECT erdf_eur, approved_on FROM raw_monitoring.projects"
    ).fetchone()
    assert str(erdf) == "1275000.00" and str(approved_on) == "2016-03-01"


def test_every_file_has_a_schema_built_from_the_contract():
    assert set(SCHEMAS) == set(MONITORING.file_names)
    for spec in MONITORING.files:
        assert list(SCHEMAS[spec.name].columns) == list(spec.column_names)
        for check in SCHEMAS[spec.name].checks:
            assert check.name and check.error


def test_extra_columns_are_kept_after_the_contract_columns_and_reported_as_drift(tmp_path):
    files = valid_export()
    for row in files["projects.csv"]:
        row["exporter_note"] = "from iOLF"
    result = validate(tmp_path, files)
    assert result.drift == {"projects.csv": ["exporter_note"]}
    assert list(result.tables["projects"].columns)[-1] == "exporter_note"


def test_a_header_only_file_is_accepted_where_the_contract_allows_no_rows(tmp_path):
    files = valid_export()
    files["good_practices.csv"] = []
    result = validate(tmp_path, files)
    assert len(result.rejected) == 0
    assert len(result.tables["good_practices"]) == 0


def test_a_header_only_projects_file_fails(tmp_path):
    files = valid_export()
    for name in [
        "projects.csv",
        "partners.csv",
        "progress_reports.csv",
        "indicator_values.csv",
        "policy_instruments.csv",
        "policy_changes.csv",
        "good_practices.csv",
    ]:
        files[name] = []
    with pytest.raises(ContractError, match=r"^projects\.csv: must have at least 1 row"):
        validate(tmp_path, files)


def test_programme_must_have_exactly_one_row(tmp_path):
    files = valid_export()
    files["programme.csv"].append({**files["programme.csv"][0], "programme_id": "OTHER"})
    with pytest.raises(ContractError, match=r"^programme\.csv: must have exactly 1 row"):
        validate(tmp_path, files)


def test_a_missing_required_column_fails_naming_file_and_column(tmp_path):
    files = valid_export()
    for row in files["projects.csv"]:
        del row["approved_on"]
    with pytest.raises(ContractError) as caught:
        validate(tmp_path, files)
    assert caught.value.file == "projects.csv" and caught.value.column == "approved_on"


def test_a_row_count_other_than_the_manifests_fails(tmp_path):
    paths, rows = write_export(tmp_path, valid_export())
    with pytest.raises(
        ContractError, match=r"^partners\.csv: has 4 records but the manifest says 5"
    ):
        validate_export(paths, {**rows, "partners.csv": 5})


# --- forms of values ----------------------------------------------------------------------------


def test_european_numbers_and_dates_are_quarantined_with_column_and_check(tmp_path):
    files = valid_export()
    files["projects.csv"][1].update(total_budget_eur="1.234,56", start_date="31/12/2022")
    result = validate(tmp_path, files, max_rejected_pct=100)

    assert rejected_cases(result, "projects.csv") == {
        (2, "total_budget_eur", "amount_format"),
        (2, "start_date", "date_format"),
    }
    case = result.rejected[result.rejected["column_name"] == "total_budget_eur"].iloc[0]
    assert case["value"] == "1.234,56"
    assert case["source"] == "monitoring"
    assert "decimal point" in case["message"]
    assert loaded(result, "projects", "project_id") == ["PGI00001"]


@pytest.mark.parametrize(
    "amount, ok",
    [
        ("0", True),
        ("12", True),
        ("12.3", True),
        ("12.30", True),
        ("12.345", False),
        ("-1.00", False),
        ("1e3", False),
        (" 12", False),
        ("12.", False),
        (".5", False),
        ("1,234", False),
        ("\u0661\u0662", False),
        ("9999999999999999.99", True),
        ("10000000000000000", False),
    ],
)
def test_amount_form(tmp_path, amount, ok):
    files = valid_export()
    files["programme.csv"][0]["erdf_budget_eur"] = amount
    if ok:
        assert len(validate(tmp_path, files).rejected) == 0
    else:  # programme.csv has one row: one bad row is 100 % of it
        result = validate(tmp_path, files, max_rejected_pct=100)
        assert rejected_cases(result, "programme.csv") == {(1, "erdf_budget_eur", "amount_format")}


@pytest.mark.parametrize(
    "version, failure",
    [
        ("2013", None),
        ("2016", None),
        ("2021", None),
        ("02016", None),  # an integer is "digits only": leading zeros allowed, as in "01"
        ("2015", "allowed_values"),
        ("20160", "allowed_values"),
        ("2016.0", "integer_format"),  # not written as an integer: that failure, once
    ],
)
def test_nuts_version_is_one_of_three_integers_however_written(tmp_path, version, failure):
    files = valid_export()
    files["programme.csv"][0]["nuts_version"] = version
    result = validate(tmp_path, files, max_rejected_pct=100)
    expected = set() if failure is None else {(1, "nuts_version", failure)}
    assert rejected_cases(result, "programme.csv") == expected
    if failure is None:
        con = duckdb.connect()
        load_export(con, MONITORING, result.tables)
        loaded_version = con.execute("SELECT nuts_version FROM raw_monitoring.programme").fetchone()
        assert loaded_version == (int(version),)


def test_an_impossible_date_is_quarantined(tmp_path):
    files = valid_export()
    files["projects.csv"][0]["end_date"] = "2022-02-30"
    files["projects.csv"][1]["end_date"] = "2024-02-29"  # a leap day: fine
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert "calendar_date" in {c for _, _, c in rejected_cases(result, "projects.csv")}
    assert (1, "end_date", "calendar_date") in rejected_cases(result, "projects.csv")
    assert 2 not in rejected_rows(result, "projects.csv")


def test_codes_integers_and_required_values(tmp_path):
    files = valid_export()
    files["projects.csv"][0].update(status="Approved", priority_axis="5", title="")
    files["projects.csv"][1].update(project_id="PGI0002", call_no="1.0")
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "projects.csv") == {
        (1, "status", "allowed_values"),
        (1, "priority_axis", "between_1_and_4"),
        (1, "title", "required"),
        (2, "project_id", "code_pattern"),
        (2, "call_no", "integer_format"),
    }
    required = result.rejected[result.rejected["check_name"] == "required"].iloc[0]
    assert pd.isna(required["value"])


# --- keys and rules across columns --------------------------------------------------------------


def test_every_row_with_a_duplicate_key_is_quarantined(tmp_path):
    files = valid_export()
    files["eligible_regions.csv"].append(dict(files["eligible_regions.csv"][0]))
    files["indicator_values.csv"].append(dict(files["indicator_values.csv"][0]))
    files["projects.csv"][1]["acronym"] = "ALPHA"
    result = validate(tmp_path, files, max_rejected_pct=100)

    assert rejected_cases(result, "eligible_regions.csv") == {
        (1, "nuts2_code", "unique_key"),
        (3, "nuts2_code", "unique_key"),
    }
    assert rejected_cases(result, "indicator_values.csv") >= {
        (1, "report_id,indicator_code", "unique_key"),
        (5, "report_id,indicator_code", "unique_key"),
    }
    assert rejected_cases(result, "projects.csv") == {
        (1, "acronym", "unique_acronym"),
        (2, "acronym", "unique_acronym"),
    }
    case = result.rejected[result.rejected["file"] == "indicator_values.csv"].iloc[0]
    assert case["value"] == "R1, O1"


def test_country_code_is_the_start_of_the_nuts2_code(tmp_path):
    files = valid_export()
    files["eligible_regions.csv"][0]["country_code"] = "GR"  # EU usage is EL
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "eligible_regions.csv") == {
        (1, "country_code", "country_code_of_nuts2_code"),
    }


def test_project_dates_and_amounts_compare_exactly(tmp_path):
    files = valid_export()
    files["projects.csv"][0].update(start_date="2020-01-02", end_date="2020-01-01")
    # Floats cannot tell these two apart; the rule must.
    files["projects.csv"][1].update(
        total_budget_eur="9999999999999999.98", erdf_eur="9999999999999999.99"
    )
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "projects.csv") == {
        (1, "end_date", "end_date_not_before_start_date"),
        (2, "erdf_eur", "erdf_not_above_total_budget"),
    }
    message = result.rejected.loc[result.rejected["row_number"] == 2, "message"].iloc[0]
    assert "total_budget_eur=9999999999999999.98" in message


def test_equal_amounts_and_dates_pass(tmp_path):
    files = valid_export()
    files["projects.csv"][0].update(total_budget_eur="0.3", erdf_eur="0.30", end_date="2016-04-01")
    assert len(validate(tmp_path, files).rejected) == 0


def test_partner_rules(tmp_path):
    files = valid_export()
    partners = files["partners.csv"]
    partners[1]["partner_id"] = "PGI00002-P02"  # the row is of PGI00001
    partners[1]["erdf_eur"] = "200000.51"  # budget 200000.50
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert {(r, c) for r, _, c in rejected_cases(result, "partners.csv")} == {
        (2, "partner_id_of_project"),
        (2, "erdf_not_above_budget"),
        # PGI00002-P02 is now twice in the file
        (2, "unique_key"),
        (4, "unique_key"),
    }


def test_a_project_without_exactly_one_lead_loses_all_its_partners(tmp_path):
    files = valid_export()
    files["partners.csv"][1]["role"] = "lead"  # PGI00001 has two leads
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "partners.csv") == {
        (1, "role", "one_lead_per_project"),
        (2, "role", "one_lead_per_project"),
    }
    assert loaded(result, "partners", "partner_id") == ["PGI00002-P01", "PGI00002-P02"]
    # ... and what hangs on those partners goes with them.
    assert rejected_cases(result, "policy_instruments.csv") == {
        (1, "partner_id", "depends_on_rejected_row"),
    }
    assert rejected_rows(result, "good_practices.csv") == {1}
    assert rejected_rows(result, "policy_changes.csv") == {1}  # its instrument went


def test_approved_on_is_set_if_and_only_if_the_report_is_approved(tmp_path):
    files = valid_export()
    files["progress_reports.csv"][0].update(status="submitted")  # approved_on still set
    files["progress_reports.csv"][1].update(approved_on="")  # approved without a date
    files["progress_reports.csv"].append(
        report("R3", "PGI00001", version="2", approved_on="2016-10-14")  # before submission
    )
    files["progress_reports.csv"].append(
        report("R4", "PGI00002", version="2", status="rejected", approved_on="")
    )
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "progress_reports.csv") == {
        (1, "approved_on", "approved_on_iff_approved"),
        (2, "approved_on", "approved_on_iff_approved"),
        (3, "approved_on", "approved_on_not_before_submitted_on"),
    }


def test_a_report_version_written_twice_with_leading_zeros_is_one_version_twice(tmp_path):
    """Integers are digits only: period 01, version 01 is period 1, version 1 again."""
    files = valid_export()
    files["progress_reports.csv"].append(
        report("R3", "PGI00001", period_no="01", version="01", approved_on="2016-12-02")
    )
    files["progress_reports.csv"].append(report("R4", "PGI00001", period_no="02", version="1"))
    result = validate(tmp_path, files, max_rejected_pct=100)
    check = "unique_project_id_period_no_version"
    assert rejected_cases(result, "progress_reports.csv") == {
        (1, "project_id", check),
        (3, "project_id", check),
    }


def test_validated_on_is_set_if_and_only_if_validated(tmp_path):
    files = valid_export()
    files["policy_changes.csv"][0]["validated_on"] = ""
    files["good_practices.csv"][1]["validated_on"] = "2018-01-01"
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "policy_changes.csv") == {
        (1, "validated_on", "validated_on_iff_validated"),
    }
    assert rejected_cases(result, "good_practices.csv") == {
        (2, "validated_on", "validated_on_iff_validated"),
    }


def test_a_report_version_is_unique_per_project_and_period(tmp_path):
    files = valid_export()
    files["progress_reports.csv"].append(report("R9", "PGI00001"))  # period 1, version 1 again
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "progress_reports.csv") == {
        (1, "project_id", "unique_project_id_period_no_version"),
        (3, "project_id", "unique_project_id_period_no_version"),
    }


# --- references and the cascade --------------------------------------------------------------


def test_a_dangling_reference_is_quarantined_naming_the_missing_key(tmp_path):
    files = valid_export()
    files["partners.csv"].append(partner("PGI09999", 1, "lead"))
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "partners.csv") == {(5, "project_id", "references_projects")}
    case = result.rejected.iloc[0]
    assert case["value"] == "PGI09999"
    assert "PGI09999" in case["message"] and "projects.csv" in case["message"]


def test_a_policy_change_must_point_at_an_instrument_of_its_own_project(tmp_path):
    files = valid_export()
    files["policy_changes.csv"][0]["instrument_id"] = "I2"  # an instrument of PGI00002
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert rejected_cases(result, "policy_changes.csv") == {
        (1, "instrument_id,project_id", "references_policy_instruments"),
    }


def test_a_rejected_project_takes_everything_of_it_along(tmp_path):
    files = valid_export()
    files["projects.csv"][0]["start_date"] = "01.04.2016"
    result = validate(tmp_path, files, max_rejected_pct=100)

    assert rejected_rows(result, "projects.csv") == {1}
    for name in ["partners.csv"]:
        assert rejected_rows(result, name) == {1, 2}
    for name in [
        "progress_reports.csv",
        "policy_instruments.csv",
        "policy_changes.csv",
        "good_practices.csv",
    ]:
        assert rejected_rows(result, name) == {1}, name
    # The report's indicator values go with the report.
    assert rejected_cases(result, "indicator_values.csv") == {
        (1, "report_id", "depends_on_rejected_row"),
        (2, "report_id", "depends_on_rejected_row"),
    }
    cascade = result.rejected[result.rejected["file"] == "indicator_values.csv"].iloc[0]
    assert (
        cascade["message"]
        == "report_id R1 refers to progress_reports.csv row 1, which was rejected"
    )
    # Only the other project's rows are loaded.
    for table in [
        "partners",
        "progress_reports",
        "policy_instruments",
        "policy_changes",
        "good_practices",
    ]:
        assert set(loaded(result, table, "project_id")) == {"PGI00002"}, table
    assert set(loaded(result, "indicator_values", "report_id")) == {"R2"}


# --- the threshold and the summary ---------------------------------------------------------


def many_projects(bad: int) -> dict[str, Rows]:
    files = valid_export()
    files["projects.csv"] += [project(f"PGI{n:05d}", f"P{n}") for n in range(3, 201)]
    for n in range(bad):
        files["projects.csv"][-1 - n]["erdf_eur"] = "1.234,56"
    return files


def test_one_bad_row_in_200_passes_the_default_threshold(tmp_path):
    result = validate(tmp_path, many_projects(bad=1))
    assert rejected_rows(result, "projects.csv") == {200}
    assert len(result.tables["projects"]) == 199


def test_three_bad_rows_in_200_fail_naming_the_file(tmp_path):
    with pytest.raises(ContractError) as caught:
        validate(tmp_path, many_projects(bad=3))
    message = str(caught.value)
    assert message.startswith("projects.csv: 3 of 200 rows (1.50 %)")
    assert "amount_format" in message and "erdf_eur" in message
    with pytest.raises(ContractError):
        validate(tmp_path, many_projects(bad=3), max_rejected_pct=1.4)
    assert len(validate(tmp_path, many_projects(bad=3), max_rejected_pct=1.5).rejected) == 3


def test_the_summary_stays_short_with_thousands_of_failures(tmp_path):
    files = valid_export()
    files["indicator_values.csv"] = [
        {"report_id": "R1", "indicator_code": f"X{n}", "value": "1,5"} for n in range(3000)
    ]
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert len(result.rejected) == 6000  # a bad value and a dangling indicator each
    summary = result.summary()
    assert len(summary) < 1500
    assert "indicator_values.csv integer_format value: 3000" in summary
    with pytest.raises(ContractError) as caught:
        validate(tmp_path, files)
    assert len(str(caught.value)) < 1500


def test_values_in_the_quarantine_are_text(tmp_path):
    files = valid_export()
    files["indicator_values.csv"][0]["value"] = "-3"
    result = validate(tmp_path, files, max_rejected_pct=100)
    assert result.rejected["value"].tolist() == ["-3"]
    assert result.rejected["row_number"].dtype == "int64"


# --- the committed sample -------------------------------------------------------------------------


def test_the_committed_sample_has_no_rejected_rows():
    manifest_path = SAMPLE_MONITORING_DIR / "manifest.json"
    if not manifest_path.is_file():
        pytest.skip(f"no sample export at {SAMPLE_MONITORING_DIR} yet")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    paths = {f["name"]: SAMPLE_MONITORING_DIR / f["name"] for f in manifest["files"]}
    rows = {f["name"]: f["rows"] for f in manifest["files"]}

    result = validate_export(paths, rows, max_rejected_pct=100)

    assert len(result.rejected) == 0, result.summary()
    assert result.drift == {}
    assert result.row_counts == rows
