"""The keep.eu Dagster assets against a real warehouse: typed raw tables, the quarantine in
audit.rejected_rows, the layout checks, and no reload of unchanged inputs."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import duckdb
from dagster import materialize

from pipelines.sources.keep.assets import KeepSource, keep_export, keep_raw_tables
from pipelines.warehouse.resource import WarehouseResource
from tools.samples.keep import workbook_bytes

PROGRAMME = "2014 - 2020 INTERREG VB Central Europe"
PROJECTS = ("Programme", "Acronym", "Lead Partner", "Period", "Budget", "EU Funding")
PARTNERS = ("Programme", "Acronym", "Project Partner", "Lead Partner", "NUTS2 (or equivalent)")


def legacy_file(path: Path) -> Path:
    path.write_bytes(
        workbook_bytes(
            {
                "Projects (lead partners)": (
                    PROJECTS,
                    [
                        (PROGRAMME, "ECRR", "Erfurt", "2014-2020", "892,228.58", 758394.29),
                        (PROGRAMME, "BAD", "Lugo", "2014-2020", "892.228,58", 1.0),
                    ],
                ),
                "Partners": (
                    PARTNERS,
                    [
                        (PROGRAMME, "ECRR", "Erfurt", "Yes", "DEG0  / Thüringen"),
                        (PROGRAMME, "BAD", "Lugo", "Yes", "ITH5  / Emilia-Romagna"),
                    ],
                ),
            }
        )
    )
    return path


class KeptBuild(WarehouseResource):
    """The warehouse without its end-of-run clean-up: the test looks into the run's build."""

    @contextmanager
    def yield_for_execution(self, context):
        yield self


def run(warehouse: Path, files: list[Path], **keep):
    return materialize(
        [keep_export, keep_raw_tables],
        resources={
            "warehouse": KeptBuild(directory=str(warehouse)),
            "keep": KeepSource(files=[str(f) for f in files], **keep),
        },
        raise_on_error=False,
    )


def checks(result) -> dict[str, tuple[bool, str]]:
    """The layout check of each raw table: (passed, severity)."""
    return {
        check.asset_key.path[-1]: (check.passed, check.severity.value)
        for check in result.get_asset_check_evaluations()
    }


def test_raw_tables_are_typed_and_bad_rows_quarantined_with_a_warning(tmp_path):
    warehouse = tmp_path / "w"
    result = run(warehouse, [legacy_file(tmp_path / "legacy.xlsx")], max_rejected_pct=60)
    assert result.success
    assert checks(result) == {
        "projects": (False, "WARN"),
        "partners": (False, "WARN"),
        "calls": (True, "WARN"),
    }
    build = KeptBuild(directory=str(warehouse)).store.build_path(result.run_id)
    with duckdb.connect(str(build), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = 'raw_keep' and table_name = 'projects'"
            ).fetchall()
        )
        assert types["total_budget_eur"] == "DECIMAL(18,2)"
        assert types["start_date"] == "DATE"
        assert types["source_line"] == "BIGINT"
        assert con.execute(
            "select acronym, total_budget_eur, eu_funding_eur from raw_keep.projects"
        ).fetchall() == [("ECRR", Decimal("892228.58"), Decimal("758394.29"))]
        assert con.execute("select nuts2_code, nuts2_name from raw_keep.partners").fetchall() == [
            ("DEG0", "Thüringen")
        ]
        rejected = con.execute(
            "select source, file, row_number, check_name from audit.rejected_rows order by file"
        ).fetchall()
        assert rejected == [
            ("keep", "legacy.xlsx [Partners]", 2, "depends_on_rejected_row"),
            ("keep", "legacy.xlsx [Projects (lead partners)]", 2, "amount_grouped_format"),
        ]
        loaded = con.execute(
            "select file, rows_read, rows_loaded, rows_rejected from audit.loaded_files"
            " where source = 'keep' order by file"
        ).fetchall()
        assert loaded == [
            ("legacy.xlsx [Partners]", 2, 1, 1),
            ("legacy.xlsx [Projects (lead partners)]", 2, 1, 1),
        ]


def test_the_step_records_what_reading_validating_converting_and_loading_took(tmp_path):
    result = run(tmp_path / "w", [legacy_file(tmp_path / "legacy.xlsx")], max_rejected_pct=60)
    by_table = {
        m.asset_key.path[-1]: m.metadata
        for m in result.asset_materializations_for_node("keep_raw_tables")
    }
    timings = by_table["projects"]["stage_timings"].value
    assert set(timings) == {"read_s", "validate_s", "convert_s", "load_s"}
    assert all(seconds >= 0 for seconds in timings.values())
    assert "stage_timings" not in by_table["partners"]  # the step's, shown once


def test_unchanged_inputs_are_not_loaded_again(tmp_path):
    warehouse, path = tmp_path / "w", legacy_file(tmp_path / "legacy.xlsx")
    # Files win over the API's URL (nothing listens there).
    first = run(warehouse, [path], max_rejected_pct=60, url="http://127.0.0.1:9/api")
    assert first.success
    KeptBuild(directory=str(warehouse)).store.publish(first.run_id)
    second = run(warehouse, [path], max_rejected_pct=60)
    assert second.success
    metadata = second.asset_materializations_for_node("keep_raw_tables")[0].metadata
    assert metadata["unchanged"].value is True


def test_a_file_in_no_known_layout_fails_the_check_and_the_run(tmp_path):
    path = tmp_path / "other.xlsx"
    path.write_bytes(workbook_bytes({"Sheet1": (("a", "b"), [(1, 2)])}))
    result = run(tmp_path / "w", [path])
    assert not result.success
    assert set(checks(result).values()) == {(False, "ERROR")}
    failure = next(e for e in result.all_events if e.is_step_failure).event_specific_data.error
    while failure.cause is not None:
        failure = failure.cause
    assert failure.cls_name == "ContractError"
    assert "other.xlsx: is not in a keep.eu layout" in failure.message
    assert "its sheets are 'Sheet1'" in failure.message
