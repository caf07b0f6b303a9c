"""Numbers phrased for people, the way the programme's results page words them."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from pipelines.report.phrasing import (
    approximate,
    axis_number,
    euro,
    long_date,
    meur,
    percent,
    rounding_step,
    thousands,
)


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        (14_980, "close to 15,000"),
        (5_531, "over 5,500"),
        (16_150, "over 16,000"),
        (22_520, "over 22,500"),
        (1_290, "close to 1,300"),
        (1_701, "over 1,700"),
        (5_870, "close to 5,900"),
        (3_215, "over 3,200"),
        (99_950, "close to 100,000"),
        (2_410_000, "over 2,400,000"),
        (2_430_000, "close to 2,450,000"),
    ],
)
def test_large_counts_are_rounded_and_say_which_way(value, phrase):
    assert approximate(value) == phrase


@pytest.mark.parametrize("value", [0, 1, 7, 258, 633, 999])
def test_small_counts_stay_exact(value):
    assert approximate(value) == f"{value:,}"


@pytest.mark.parametrize("value", [1_000, 15_000, 5_500, 2_000_000])
def test_round_counts_are_not_qualified(value):
    assert approximate(value) == f"{value:,}"


def test_a_phrase_is_never_more_than_2_5_percent_off_and_never_wrong_way():
    for value in range(1_000, 200_000, 7):
        phrase = approximate(value)
        match = re.fullmatch(r"(over |close to )?([\d,]+)", phrase)
        assert match, phrase
        shown = int(match.group(2).replace(",", ""))
        assert abs(shown - value) <= 0.025 * value, (value, phrase)
        if match.group(1) == "over ":
            assert shown < value, (value, phrase)
        elif match.group(1) == "close to ":
            assert shown > value, (value, phrase)
        else:
            assert shown == value


def test_rounding_step_is_two_significant_digits_halved_below_5():
    assert rounding_step(14_980) == 500
    assert rounding_step(5_531) == 100
    assert rounding_step(1_290) == 50
    assert rounding_step(75) == 1


def test_thousands_and_money():
    assert thousands(14980) == "14,980"
    assert thousands(Decimal("1474038108.11"), 2) == "1,474,038,108.11"
    assert thousands(Decimal("0.125"), 2) == "0.13"  # half-up, not banker's
    assert thousands(Decimal("89.5"), 1) == "89.5"
    assert meur(Decimal("1474038108.11")) == "1,474 MEUR"
    assert meur(Decimal("359326000.00")) == "359 MEUR"
    assert meur(Decimal("1500000"), 1) == "1.5 MEUR"
    assert euro(Decimal("359326000.00")) == "EUR 359,326,000.00"
    assert percent(Decimal("89.5")) == "89.5 %"


def test_dates_and_axis_labels():
    assert long_date(date(2024, 5, 5)) == "5 May 2024"
    assert axis_number(15000.0) == "15,000"
    assert axis_number(2.5) == "2.5"
    assert axis_number(0) == "0"
