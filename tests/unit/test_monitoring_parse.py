"""Reading a contract file: the "File format" section of the monitoring export contract."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from pipelines.errors import ContractError
from pipelines.sources.monitoring.parse import read_contract_csv
from schemas.monitoring_contract import INDICATORS, PARTNERS, PROJECTS

INDICATOR_HEADER = ["indicator_code", "name", "unit", "kind"]


def csv_text(header: list[str], rows: list[dict[str, str]], *, crlf: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\r\n" if crlf else "\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def indicator(code: str, name: str = "events", unit: str = "number", kind: str = "output"):
    return {"indicator_code": code, "name": name, "unit": unit, "kind": kind}


def values(frame: pd.DataFrame, column: str) -> list:
    return [None if pd.isna(v) else v for v in frame[column]]


def test_bom_crlf_reordered_columns_and_an_extra_column_are_read_and_the_extra_reported(
    tmp_path,
):
    header = ["kind", "exporter_note", "unit", "indicator_code", "name"]
    rows = [
        {**indicator("O1"), "exporter_note": "n1"},
        {**indicator("O2", kind="result"), "exporter_note": ""},
    ]
    path = write(
        tmp_path,
        "indicators.csv",
        b"\xef\xbb\xbf" + csv_text(header, rows, crlf=True).encode("utf-8"),
    )

    parsed = read_contract_csv(path, INDICATORS, expected_rows=2)

    assert parsed.extra_columns == ["exporter_note"]
    assert list(parsed.frame.columns) == ["_row_number", *INDICATOR_HEADER, "exporter_note"]
    assert values(parsed.frame, "indicator_code") == ["O1", "O2"]  # no BOM stuck to a name
    assert values(parsed.frame, "kind") == ["output", "result"]  # no \r left on a value
    assert values(parsed.frame, "exporter_note") == ["n1", None]
    assert parsed.frame["_row_number"].tolist() == [1, 2]


def test_a_quoted_field_with_comma_quote_and_newlines_is_one_record(tmp_path):
    tricky = 'Workshop, "Phase 2"\nsecond line\r\nthird line'
    path = write(
        tmp_path,
        "indicators.csv",
        csv_text(INDICATOR_HEADER, [indicator("O1", name=tricky), indicator("O2")]),
    )

    frame = read_contract_csv(path, INDICATORS, expected_rows=2).frame

    assert values(frame, "name") == [tricky, "events"]
    assert frame["_row_number"].tolist() == [1, 2]


def test_names_in_any_script_round_trip(tmp_path):
    names = ["Περιφέρεια Κρήτης", "Белорусский университет", "Łódź Voivodeship", "Tromsø kommune"]
    path = write(
        tmp_path,
        "indicators.csv",
        csv_text(INDICATOR_HEADER, [indicator(f"O{i}", name=n) for i, n in enumerate(names)]),
    )
    assert values(read_contract_csv(path, INDICATORS).frame, "name") == names


def test_a_spreadsheet_formula_is_kept_as_plain_text(tmp_path):
    formula = '=HYPERLINK("http://x","y")'
    path = write(
        tmp_path, "indicators.csv", csv_text(INDICATOR_HEADER, [indicator("O1", name=formula)])
    )
    assert values(read_contract_csv(path, INDICATORS).frame, "name") == [formula]


def test_an_empty_field_is_null_and_every_value_is_text(tmp_path):
    path = write(tmp_path, "indicators.csv", 'indicator_code,name,unit,kind\nO1,"",,output\n')
    frame = read_contract_csv(path, INDICATORS).frame
    assert values(frame, "name") == [None]
    assert values(frame, "unit") == [None]
    assert frame["indicator_code"].dtype == "string"


def test_invalid_utf8_fails_naming_the_file_and_the_place(tmp_path):
    content = csv_text(INDICATOR_HEADER, [indicator("O1"), indicator("O2")]).encode("utf-8")
    content += "O3,Caf\u00e9,number,output\n".encode("latin-1")  # a lone 0xE9
    path = write(tmp_path, "landed-3f2a.csv", content)

    with pytest.raises(ContractError) as caught:
        read_contract_csv(path, INDICATORS, display_name="indicators.csv")

    message = str(caught.value)
    offset = content.index(bytes([0xE9]))
    assert message.startswith("indicators.csv")
    assert "UTF-8" in message
    assert f"byte offset {offset}" in message
    assert "line 4" in message


def test_a_utf16_file_fails_with_a_clear_message(tmp_path):
    text = csv_text(INDICATOR_HEADER, [indicator("O1")])
    with_bom = write(tmp_path, "indicators.csv", text.encode("utf-16"))
    with pytest.raises(ContractError, match=r"indicators\.csv.*UTF-16.*requires UTF-8"):
        read_contract_csv(with_bom, INDICATORS)

    without_bom = write(tmp_path, "indicators.csv", text.encode("utf-16-le"))
    with pytest.raises(ContractError, match=r"indicators\.csv.*UTF-16.*UTF-8"):
        read_contract_csv(without_bom, INDICATORS)


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\r\n"])
def test_an_empty_file_fails(tmp_path, content):
    path = write(tmp_path, "indicators.csv", content)
    with pytest.raises(ContractError, match=r"^indicators\.csv: is empty: no header row"):
        read_contract_csv(path, INDICATORS)


def test_a_header_only_file_is_an_empty_frame_with_every_column(tmp_path):
    path = write(tmp_path, "indicators.csv", "indicator_code,name,unit,kind\r\n")
    parsed = read_contract_csv(path, INDICATORS, expected_rows=0)
    assert len(parsed.frame) == 0
    assert list(parsed.frame.columns) == ["_row_number", *INDICATOR_HEADER]


def test_missing_required_columns_are_all_named(tmp_path):
    path = write(tmp_path, "indicators.csv", "indicator_code,Unit\nO1,number\n")
    with pytest.raises(ContractError) as caught:
        read_contract_csv(path, INDICATORS)
    error = caught.value
    assert error.file == "indicators.csv" and error.column == "name"
    assert "missing from the header: name, unit, kind" in str(error)
    assert "'Unit' for 'unit'" in str(error)  # a hint at the near miss


def test_a_missing_optional_column_is_added_as_null_and_reported(tmp_path):
    header = [c for c in PROJECTS.column_names if c != "website"]
    row = dict.fromkeys(header, "x")
    path = write(tmp_path, "projects.csv", csv_text(header, [row]))
    parsed = read_contract_csv(path, PROJECTS)
    assert parsed.missing_optional_columns == ["website"]
    assert list(parsed.frame.columns) == ["_row_number", *PROJECTS.column_names]
    assert values(parsed.frame, "website") == [None]


def test_a_column_named_twice_fails(tmp_path):
    path = write(
        tmp_path, "indicators.csv", "indicator_code,name,unit,kind,name\nO1,a,b,output,c\n"
    )
    with pytest.raises(ContractError, match=r"indicators\.csv, column 'name': .*more than once"):
        read_contract_csv(path, INDICATORS)


def test_a_record_with_another_number_of_fields_names_its_row(tmp_path):
    content = 'indicator_code,name,unit,kind\nO1,"a\nb",n,output\nO2,events,number\n'
    path = write(tmp_path, "indicators.csv", content)
    with pytest.raises(ContractError) as caught:
        read_contract_csv(path, INDICATORS)
    assert caught.value.row == 2
    assert str(caught.value).startswith(
        "indicators.csv, row 2: has 3 fields where the header has 4"
    )


def test_broken_quoting_fails_naming_the_file(tmp_path):
    path = write(tmp_path, "indicators.csv", 'indicator_code,name,unit,kind\nO1,"a"b,n,output\n')
    with pytest.raises(ContractError, match=r"indicators\.csv, row 1: is not valid CSV"):
        read_contract_csv(path, INDICATORS)


def test_a_record_count_other_than_the_manifests_fails(tmp_path):
    # Three lines of data, two records: `rows` counts records.
    content = 'indicator_code,name,unit,kind\nO1,"two\nlines",n,output\nO2,events,number,output\n'
    path = write(tmp_path, "indicators.csv", content)
    assert len(read_contract_csv(path, INDICATORS, expected_rows=2).frame) == 2
    with pytest.raises(
        ContractError, match=r"indicators\.csv: has 2 records but the manifest says 3"
    ):
        read_contract_csv(path, INDICATORS, expected_rows=3)


def test_values_are_never_reinterpreted(tmp_path):
    header = list(PARTNERS.column_names)
    row = dict.fromkeys(header, "")
    row.update(
        partner_id="PGI00001-P01",
        postcode="01234",
        budget_eur="1.234,56",
        nuts2_code="NA",
        town="  Oslo ",
    )
    path = write(tmp_path, "partners.csv", csv_text(header, [row]))
    frame = read_contract_csv(path, PARTNERS).frame
    assert values(frame, "postcode") == ["01234"]  # no leading zero lost
    assert values(frame, "budget_eur") == ["1.234,56"]  # the schema judges it, not the reader
    assert values(frame, "nuts2_code") == ["NA"]  # not a missing value
    assert values(frame, "town") == ["  Oslo "]
