"""The results site in a real browser: `interreg run` on the bundled sample builds it (the
`site/report` asset; the map from the bundled NUTS 2016 layer, no setting), then headless
Chromium loads it from the file system at phone and desktop widths.

Checked against the published marts: every headline figure shown, one map shape per
region with data, the policy-change table's filters and sorting; and that the page
fetches nothing from outside its folder, throws no error and fits a phone's width.
Screenshots at 390 and 1280 px go to <warehouse>/site/screenshots/ and, when
INTERREG_SCREENSHOT_DIR is set, there too (CI keeps them for a person to look at).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlparse

import duckdb
import pytest

from pipelines.report.listings import project_page
from pipelines.report.phrasing import approximate, thousands
from pipelines.report.site import EUROGEOGRAPHICS
from pipelines.warehouse.summary import FIGURES
from tools.browser import Browser, BrowserError, find_chromium, screenshots

PHONE, DESKTOP = 390, 1280
FIRST_LOAD_BUDGET = 3_000_000  # bytes: the budget at 100 times the programme


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        message = "no Chromium: `make test` installs Debian's chromium package"
        if os.environ.get("INTERREG_REQUIRE_CHROMIUM"):
            pytest.fail(message + " (INTERREG_REQUIRE_CHROMIUM is set)")
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def warehouse(published_sample) -> Path:
    """The session's warehouse published by `interreg run`, whose run also built the page."""
    assert (published_sample / "site" / "index.html").is_file()
    return published_sample


@pytest.fixture(scope="module")
def browser(chromium) -> Browser:
    with Browser.launch(chromium) as running:
        yield running


@pytest.fixture(scope="module")
def marts(warehouse) -> dict:
    with duckdb.connect(str(warehouse / "interreg.duckdb"), read_only=True) as con:
        headline = con.execute(
            f"SELECT {', '.join(FIGURES)} FROM marts.headline_results"
            " ORDER BY as_of_date DESC LIMIT 1"
        ).fetchone()
        regions = con.execute(
            "SELECT nuts2_code, partners FROM marts.regional_coverage_history"
            " WHERE as_of_date = (SELECT max(as_of_date) FROM marts.headline_results)"
        ).fetchall()
        changes = con.execute(
            "SELECT project_acronym, organisation_name, instrument_name, coalesce(description,"
            " ''), country_code, is_structural_funds, total_influenced_eur"
            " FROM marts.policy_changes"
        ).fetchall()
    return {
        "headline": dict(zip(FIGURES, headline, strict=True)),
        "regions": dict(regions),
        "changes": changes,
    }


def index(warehouse: Path) -> Path:
    return warehouse / "site" / "index.html"


@pytest.fixture(scope="module")
def desktop(browser, warehouse):
    return browser.open(index(warehouse), width=DESKTOP)


@pytest.fixture(scope="module")
def phone(browser, warehouse):
    return browser.open(index(warehouse), width=PHONE)


def test_the_figures_shown_are_the_marts(desktop, marts):
    headline = marts["headline"]
    cards = desktop.evaluate(
        """[...document.querySelectorAll('.card')].map(c => ({
             key: c.dataset.figure, value: c.dataset.value,
             phrase: c.querySelector('.big').innerText,
             exact: c.querySelector('.exact-value').innerText}))"""
    )
    assert {c["key"] for c in cards} >= {
        "projects", "policy_learning_events", "good_practices_identified",
        "people_with_increased_capacity", "action_plans", "policy_instruments_influenced",
        "financial_impact_eur", "nuts2_regions_involved",
    }  # fmt: skip
    for card in cards:
        value = headline[card["key"]]
        assert card["value"] == str(value), card
        if isinstance(value, Decimal):  # money: MEUR, and the exact euros
            assert card["exact"] == f"EUR {thousands(value, 2)}", card
        else:
            assert int(card["exact"].replace(",", "")) == value, card
            if card["key"] != "nuts2_regions_involved":
                assert card["phrase"] == approximate(value), card
    exact = desktop.evaluate(
        """Object.fromEntries([...document.querySelectorAll('#exact-figures tbody tr')]
             .map(r => [r.dataset.figure, r.querySelector('td').textContent]))"""
    )
    assert set(exact) == set(FIGURES)
    for key, value in headline.items():
        assert Decimal(exact[key].replace(",", "")) == Decimal(str(value)), key
    # The date the figures are as of, and the charts with titles and units.
    text = desktop.evaluate("document.body.innerText")
    assert desktop.evaluate("document.getElementById('as-of').getAttribute('datetime')")
    charts = desktop.evaluate(
        """[...document.querySelectorAll('svg.chart')].map(s => ({
             title: s.querySelector('title').textContent,
             lines: s.querySelectorAll('polyline').length,
             width: s.getBoundingClientRect().width}))"""
    )
    assert len(charts) == 8 and all(c["lines"] >= 1 and c["width"] > 300 for c in charts)
    assert any(c["title"].endswith(", MEUR") for c in charts)
    assert f"{thousands(headline['policy_learning_events'])}" in text


def test_the_map_has_one_shape_per_region_with_data(desktop, phone, marts):
    for page in (desktop, phone):
        shapes = page.evaluate(
            """[...document.querySelectorAll('svg.map path.region')].map(p => {
                 const box = p.getBoundingClientRect();
                 return [p.dataset.nuts, +p.dataset.partners, box.width * box.height > 0]; })"""
        )
        codes = [code for code, _, _ in shapes]
        assert len(codes) == len(set(codes)) == len(marts["regions"])
        assert {code: n for code, n, _ in shapes} == marts["regions"]
        assert all(visible for _, _, visible in shapes)
        legend = page.evaluate("document.querySelector('.map-legend').innerText")
        assert "Partners" in legend and "outside the programme area" in legend
        assert EUROGEOGRAPHICS in page.evaluate("document.body.innerText")
    share = desktop.evaluate("document.getElementById('regions-share').innerText")
    h = marts["headline"]
    assert share == (
        f"{thousands(h['nuts2_regions_involved'])} of the"
        f" {thousands(h['nuts2_regions_eligible'])} NUTS 2 regions"
    )


# What Chromium answers an evaluation sent while the page navigates (after a click on a
# link): the next one runs in the new page.
NAVIGATING = ("Inspected target navigated or closed", "Execution context was destroyed")


def wait_for(page, expression: str, timeout: float = 20.0):
    """The value of `expression` once truthy (the tables load their rows after the page;
    a page a click opens replaces the one before)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = page.evaluate(expression)
        except BrowserError as error:
            if not any(text in str(error) for text in NAVIGATING):
                raise
            value = None
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def shown_count(page) -> int:
    """How many rows match (the table shows a page of them)."""
    return int(
        wait_for(page, "document.querySelector('#changes-table').closest('.lazy-table')"
                 ".querySelector('output').getAttribute('data-shown')")
    )  # fmt: skip


def test_the_policy_change_table_searches_filters_and_sorts(browser, warehouse, marts):
    page = browser.open(index(warehouse), width=DESKTOP)
    changes = marts["changes"]
    # The list is the figure: every validated change counts once.
    wait_for(page, "document.querySelectorAll('#changes-table tbody tr').length")
    assert shown_count(page) == len(changes) == marts["headline"]["policy_instruments_influenced"]
    # Typing an acronym that appears nowhere else keeps exactly that project's changes.
    texts = [" ".join(map(str, row[:4])).lower() for row in changes]
    acronym = next(
        a
        for a in sorted({row[0] for row in changes})
        if all(a.lower() not in t for t, row in zip(texts, changes, strict=True) if row[0] != a)
    )
    expected = sum(row[0] == acronym for row in changes)
    page.type_into("#policy-changes input[data-filter='text']", acronym)
    wait_for(page, f"document.querySelectorAll('#changes-table tbody tr').length == {expected}")
    shown = page.evaluate(
        "[...document.querySelectorAll('#changes-table tbody tr')].map(r => r.cells[1].textContent)"
    )
    assert set(shown) == {acronym} and len(shown) == expected
    # Clear it; then a country and "Structural Funds: yes" together.
    page.evaluate(
        """(() => { const i = document.querySelector("#policy-changes input");
                    i.value = ''; i.dispatchEvent(new Event('input')); })()"""
    )
    wait_for(page, f"document.querySelectorAll('#changes-table tbody tr').length > {expected}")
    country = max({row[4] for row in changes}, key=lambda c: sum(r[4] == c for r in changes))
    want = sum(row[4] == country and row[5] for row in changes)
    page.evaluate(
        f"""(() => {{
          for (const [slot, value] of [['0', {json.dumps(country)}], ['2', 'yes']]) {{
            const s = document.querySelector(`#policy-changes [data-filter="${{slot}}"]`);
            s.value = value; s.dispatchEvent(new Event('change'));
          }} }})()"""
    )
    wait_for(page, f"document.querySelectorAll('#changes-table tbody tr').length == {want}")
    assert shown_count(page) == want > 0
    # Sorting by amount, descending on the second click, over every matching row.
    page.evaluate(
        """(() => { const th = [...document.querySelectorAll('#changes-table th')]
                      .find(t => t.textContent.startsWith('Influenced'));
                    th.querySelector('button').click(); th.querySelector('button').click(); })()"""
    )
    time.sleep(0.3)
    first = wait_for(
        page, "document.querySelector('#changes-table tbody tr').cells[6].dataset.sort"
    )
    best = max(row[6] for row in changes if row[4] == country and row[5])
    assert Decimal(first) == best


def test_a_click_on_a_region_opens_its_country_page(browser, warehouse):
    page = browser.open(index(warehouse), width=DESKTOP)
    code = page.evaluate(
        """(() => { const a = document.querySelector('svg.map a.region-link');
                    const nuts = a.querySelector('path').dataset.nuts;
                    a.dispatchEvent(new MouseEvent('click', {bubbles: true}));
                    return nuts; })()"""
    )
    heading = wait_for(
        page, "location.pathname.includes('/countries/') && document.querySelector('h1')"
        " && document.querySelector('h1').textContent"
    )  # fmt: skip
    assert heading and "/countries/" in page.evaluate("location.pathname")
    # The region clicked is on the country page, in its table.
    assert page.evaluate(f"!!document.querySelector('#regions-table tr[data-nuts={code}]')")


def test_country_pages_show_country_results(browser, warehouse):
    with duckdb.connect(str(warehouse / "interreg.duckdb"), read_only=True) as con:
        countries = con.execute(
            "SELECT country_code, partners, projects, policy_changes, financial_impact_eur"
            " FROM marts.country_results WHERE partners > 0 AND as_of_date ="
            " (SELECT max(as_of_date) FROM marts.headline_results)"
        ).fetchall()
    for code, partners, projects, changes, funds in countries[:5]:
        page = browser.open(warehouse / "site" / "countries" / f"{code}.html", width=PHONE)
        figures = page.evaluate(
            """Object.fromEntries([...document.querySelectorAll('#country-figures tr')]
                 .map(r => [r.dataset.figure, r.querySelector('td').textContent]))"""
        )
        shown = [Decimal(figures[k].replace(",", "")) for k in
                 ("partners", "projects", "policy_changes", "financial_impact_eur")]  # fmt: skip
        assert shown == [partners, projects, changes, funds], code
        rows = wait_for(page, "document.querySelectorAll('#changes-table tbody tr').length")
        assert rows == min(changes, 500) or changes == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
        assert page.console_errors() == []


def test_a_project_page_shows_project_results(browser, warehouse):
    with duckdb.connect(str(warehouse / "interreg.duckdb"), read_only=True) as con:
        project_id, events, funds = con.execute(
            "SELECT project_id, policy_learning_events, financial_impact_eur"
            " FROM marts.project_results WHERE as_of_date ="
            " (SELECT max(as_of_date) FROM marts.headline_results)"
            " ORDER BY financial_impact_eur DESC LIMIT 1"
        ).fetchone()
        (count,) = con.execute(
            "SELECT count(*) FROM marts.partners WHERE project_id = ?", [project_id]
        ).fetchone()
    assert project_page(project_id) == f"project.html?id={project_id}"
    page = browser.open(
        warehouse / "site" / "project.html", width=DESKTOP, query=f"?id={project_id}"
    )
    wait_for(page, "document.querySelectorAll('#project-results tbody tr').length")
    last = page.evaluate(
        "[...document.querySelectorAll('#project-results tbody tr')].pop().innerText.split('\t')"
    )
    assert Decimal(last[1].replace(",", "")) == events
    assert Decimal(last[8].replace(",", "")) == funds
    assert page.evaluate("document.querySelectorAll('svg.minimap path').length") >= 1
    partners = page.evaluate("document.querySelectorAll('#partners-table tbody tr').length")
    assert partners == count
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP
    assert page.console_errors() == []


def test_the_first_load_stays_within_its_byte_budget(desktop, warehouse):
    """What the main page loads before anyone asks for more (bytes, not time)."""
    wait_for(desktop, "document.querySelectorAll('#projects-table tbody tr').length")
    files = {u for u in desktop.requested_urls() if u.startswith("file://")}
    total = sum(Path(unquote(urlparse(u).path)).stat().st_size for u in files)
    assert total <= FIRST_LOAD_BUDGET, total


def test_the_page_loads_nothing_from_outside_and_throws_no_error(desktop, phone, warehouse):
    for page in (desktop, phone):
        urls = page.requested_urls()
        assert urls and all(u.startswith(("file://", "data:")) for u in urls), urls
        assert page.console_errors() == []
    site = warehouse / "site"
    for href in desktop.evaluate(
        "[...document.querySelectorAll('a[download]')].map(a => a.getAttribute('href'))"
    ):
        assert (site / href).resolve().is_file(), href


def test_the_page_fits_a_phone_and_uses_the_width_of_a_desktop(desktop, phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE
    card_widths = phone.evaluate(
        "[...document.querySelectorAll('.card')].map(c => c.getBoundingClientRect().width)"
    )
    assert all(w <= PHONE for w in card_widths)
    assert desktop.evaluate("document.documentElement.scrollWidth") <= DESKTOP
    # Desktop: the cards sit side by side.
    lefts = desktop.evaluate(
        "new Set([...document.querySelectorAll('.card')]"
        ".map(c => c.getBoundingClientRect().left)).size"
    )
    assert lefts >= 3


def png_width(path: Path) -> int:
    return struct.unpack(">I", path.read_bytes()[16:20])[0]


def test_screenshots_at_two_widths_are_written_for_review(warehouse, chromium, tmp_path):
    shots = screenshots(warehouse / "site" / "index.html", tmp_path / "screenshots")
    names = sorted(p.name for p in shots)
    assert names == sorted(
        f"{page}-{width}.png"
        for page in ("page", "country", "project")
        for width in (PHONE, DESKTOP)
    )
    for shot in shots:
        width = PHONE if shot.stem.endswith(str(PHONE)) else DESKTOP
        assert png_width(shot) == width and shot.stat().st_size > 20_000, shot
    if os.environ.get("INTERREG_SCREENSHOT_DIR"):
        target = Path(os.environ["INTERREG_SCREENSHOT_DIR"])
        target.mkdir(parents=True, exist_ok=True)
        for shot in shots:
            shutil.copy(shot, target / shot.name)
