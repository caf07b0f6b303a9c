"""Numbers as people read them on a results page.

Counts are phrased the way the programme's own page does ("close to 15,000 policy-learning
events", "over 5,500 good practices"); the exact value is always shown next to them.
Amounts are in million euro (MEUR). Pure functions, no locale: English separators.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# Counts below this stay exact: "258 projects", not "over 250".
EXACT_BELOW = 1_000
MILLION = Decimal(1_000_000)


def thousands(value: int | Decimal | float, places: int = 0) -> str:
    """14980 -> '14,980'; places rounds half-up (Decimal, never via float for Decimals)."""
    # Fast paths (the site prints hundreds of thousands of numbers): a whole number, or a
    # Decimal already at `places` (a DECIMAL(18,2) column), needs no rounding.
    if type(value) is int and places == 0:
        return f"{value:,}"
    if type(value) is Decimal and value.as_tuple().exponent == -places:
        return f"{value:,.{places}f}"
    if isinstance(value, float):
        value = Decimal(repr(value))
    exact = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{exact:,.{places}f}"


def rounding_step(value: int) -> int:
    """The granularity a count is phrased at: two significant digits, halved when the
    leading digit is below 5 so that the phrase stays within about 2.5 % of the value.

    14,980 -> 500, 5,531 -> 100, 22,520 -> 500, 1,290 -> 50.
    """
    digits = len(str(abs(value)))
    step = 10 ** max(digits - 2, 0)
    leading = abs(value) // 10 ** (digits - 1)
    if leading < 5 and step >= 10:
        step //= 2
    return max(step, 1)


def approximate(value: int) -> str:
    """A count for a headline: 14,980 -> 'close to 15,000', 5,531 -> 'over 5,500'.

    Counts below 1,000 and counts that are round already stay exact ('258', '15,000').
    """
    value = int(value)
    if abs(value) < EXACT_BELOW:
        return thousands(value)
    step = rounding_step(value)
    below = (value // step) * step
    above = below + step
    if value == below:
        return thousands(value)
    if value - below < above - value:
        return f"over {thousands(below)}"
    return f"close to {thousands(above)}"


def meur(amount: Decimal | int | float, places: int = 0) -> str:
    """EUR -> million euro: 1,474,038,108.11 -> '1,474 MEUR'."""
    return f"{thousands(Decimal(str(amount)) / MILLION, places)} MEUR"


def meur_number(amount: Decimal | int | float) -> float:
    """EUR -> million euro as a float, for chart geometry only (never for printed values)."""
    return float(Decimal(str(amount)) / MILLION)


def euro(amount: Decimal | int | float) -> str:
    """The exact amount: 'EUR 1,474,038,108.11'."""
    return f"EUR {thousands(Decimal(str(amount)), 2)}"


def percent(value: Decimal | float, places: int = 1) -> str:
    return f"{thousands(Decimal(str(value)), places)} %"


def long_date(day: date) -> str:
    """15 May 2024 (no locale, no leading zero)."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def axis_number(value: float) -> str:
    """A tick label: 15000 -> '15,000', 2.5 -> '2.5', 1500 (MEUR) -> '1,500'."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}".rstrip("0").rstrip(".")
