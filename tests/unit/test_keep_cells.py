"""The cell rules of keep.eu exports (schemas/keep.py): each amount column has one explicit
rule, and a value that fits none is INVALID (quarantined), never guessed."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from schemas.keep import (
    INVALID,
    read_amount,
    read_amount_grouped,
    read_amount_plain,
    read_country,
    read_date,
    read_end_date,
    read_nuts,
    read_text,
    read_yes_no,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("892,228.58", "892228.58"),
        ("1,234,567.00", "1234567.00"),
        ("500.00", "500.00"),  # no group to separate
        (" 12,000.50 ", "12000.50"),
        (758394.29, "758394.29"),  # a number cell is unambiguous
        (176134, "176134.00"),
        ("1234.56", INVALID),  # this column groups its thousands
        ("1,234", INVALID),  # thousands separator or decimal comma? never guessed
        ("1.234,56", INVALID),
        ("892,228.5", INVALID),
        ("-5.00", INVALID),
        ("12,34.00", INVALID),
        (None, None),
    ],
)
def test_grouped_amounts(cell, expected):
    assert read_amount_grouped(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("758394.29", "758394.29"),
        ("758394.2", "758394.20"),
        ("758394", "758394.00"),
        (758394.29, "758394.29"),
        (784443.6, "784443.60"),
        (1234.5600000000002, "1234.56"),  # binary-float noise from a formula
        (0.125, INVALID),  # not whole cents
        ("758,394.29", INVALID),  # this column has no separators
        ("758394,29", INVALID),
        ("758394.291", INVALID),
        (float("nan"), INVALID),
        (True, INVALID),
        (-1.0, INVALID),
    ],
)
def test_plain_amounts(cell, expected):
    assert read_amount_plain(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1482058.18, "1482058.18"),
        ("1482058.18", "1482058.18"),
        ("1,482,058.18", "1482058.18"),
        ("1,482", INVALID),
        ("1.482.058,18", INVALID),
        ("EUR 100", INVALID),
    ],
)
def test_current_layout_amounts(cell, expected):
    assert read_amount(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2015/10/27", "2015-10-27"),
        ("2015-10-27", "2015-10-27"),
        ("2015-10-27 00:00:00", "2015-10-27"),
        (datetime(2016, 3, 14), "2016-03-14"),
        (datetime(2016, 3, 14, 13, 5), "2016-03-14"),
        (date(2016, 3, 14), "2016-03-14"),
        ("2019/02/30", INVALID),
        ("27/10/2015", INVALID),  # day or month first? never guessed
        ("2015/10-27", INVALID),
        (42461, INVALID),  # serial numbers are the reader's job (it knows the epoch)
        ("N.a.", INVALID),
    ],
)
def test_dates(cell, expected):
    assert read_date(cell) == expected


@pytest.mark.parametrize("cell", ["N.a.", "n.a.", "N/A", "NA", "-", " N.a. "])
def test_an_end_date_can_be_not_available(cell):
    assert read_end_date(cell) is None
    assert read_end_date("2019/09/30") == "2019-09-30"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("DE Germany / DEUTSCHLAND", ("DE", "Germany / DEUTSCHLAND")),
        ("RS  / Serbia", ("RS", "Serbia")),
        ("EL Greece / ΕΛΛΑΔΑ (ELLADA)", ("EL", "Greece / ΕΛΛΑΔΑ (ELLADA)")),
        ("GR", ("GR", None)),  # mapped to EL downstream, in dbt
        ("MK", ("MK", None)),
        ("N/A", None),
        ("  / Kosovo", (None, "Kosovo")),  # a name without a code is still read
        ("Germany", INVALID),
        ("de", INVALID),
    ],
)
def test_country_cells(cell, expected):
    assert read_country(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("DEG0  / Thüringen", ("DEG0", "Thüringen")),
        ("DEG01  / Erfurt, Kreisfreie Stadt", ("DEG01", "Erfurt, Kreisfreie Stadt")),
        ("ITH5 / Emilia-Romagna", ("ITH5", "Emilia-Romagna")),
        ("LT00", ("LT00", None)),
        ("UKI3", ("UKI3", None)),
        ("DEG  / THÜRINGEN", ("DEG", "THÜRINGEN")),
        ("RS12", ("RS12", None)),
        ("n.a.", None),
        (" / Extra-Regio", (None, "Extra-Regio")),
        ("Thüringen", INVALID),
        ("DEG0 Thüringen", INVALID),  # no slash: is "DEG0 T..." a code? not guessed
        ("deg0", INVALID),
    ],
)
def test_nuts_cells(cell, expected):
    assert read_nuts(cell) == expected


def test_yes_no_and_text():
    assert [read_yes_no(v) for v in ("Yes", "no", "YES", True, "Y")] == [
        "Yes",
        "No",
        "Yes",
        "Yes",
        INVALID,
    ]
    assert read_text(103) == "103"  # numeric acronyms exist
    assert read_text(99099.0) == "99099"  # postal codes Excel turned into numbers
    assert read_text(29.012) == "29.012"  # ... kept as Excel shows them
    assert read_text("  ECRR ") == "ECRR"
    assert read_text("   ") is None
