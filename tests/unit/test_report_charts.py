"""Trend charts: a title, axes with round ticks and a unit, the last value labelled."""

from __future__ import annotations

import re
from datetime import date

from pipelines.report.charts import Series, line_chart, nice_step, y_ticks, year_ticks


def test_ticks_are_round_and_reach_the_maximum():
    assert y_ticks(16_150) == [0, 5_000, 10_000, 15_000, 20_000]
    assert y_ticks(1_474.04) == [0, 500, 1_000, 1_500]
    assert y_ticks(258) == [0, 100, 200, 300]
    assert y_ticks(0) == [0, 1]
    assert y_ticks(2, whole=True) == [0, 1, 2]
    assert y_ticks(0.3) == [0, 0.1, 0.2, 0.3]
    assert nice_step(10) == 2.5


def test_year_ticks_are_the_first_of_january_and_at_most_eight():
    assert year_ticks(date(2016, 3, 31), date(2018, 6, 30)) == [date(2017, 1, 1), date(2018, 1, 1)]
    assert len(year_ticks(date(2000, 1, 31), date(2024, 5, 15))) <= 8


def test_a_chart_has_its_title_unit_axes_lines_and_end_labels():
    dates = [date(2016, 3, 31), date(2017, 12, 31), date(2024, 5, 15)]
    svg = str(
        line_chart(
            "chart-x",
            "Policy instruments influenced",
            "policy instruments",
            dates,
            [Series("All", [0, 500, 1290]), Series("Structural Funds", [0, 200, 633])],
            ["1,290", "633"],
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert (
        '<title id="chart-x-title">Policy instruments influenced, policy instruments</title>' in svg
    )
    assert 'aria-labelledby="chart-x-title chart-x-desc"' in svg
    ticks = re.findall(r'class="tick"[^>]*>([^<]+)<', svg)
    assert ticks[:4] == ["0", "500", "1,000", "1,500"]
    assert "2017" in ticks and "2024" in ticks
    assert ">policy instruments</text>" in svg  # the unit on the y axis
    assert svg.count("<polyline") == 2 and 'stroke-dasharray="6 4"' in svg
    assert ">1,290</text>" in svg and ">633</text>" in svg


def test_text_is_escaped():
    svg = str(line_chart("c", "A <b> & C", "u", [date(2020, 1, 31)], [Series("s", [1])], ["1"]))
    assert "A &lt;b&gt; &amp; C" in svg and "<b>" not in svg
