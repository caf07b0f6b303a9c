"""The fast path of validation changes nothing but the time it takes.

validate_export reads each file with DuckDB and screens it with the contract as SQL; only
a file that may break a rule goes through the exact parser and Pandera. These tests hold
the fast path to the exact one:

* the reader: whatever DuckDB reads (read_contract_csv_fast does not give up), the exact
  parser reads too, with the same values and record numbers; fuzzed CSV, weighted to
  what differs between CSV readers (quotes, blanks around them, line ends, field counts);
* the screen: on a small valid export with one value changed at a time, in every column,
  to forms that break rules (or nearly do), the SQL screen passes the file exactly when
  Pandera and the reference checks find nothing;
* whole runs, with the cascade: validate_export gives the same accepted rows, quarantine,
  loaded tables and errors with the fast path as without it.
"""

from __future__ import annotations

import random
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from support.exports import Rows, write_export
from support.tiny_export import valid_export

import pipelines.sources.monitoring.validate as validate_module
from pipelines.errors import ContractError
from pipelines.sources.monitoring.parse import read_contract_csv, read_contract_csv_fast
from pipelines.sources.monitoring.validate import validate_export
from pipelines.warehouse.load import load_export
from schemas.monitoring_contract import INDICATORS, MONITORING

# --- the reader ------------------------------------------------------------------------------

HEADER = "indicator_code,name,unit,kind"
PIECES = ["a", "b c", "é", "", ",", '"', '""', " ", "\t", "\n", "\r\n", "\r", "x\x00y", "'"]


def random_field(rng: random.Random) -> str:
    text = "".join(rng.choice(PIECES) for _ in range(rng.choice([0, 1, 1, 2, 3])))
    form = rng.random()
    if form < 0.35:  # quoted, as a writer would
        text = '"' + text.replace('"', '""') + '"'
    elif form < 0.45:  # quoted, with blanks around the quotes
        text = rng.choice(["", " ", "\t"]) + '"' + text + '"' + rng.choice(["", " ", "  "])
    elif form < 0.75:  # plain: no specials
        text = "".join(c for c in text if c not in ',"\r\n')
    return text


def random_csv(rng: random.Random) -> bytes:
    records = [HEADER + rng.choice([",note", ""]) if rng.random() < 0.2 else HEADER]
    width = len(records[0].split(","))
    for _ in range(rng.randint(0, 6)):
        fields = width + rng.choice([0, 0, 0, 0, 0, 0, -1, 1])
        record = ",".join(random_field(rng) for _ in range(max(fields, 1)))
        if rng.random() < 0.05:
            record += ","  # a trailing delimiter
        if rng.random() < 0.05:
            record = rng.choice(["", " "])  # a blank line
        records.append(record)
    ends = [rng.choice(["\n", "\n", "\r\n", "\r"]) for _ in records]
    if rng.random() < 0.6:  # one line end throughout, as files mostly have
        ends = [ends[0]] * len(records)
    text = "".join(r + e for r, e in zip(records, ends, strict=True))
    if rng.random() < 0.2:
        text = text.rstrip("\r\n")
    data = text.encode("utf-8")
    if rng.random() < 0.1:
        data = b"\xef\xbb\xbf" + data
    return data


def fast_rows(con: duckdb.DuckDBPyConnection, table: str, header: list[str]) -> list[tuple]:
    columns = ", ".join(f'"{h}"' for h in header)
    return con.execute(f'SELECT _row_number, {columns} FROM "{table}" ORDER BY 1').fetchall()


def exact_rows(path: Path, header: list[str]) -> list[tuple]:
    frame = read_contract_csv(path, INDICATORS).frame
    return [
        tuple(None if pd.isna(v) else v for v in row)
        for row in frame[["_row_number", *header]].itertuples(index=False)
    ]


def test_whatever_duckdb_reads_the_exact_parser_reads_alike(tmp_path):
    rng = random.Random(6)
    con = duckdb.connect()
    taken = 0
    for case in range(600):
        data = random_csv(rng)
        path = tmp_path / f"case{case}.csv"
        path.write_bytes(data)
        fast = read_contract_csv_fast(con, path, INDICATORS, table="t")
        if fast is None:
            continue
        taken += 1
        try:
            expected = exact_rows(path, fast.header)
        except ContractError as error:
            pytest.fail(f"DuckDB read what the exact parser refuses ({error}): {data!r}")
        assert fast_rows(con, "t", fast.header) == expected, repr(data)
        assert fast.rows == len(expected)
    assert taken > 100  # the fuzz reaches the fast path often enough to mean something


@pytest.mark.parametrize(
    "content",
    [
        b'indicator_code,name,unit,kind\nO1,"a" ,n,output\n',  # blank after a closing quote
        b'indicator_code,name,unit,kind\nO1, "a",n,output\n',  # blank before an opening one
        b"indicator_code,name,unit,kind\nO1,a,n,output,\n",  # a trailing delimiter
        b"indicator_code,name,unit,kind\nO1,a,n,output,,\n",
        b"indicator_code,name,unit,kind\nO1,a,n\n",  # a field short
        b"\nindicator_code,name,unit,kind\nO1,a,n,output\n",  # a blank line first
        b"indicator_code,name,unit,kind\nO1,caf\xe9,n,output\n",  # not UTF-8
        b"indicator_code,name,unit,kind\nO1,a\x00,n,output\n",  # NUL in the first 4 KiB
        b"indicator_code,name,unit\nO1,a,n\n",  # a required column missing
        b'indicator_code,name,unit,kind\nO1,a,n,"output\n',  # a quote open at the end
        b'indicator_code,name,unit,kind\nO1,a,n,output\nO2,a,n,output,"x',
    ],
)
def test_files_the_readers_may_read_differently_take_the_exact_parser(tmp_path, content):
    path = tmp_path / "indicators.csv"
    path.write_bytes(content)
    assert read_contract_csv_fast(duckdb.connect(), path, INDICATORS, table="t") is None


def test_a_record_count_other_than_the_manifests_takes_the_exact_parser(tmp_path):
    path = tmp_path / "indicators.csv"
    path.write_bytes(b"indicator_code,name,unit,kind\nO1,a,n,output\n")
    con = duckdb.connect()
    assert read_contract_csv_fast(con, path, INDICATORS, table="t", expected_rows=1) is not None
    assert read_contract_csv_fast(con, path, INDICATORS, table="t", expected_rows=2) is None


# --- the screen ------------------------------------------------------------------------------


def tiny_export() -> dict[str, Rows]:
    """The unit tests' valid export (support/tiny_export.py), with what CSV readers differ on:
    quotes and a comma in the titles, a line break in a description; and a second,
    submitted version of every report."""
    files = valid_export()
    for n, record in enumerate(files["projects.csv"], start=1):
        record["title"] = f'Project {n}, "quoted"'
    files["policy_changes.csv"][0]["description"] = "a new call,\nwith a second line"
    files["progress_reports.csv"] += [
        record | {"report_id": f"{record['report_id']}V2", "version": "2", "status": "submitted",
                  "approved_on": ""}
        for record in files["progress_reports.csv"]
    ]  # fmt: skip
    return files


def outcome(paths, rows, *, fast: bool, monkeypatch) -> tuple:
    """What validate_export gives (and what loads), or the error it raises."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(validate_module, "read_contract_csv_fast", lambda *a, **k: None)
        try:
            result = validate_export(paths, rows, max_rejected_pct=100)
        except ContractError as error:
            return ("error", str(error))
    if fast:
        assert result.fast_files  # the fast path was taken, for the files it could take
    con = duckdb.connect()
    load_export(con, MONITORING, result.tables)
    loaded = {
        spec.table: con.execute(f"SELECT * FROM raw_monitoring.{spec.table} ORDER BY 1").fetchall()
        for spec in MONITORING.files
    }
    frames = {t: result.tables[t].to_dict("list") for t in result.tables}
    return (
        result.rejected.to_dict("list"),
        result.row_counts,
        result.drift,
        result.missing_columns,
        loaded,
        frames,
    )


# Values that break (or nearly break) some rule of some column type.
MUTATIONS = [
    "",
    " ",
    "x",
    "1.234,56",
    "12.345",
    "-1",
    "0",
    "5",
    "2022-02-30",
    "2024-02-29",
    "0000-01-01",
    "2016-3-01",
    "2016-03-01 ",
    "\u0663",
    "1e3",
    "9999999999999999.99",
    "10000000000000000",
    "PGI0001",
    "PGI00002",
    "PGI00001-P03",
    "lead",
    "Approved",
    "validated",
    "EL4",
    "el43",
    "R2",
    "I2",
    "O9",
    "a\nb",
]


# ... and what is close to the edge of a rule of the type (each run costs Pandera's time).
BY_TYPE = {
    "date": ["2022-02-30", "0000-01-01", "2016-13-01", "2016-03-01 ", "2015-02-29"],
    "amount": ["12.345", "10000000000000000", "1.234,56", "12.", ".5", "-1.00"],
    "integer": ["-1", "0", "5", "13", "1.0", "99999999999999999999"],
    "code": ["x", "Approved", "el43", "PGI0001", ""],
    "text": ["", " ", "a\nb"],
}


def cases() -> list[tuple[str, int, str, str]]:
    """One value per column from MUTATIONS, one from its type's edge."""
    rng = random.Random(2014)
    found = []
    files = tiny_export()
    for spec in MONITORING.files:
        for column in spec.columns:
            row = rng.randrange(len(files[spec.name]))
            found.append((spec.name, row, column.name, rng.choice(MUTATIONS)))
            found.append((spec.name, row, column.name, rng.choice(BY_TYPE[column.type])))
    return found


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The tiny export read the fast way: DuckDB keeps the keys of every referenced file."""
    paths, rows = write_export(tmp_path_factory.mktemp("clean"), tiny_export())
    con = duckdb.connect()
    referenced = {}
    for spec in MONITORING.files:
        for ref in spec.references:
            referenced.setdefault(ref.file, set()).update(ref.target_columns)
    for spec in MONITORING.load_order():
        read = read_contract_csv_fast(con, paths[spec.name], spec, table="clean")
        assert read is not None and validate_module._screen(con, spec, read), spec.name
        if spec.name in referenced:
            columns = sorted(referenced[spec.name])
            validate_module._keep_keys_from_table(con, spec, "clean", columns)
    yield con
    con.close()


@pytest.mark.parametrize("file, row, column, value", cases())
def test_the_screen_passes_a_file_exactly_when_pandera_and_the_references_do(
    tmp_path, clean, file, row, column, value
):
    """One changed value: the DuckDB screen's verdict is the exact path's, file by file."""
    spec = MONITORING.file(file)
    files = tiny_export()
    files[file][row][column] = value
    path = write_export(tmp_path, files)[0][file]

    read = read_contract_csv_fast(clean, path, spec, table="case")
    if read is None:  # DuckDB reads it otherwise: the exact path takes it whole
        return
    passed = validate_module._screen(clean, spec, read)

    frame = read_contract_csv(path, spec).frame
    found = [validate_module.schema_failures(spec, frame, source="monitoring")]
    for ref in spec.references:
        target, mask = validate_module._keys_frame(clean, ref.file)
        found.append(
            validate_module.reference_failures(spec, frame, ref, target, mask, source="monitoring")
        )
    assert passed == all(len(f) == 0 for f in found), pd.concat(found).to_dict("records")


# A few whole runs, with the cascade: the same outcome with the fast path and without.
WHOLE_RUNS = [
    ("projects.csv", 0, "start_date", "01.04.2016"),
    ("projects.csv", 1, "erdf_eur", "9999999999999999.99"),
    ("partners.csv", 1, "partner_id", "PGI00002-P02"),
    ("progress_reports.csv", 0, "approved_on", ""),
    ("indicator_values.csv", 0, "value", "1,5"),
    ("policy_instruments.csv", 0, "partner_id", "PGI00002-P01"),
    ("good_practices.csv", 1, "validated_on", "2018-01-01"),
]


@pytest.mark.parametrize("file, row, column, value", WHOLE_RUNS)
def test_one_changed_value_validates_alike_with_and_without_the_fast_path(
    tmp_path, monkeypatch, file, row, column, value
):
    files = tiny_export()
    files[file][row][column] = value
    paths, rows = write_export(tmp_path / "export", files)
    assert outcome(paths, rows, fast=True, monkeypatch=monkeypatch) == outcome(
        paths, rows, fast=False, monkeypatch=monkeypatch
    )


@pytest.mark.parametrize(
    "change",
    ["duplicate_key", "duplicate_acronym", "two_leads", "no_lead", "dangling", "drift", "absent"],
)
def test_rules_across_rows_and_files_validate_alike_with_and_without_the_fast_path(
    tmp_path, monkeypatch, change
):
    files = tiny_export()
    if change == "duplicate_key":
        files["indicator_values.csv"].append(dict(files["indicator_values.csv"][0]))
    elif change == "duplicate_acronym":
        files["projects.csv"][1]["acronym"] = files["projects.csv"][0]["acronym"]
    elif change == "two_leads":
        files["partners.csv"][1]["role"] = "lead"
    elif change == "no_lead":
        files["partners.csv"][0]["role"] = "partner"
    elif change == "dangling":
        files["policy_changes.csv"][0]["instrument_id"] = "I2"
    elif change == "drift":
        for record in files["projects.csv"]:
            record["exporter_note"] = "from iOLF"
    elif change == "absent":  # an optional column left out of the header
        for record in files["projects.csv"]:
            del record["website"]
    paths, rows = write_export(tmp_path / "export", files)
    assert outcome(paths, rows, fast=True, monkeypatch=monkeypatch) == outcome(
        paths, rows, fast=False, monkeypatch=monkeypatch
    )


def test_a_clean_export_is_accepted_whole_by_the_fast_path(tmp_path):
    paths, rows = write_export(tmp_path / "export", tiny_export())
    result = validate_export(paths, rows)
    assert sorted(result.fast_files) == sorted(MONITORING.file_names)
    assert len(result.rejected) == 0
