"""The headline figures as cards, every figure exactly, and a line chart of each over time:
the page's top half, from marts.headline_results only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from pipelines.report import phrasing
from pipelines.report.charts import COLOURS, DASHES, Series, line_chart
from pipelines.report.data import ReportData
from pipelines.warehouse.summary import FIGURES


@dataclass(frozen=True)
class Card:
    key: str  # the marts.headline_results column
    phrase: str  # "close to 15,000"
    label: str  # "policy-learning events"
    exact: str  # "14,980" / "EUR 1,474,038,108.11"
    value: str  # the mart's value, as text (data-value)
    detail: str | None = None


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    svg: str
    legend: list[tuple[str, str | None, str]]  # colour, dash pattern, label
    table: str = ""  # the chart's numbers as an HTML table, beside it


def headline_cards(figures: dict[str, object]) -> list[Card]:
    """The headline figures as the results page words them; exact values alongside."""
    f = figures

    def count(key: str, label: str, detail: str | None = None) -> Card:
        value = int(f[key])
        return Card(
            key, phrasing.approximate(value), label, phrasing.thousands(value), str(value), detail
        )

    def money(key: str, label: str, detail: str | None = None) -> Card:
        amount = Decimal(str(f[key]))
        return Card(key, phrasing.meur(amount), label, phrasing.euro(amount), str(amount), detail)

    involved, eligible = int(f["nuts2_regions_involved"]), int(f["nuts2_regions_eligible"])
    sf_changes = int(f["policy_instruments_influenced_sf"])
    return [
        count("projects", "projects approved"),
        count("policy_learning_events", "policy-learning events"),
        count(
            "good_practices_identified",
            "good practices identified",
            f"{phrasing.thousands(int(f['good_practices_validated']))} validated by experts",
        ),
        count("people_with_increased_capacity", "people with increased professional capacity"),
        count("action_plans", "action plans"),
        count(
            "policy_instruments_influenced",
            "policy instruments influenced",
            f"{phrasing.thousands(sf_changes)} of them Structural Funds programmes",
        ),
        money(
            "financial_impact_eur",
            "of funds influenced by the changes",
            f"{phrasing.meur(Decimal(str(f['financial_impact_sf_eur'])))} of it Structural Funds",
        ),
        Card(
            "nuts2_regions_involved",
            f"{phrasing.thousands(involved)} of {phrasing.thousands(eligible)}",
            "NUTS 2 regions involved",
            phrasing.thousands(involved),
            str(involved),
            f"{phrasing.percent(f['nuts2_coverage_pct'])} of the programme area",
        ),
        money("programme_budget_eur", "programme budget (ERDF)"),
    ]


def exact_rows(figures: dict[str, object]) -> list[tuple[str, str, str]]:
    """(column, label, value as printed) for every figure of the mart."""
    rows = []
    for key, label in FIGURES.items():
        value = figures[key]
        if key == "nuts2_coverage_pct":
            shown = phrasing.thousands(Decimal(str(value)), 1)
        elif isinstance(value, Decimal):
            shown = phrasing.thousands(value, 2)
        else:
            shown = phrasing.thousands(int(value))
        rows.append((key, label, shown))
    return rows


@dataclass(frozen=True)
class Trend:
    chart_id: str
    title: str
    unit: str  # of the y axis
    columns: tuple[tuple[str, str], ...]  # (column of marts.headline_results, line label)
    money: bool = False  # EUR in the mart, MEUR on the chart


TRENDS = [
    Trend("projects", "Projects approved", "projects", (("projects", "Projects"),)),
    Trend("events", "Policy-learning events", "events", (("policy_learning_events", "Events"),)),
    Trend(
        "practices",
        "Good practices",
        "good practices",
        (("good_practices_identified", "Identified"), ("good_practices_validated", "Validated")),
    ),
    Trend(
        "people",
        "People with increased professional capacity",
        "people",
        (("people_with_increased_capacity", "People"),),
    ),
    Trend("plans", "Action plans", "action plans", (("action_plans", "Action plans"),)),
    Trend(
        "instruments",
        "Policy instruments influenced",
        "policy instruments",
        (
            ("policy_instruments_influenced", "All"),
            ("policy_instruments_influenced_sf", "Structural Funds"),
        ),
    ),
    Trend(
        "impact",
        "Funds influenced by policy changes",
        "MEUR",
        (("financial_impact_eur", "All"), ("financial_impact_sf_eur", "Structural Funds")),
        money=True,
    ),
    Trend(
        "regions",
        "NUTS 2 regions involved",
        "regions",
        (("nuts2_regions_involved", "Involved"), ("nuts2_regions_eligible", "In the programme")),
    ),
]


def trend_charts(data: ReportData) -> list[Chart]:
    dates = list(data.series)
    charts = []
    for trend in TRENDS:
        series, labels = [], []
        for column, label in trend.columns:
            raw = [row[column] for row in data.series.values()]
            if trend.money:
                series.append(Series(label, [phrasing.meur_number(v) for v in raw]))
                labels.append(phrasing.thousands(Decimal(str(raw[-1])) / phrasing.MILLION))
            else:
                series.append(Series(label, [int(v) for v in raw]))
                labels.append(phrasing.thousands(int(raw[-1])))
        chart_id = f"chart-{trend.chart_id}"
        svg = line_chart(
            chart_id, trend.title, trend.unit, dates, series, labels, whole=not trend.money
        )
        legend = [
            (COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)], s.label)
            for i, s in enumerate(series)
        ]
        table = series_table(
            trend, dates, [[data.series[d][c] for d in dates] for c, _ in trend.columns]
        )
        charts.append(
            Chart(chart_id, trend.title, str(svg), legend if len(series) > 1 else [], table)
        )
    return charts


def series_table(trend: Trend, dates: list, columns: list[list]) -> str:
    """The chart's values at every date, exact (EUR for money), for screen readers and
    anyone who wants the numbers rather than the line."""
    places = 2 if trend.money else 0
    head = "".join(
        f'<th scope="col" class="num">{escape(label)}{", EUR" if trend.money else ""}</th>'
        for _, label in trend.columns
    )
    body = "".join(
        f'<tr><th scope="row">{day.isoformat()}</th>'
        + "".join(f'<td class="num">{phrasing.thousands(col[i], places)}</td>' for col in columns)
        + "</tr>"
        for i, day in enumerate(dates)
    )
    return (
        f'<table class="series" data-chart="{trend.chart_id}"><thead><tr>'
        f'<th scope="col">As of</th>{head}</tr></thead><tbody>{body}</tbody></table>'
    )
