"""Validating keep.eu inputs: every row loaded or quarantined with a reason, never misread.

The real legacy files of ../shared/data/keep_eu_legacy/ are pinned here: rows read =
rows loaded + rows quarantined per sheet, budget sums to the cent against a parser of the
test's own, NUTS cells out as plain codes.
"""

from __future__ import annotations

import csv
import random
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipelines.errors import ContractError
from pipelines.sources.keep import validate as validate_module
from pipelines.sources.keep.extract import KeepInput
from pipelines.sources.keep.validate import validate_inputs
from tools.samples.keep import PARTNER_HEADERS, PROJECT_HEADERS, convert_legacy, workbook_bytes

LEGACY_PROJECT_HEADERS = (
    "Programme",
    "Acronym",
    "Project Name",
    "Lead Partner",
    "Period",
    "Budget",
    "EU Funding",
    "ERDF budget",
    "Thematic1",
    "Project start",
    "Project end",
)
LEGACY_PARTNER_HEADERS = (
    "Programme",
    "Acronym",
    "Project Partner",
    "Lead Partner",
    "Country code",
    "NUTS2 (or equivalent)",
    "NUTS3 (or equivalent)",
)
PROGRAMME = "2014 - 2020 INTERREG V-A Sweden - Norway"


def inputs(*paths: Path) -> list[KeepInput]:
    return [
        KeepInput(p.name, n, p, f"sha-{n}", p.as_uri(), p.stat().st_size, False)
        for n, p in enumerate(paths, start=1)
    ]


def legacy_workbook(path: Path, projects: list[tuple], partners: list[tuple]) -> Path:
    path.write_bytes(
        workbook_bytes(
            {
                "Projects (lead partners)": (LEGACY_PROJECT_HEADERS, projects),
                "Partners": (LEGACY_PARTNER_HEADERS, partners),
            }
        )
    )
    return path


def legacy_project(acronym, *, lead="Lead org", budget="892,228.58", eu=758394.29, end=None):
    return (
        PROGRAMME,
        acronym,
        f"Project {acronym}",
        lead,
        "2014-2020",
        budget,
        eu,
        budget,
        "Tourism",
        "2016/01/01",
        end or "2018/12/31",
    )


def legacy_partner(acronym, organisation="Org", lead="No", country=None, nuts2=None):
    country = country or "SE Sweden / SVERIGE"
    return (
        PROGRAMME,
        acronym,
        organisation,
        lead,
        country,
        nuts2 or "SE32  / Mellersta Norrland",
        None,
    )


def rejected_by_check(validated) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for row in validated.rejected.itertuples():
        found.setdefault(row.check_name, []).append(row.row_number)
    return found


# --- quarantine ----------------------------------------------------------------------------------


def test_values_that_fit_no_rule_are_quarantined_with_row_line_and_reason(tmp_path):
    path = legacy_workbook(
        tmp_path / "legacy.xlsx",
        [
            legacy_project("GOOD"),
            legacy_project("DECIMAL-COMMA", budget="892.228,58"),
            legacy_project("SEPARATED-EU", eu="758,394.29"),
            legacy_project("BAD-END", end="2019/02/30"),
        ],
        [legacy_partner("GOOD", lead="Yes"), legacy_partner("GOOD", lead="Maybe")],
    )
    validated = validate_inputs(inputs(path), max_rejected_pct=100)
    rejected = validated.rejected.set_index(["check_name", "row_number", "column_name"])
    budget = rejected.loc[("amount_grouped_format", 2, "Budget")]
    assert budget["file"] == "legacy.xlsx [Projects (lead partners)]"
    assert budget["value"] == "892.228,58"
    assert budget["message"].startswith("sheet row 3: Budget must be an amount")
    assert ("amount_grouped_format", 2, "ERDF budget") in rejected.index
    assert rejected.loc[("amount_plain_format", 3, "EU Funding")]["value"] == "758,394.29"
    assert rejected.loc[("end_date_format", 4, "Project end")]["value"] == "2019/02/30"
    assert rejected.loc[("yes_no_format", 2, "Lead Partner")]["file"] == "legacy.xlsx [Partners]"
    assert list(validated.tables["projects"]["acronym"]) == ["GOOD"]
    assert validated.tables["projects"].loc[0, "total_budget_eur"] == "892228.58"
    assert validated.tables["projects"].loc[0, "eu_funding_eur"] == "758394.29"
    for f in validated.files:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_rejected"], f


def test_a_project_listed_per_lead_partner_loads_when_its_rows_agree(tmp_path):
    path = legacy_workbook(
        tmp_path / "legacy.xlsx",
        [
            legacy_project("TWIN", lead="Norsk institutt"),
            legacy_project("TWIN", lead="SLU"),
            legacy_project("CLASH", budget="1,000.00"),
            legacy_project("CLASH", budget="2,000.00"),
        ],
        [
            legacy_partner("TWIN", "Norsk institutt", "Yes", "NO Norway / NORGE", "NO06"),
            legacy_partner("TWIN", "SLU", "Yes"),
            legacy_partner("CLASH", "Clashing org", "Yes"),
            legacy_partner("NOWHERE", "Lost org", "Yes"),
        ],
    )
    validated = validate_inputs(inputs(path), max_rejected_pct=100)
    assert list(validated.tables["projects"]["lead_partner_name"]) == ["Norsk institutt", "SLU"]
    assert rejected_by_check(validated) == {
        "project_rows_agree": [3, 4],
        "depends_on_rejected_row": [3],
        "references_projects": [4],
    }
    messages = validated.rejected.set_index("check_name")["message"]
    assert "sheet row 4 of 'Projects (lead partners)'" in messages["depends_on_rejected_row"]
    assert list(validated.tables["partners"]["organisation_name"]) == ["Norsk institutt", "SLU"]
    assert list(validated.tables["partners"]["country_code"]) == ["NO", "SE"]
    assert list(validated.tables["partners"]["nuts2_code"]) == ["NO06", "SE32"]
    assert list(validated.tables["partners"]["nuts2_name"]) == [None, "Mellersta Norrland"]


def test_a_partner_row_repeated_cell_for_cell_loads_once_from_its_first_row(tmp_path):
    path = legacy_workbook(
        tmp_path / "legacy.xlsx",
        [legacy_project("TWIN")],
        [
            legacy_partner("TWIN", "Erfurt", "Yes"),
            legacy_partner("TWIN", "Lugo", "No"),
            legacy_partner("TWIN", "Erfurt", "Yes"),  # the first row again
            legacy_partner("TWIN", "Erfurt", "No"),  # the same organisation, another role
            legacy_partner("TWIN", "Erfurt", "Yes"),
        ],
    )
    validated = validate_inputs(inputs(path), max_rejected_pct=100)
    assert rejected_by_check(validated) == {"listed_once": [3, 5]}
    assert validated.rejected.iloc[0]["value"] == "TWIN / Erfurt"
    partners = validated.tables["partners"]
    assert list(zip(partners["organisation_name"], partners["lead_partner"], strict=True)) == [
        ("Erfurt", "Yes"),
        ("Lugo", "No"),
        ("Erfurt", "No"),
    ]


def test_a_sheet_with_too_many_rows_quarantined_fails_the_run(tmp_path):
    path = legacy_workbook(
        tmp_path / "legacy.xlsx",
        [legacy_project(f"P{n}", budget="1.000,00") for n in range(5)] + [legacy_project("OK")],
        [],
    )
    with pytest.raises(ContractError) as caught:
        validate_inputs(inputs(path), max_rejected_pct=10)
    message = str(caught.value)
    assert "legacy.xlsx [Projects (lead partners)]" in message
    assert "5 of 6 rows (83.33 %)" in message and "amount_grouped_format Budget: 5" in message


def row(headers: tuple[str, ...], **cells) -> tuple:
    values = dict.fromkeys(headers) | {"Programme": "Interreg Europe"}
    values |= {k.replace("_", " "): v for k, v in cells.items()}
    return tuple(values[h] for h in headers)


def test_current_layout_partners_belong_to_projects_by_id_or_acronym(tmp_path):
    id_column = "Project ID (2021-2027 only)"
    projects = [
        row(PROJECT_HEADERS, Period="2014-2020", Project_acronym="A"),
        row(PROJECT_HEADERS, Period="2021-2027", Project_acronym="A", Project_end="N.a.")[:2]
        + ("01-0001",)
        + row(PROJECT_HEADERS, Project_acronym="A", Project_end="N.a.")[3:],
    ]
    partner = {"Project_acronym": "A", "Lead_partner": "No"}
    partners = [
        row(PARTNER_HEADERS, **partner, Organisation_in_English="X", Country_code="GR"),
        row(PARTNER_HEADERS, **partner, Organisation_in_language_2="Y"),
        row(PARTNER_HEADERS, **partner, Organisation_in_English="Z"),
        row(PARTNER_HEADERS, **partner),
    ]
    position = PARTNER_HEADERS.index(id_column)
    partners[1] = partners[1][:position] + ("01-0001",) + partners[1][position + 1 :]
    partners[2] = partners[2][:position] + ("01-9999",) + partners[2][position + 1 :]
    path = tmp_path / "current.xlsx"
    path.write_bytes(
        workbook_bytes(
            {
                "Search results, projects": (PROJECT_HEADERS, projects),
                "Search results, partners": (PARTNER_HEADERS, partners),
            }
        )
    )
    validated = validate_inputs(inputs(path), max_rejected_pct=100)
    assert rejected_by_check(validated) == {"organisation_named": [4], "references_projects": [3]}
    assert list(validated.tables["projects"]["end_date"]) == [None, None]
    assert list(validated.tables["projects"]["project_id"]) == [None, "01-0001"]
    assert list(validated.tables["partners"]["country_code"]) == ["GR", None]


# --- the screen: Pandera runs only where something may fail ------------------------------------

MESSY = [
    "892.228,58", "1,234", "-5", "abc", "2019/02/30", "31/12/2022", "N.a.", "-", "  ", True,
    False, 0.125, 1234.5600000000002, -0.0, 0.0, 42461, 1e20, "=HYPERLINK(\"http://x\")",
    "Yes", "no", "MAYBE", "DE", "de x", "DEG0  / Thüringen", "/ Only name", "XX123456",
    "2016-04-01", datetime(2016, 4, 1), datetime(2016, 4, 1, 12, 30), 7, "1,234,567.00",
    "758394.29", None,
]  # fmt: skip


def messy(rows: list[tuple], seed: int, rate: float = 0.05) -> list:
    rng = random.Random(seed)
    out = []
    for cells in rows:
        out.append(tuple(rng.choice(MESSY) if rng.random() < rate else c for c in cells))
    return out


def listed_twice(rows: list[tuple]) -> list[tuple]:
    """Some rows again, cell for cell, after the others."""
    return rows + rows[5:8] + rows[100:101]


@pytest.mark.parametrize("layout", ["current", "legacy"])
def test_the_screen_lets_pandera_find_exactly_what_it_finds_on_the_whole_sheet(
    tmp_path, monkeypatch, layout
):
    if layout == "current":
        projects = [
            row(PROJECT_HEADERS, Period="2014-2020", Project_acronym=f"P{n % 40}")
            for n in range(60)
        ]
        partners = [
            row(PARTNER_HEADERS, Project_acronym=f"P{n % 50}", Lead_partner="No",
                Organisation_in_English=f"Org {n}", Country_code="DE Germany")
            for n in range(200)
        ]  # fmt: skip
        sheets = {
            "Search results, projects": (PROJECT_HEADERS, messy(projects, 1)),
            "Search results, partners": (PARTNER_HEADERS, listed_twice(messy(partners, 2))),
        }
    else:
        projects = [legacy_project(f"P{n % 40}", lead=f"Lead {n % 3}") for n in range(60)]
        partners = [legacy_partner(f"P{n % 50}", f"Org {n}") for n in range(200)]
        sheets = {
            "Projects (lead partners)": (
                LEGACY_PROJECT_HEADERS,
                messy(projects, 3, rate=0.03),
            ),
            "Partners": (LEGACY_PARTNER_HEADERS, listed_twice(messy(partners, 4))),
        }
    path = tmp_path / f"{layout}.xlsx"
    path.write_bytes(workbook_bytes(sheets))
    screened = validate_inputs(inputs(path), max_rejected_pct=100)
    checks = set(screened.rejected["check_name"])
    assert {"project_rows_agree", "required", "listed_once"} <= checks, checks  # messy enough
    assert len(checks) >= 5, checks
    # The same, with Pandera on every row of every sheet, as before the screen.
    monkeypatch.setattr(
        validate_module, "suspects", lambda read, parsed: np.ones(len(read.frame), dtype=bool)
    )
    whole = validate_inputs(inputs(path), max_rejected_pct=100)
    pd.testing.assert_frame_equal(screened.rejected, whole.rejected)
    for table in screened.tables:
        pd.testing.assert_frame_equal(screened.tables[table], whole.tables[table])
    assert screened.files == whole.files


# --- the real legacy files -----------------------------------------------------------------


def cents(text: str) -> Decimal:
    """The test's own reading of a legacy amount: text with ',' groups, or a number cell."""
    if isinstance(text, str):
        assert re.fullmatch(r"[0-9,]+\.[0-9]{2}|[0-9]+(\.[0-9]{1,2})?", text), text
        return Decimal(text.replace(",", ""))
    return Decimal(repr(text)).quantize(Decimal("0.01"))


@pytest.fixture(scope="module")
def legacy(shared_data):
    folder = shared_data / "keep_eu_legacy"
    xlsx, csv_file = (
        folder / "keep_closed_1420_dev.xlsx",
        folder / "keep_closed_1420_Partnership_dev.csv",
    )
    return xlsx, csv_file, validate_inputs(inputs(xlsx, csv_file), max_rejected_pct=1)


def test_every_row_of_the_real_legacy_files_is_accounted_for(legacy):
    _, _, validated = legacy
    counts = {
        f["file"]: (f["rows_read"], f["rows_loaded"], f["rows_rejected"]) for f in validated.files
    }
    assert counts == {
        "keep_closed_1420_dev.xlsx [Projects (lead partners)]": (1497, 1497, 0),
        "keep_closed_1420_dev.xlsx [Partners]": (6690, 6689, 1),
        "keep_closed_1420_dev.xlsx [Calls]": (90, 90, 0),
        "keep_closed_1420_Partnership_dev.csv": (6690, 6689, 1),
    }
    # keep.eu lists VASAB twice in Baltic LINes: "VASAB\xa0" (sheet row 5719), then "VASAB"
    # (row 5725), equal in every column once the cells are read.
    rejected = validated.rejected
    assert list(zip(rejected["row_number"], rejected["check_name"], strict=True)) == [
        (5724, "listed_once"),
        (5724, "listed_once"),
    ]
    assert set(rejected["value"]) == {"Baltic LINes / VASAB"}
    assert validated.drift == {}
    assert len(validated.tables["partners"]) == 2 * 6689  # VASAB once in each file


def test_real_budget_sums_are_exact_to_the_cent(legacy):
    xlsx, _, validated = legacy
    workbook = openpyxl.load_workbook(xlsx, read_only=True, data_only=True)
    rows = list(workbook["Projects (lead partners)"].iter_rows(values_only=True))
    header = rows[0]
    records = [dict(zip(header, r, strict=True)) for r in rows[1:] if any(r)]
    calls = list(workbook["Calls"].iter_rows(values_only=True))
    workbook.close()
    loaded = validated.tables["projects"]
    for column, raw in (
        ("Budget", "total_budget_eur"),
        ("EU Funding", "eu_funding_eur"),
        ("ERDF budget", "erdf_budget_eur"),
    ):
        expected = sum((cents(r[column]) for r in records if r[column] is not None), Decimal(0))
        got = sum((Decimal(v) for v in loaded[raw].dropna()), Decimal(0))
        assert got == expected, column
    assert sum(Decimal(v) for v in loaded["total_budget_eur"]) == Decimal("3574798239.31")
    call_budgets = [cents(r[4]) for r in calls[1:] if r and r[0] and r[4] is not None]
    assert sum(Decimal(v) for v in validated.tables["calls"]["budget_eur"].dropna()) == sum(
        call_budgets
    )


def test_real_nuts_and_country_cells_come_out_as_plain_codes(legacy):
    _, csv_file, validated = legacy
    partners = validated.tables["partners"]
    with csv_file.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle, delimiter=";"))
    quarantined = validated.rejected[validated.rejected["file"] == csv_file.name]
    records = [r for n, r in enumerate(records, 1) if n not in set(quarantined["row_number"])]
    for level in ("NUTS1", "NUTS2", "NUTS3"):
        cells = [r[f"{level} (or equivalent)"] for r in records]
        coded = [c for c in cells if re.match(r"\s*[A-Z]{2}[0-9A-Z]*\s*/", c)]
        codes = partners[partners["source_file"] == csv_file.name][f"{level.lower()}_code"]
        plain = codes.dropna().map(lambda c: bool(re.fullmatch(r"[A-Z]{2}[0-9A-Z]{0,3}", c)))
        assert plain.sum() >= 0.99 * len(coded), level
        expected = [c.split("/")[0].strip() if c.strip() else None for c in cells]
        assert list(codes) == expected, level
    assert {"RS", "AL", "BA", "ME", "EL", "UK", "CH", "NO"} <= set(partners["country_code"])
    assert partners["country_code"].isna().sum() == 2  # one empty cell, in both files
    names = dict(zip(partners["country_code"], partners["country_name"], strict=True))
    assert names["DE"] == "Germany / DEUTSCHLAND" and names["RS"] == "Serbia"


def test_the_real_legacy_export_converted_to_the_current_layout_reads_the_same(legacy, tmp_path):
    xlsx, _, validated = legacy
    converted = tmp_path / "converted.xlsx"
    converted.write_bytes(convert_legacy(xlsx))
    current = validate_inputs(inputs(converted), max_rejected_pct=1)
    counts = {f["file"]: (f["rows_read"], f["rows_rejected"]) for f in current.files}
    assert counts == {
        "converted.xlsx [Search results, projects]": (1458, 0),  # one row per project
        "converted.xlsx [Search results, partners]": (6690, 1),  # VASAB, listed twice
    }
    legacy_projects = validated.tables["projects"].drop_duplicates(["programme", "acronym"])
    for column in ("total_budget_eur", "eu_funding_eur", "start_date", "end_date"):
        assert list(current.tables["projects"][column]) == list(legacy_projects[column]), column
    legacy_partners = validated.tables["partners"].iloc[:6689]
    for column in ("nuts2_code", "nuts3_code", "organisation_name"):
        assert list(current.tables["partners"][column]) == list(legacy_partners[column])
    iso = current.tables["partners"]["country_code"]
    assert {"GR", "GB"} <= set(iso) and not {"EL", "UK"} & set(iso)  # mapped in dbt
