"""The long tables of the pages (policy changes, projects, good practices): their columns
and how a mart row becomes a table row (rows.py), with links to the country and project
pages. `prefix` is the way from the page showing the table to the site's root."""

from __future__ import annotations

import re
from functools import cache
from hashlib import sha1

from pipelines.report.phrasing import thousands
from pipelines.report.rows import Column, Row, cell

SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


@cache  # called once per row of every table: 800,000 times at 100x
def project_page(project_id: str) -> str:
    """A project page's path under the site root: its id when that is a safe file name."""
    name = project_id if SAFE_ID.match(project_id) else sha1(project_id.encode()).hexdigest()
    return f"projects/{name}.html"


@cache
def country_page(country_code: str) -> str:
    return f"countries/{country_code}.html"


def _money(value) -> list:
    return cell(thousands(value, 2), float(value))


def _date(value) -> str:
    return value.isoformat() if value else ""


CHANGE_COLUMNS = (
    Column("Validated", searchable=False),
    Column("Project"),
    Column("Partner"),
    Column("Country"),
    Column("Policy instrument"),
    Column("Change"),
    Column("Influenced, EUR", numeric=True, searchable=False),
    Column("of which SF, EUR", numeric=True, searchable=False),
    Column("Description", searchable=False),
)
CHANGE_FILTERS = ("country", "change", "sf")  # the filter slots, in order


def change_row(c, prefix: str = "") -> Row:
    where = f"{c.organisation_name} ({c.nuts2_code})" if c.nuts2_code else c.organisation_name
    instrument = f"{c.instrument_name} ({c.instrument_type_label}"
    instrument += ")" if c.nuts2_code else ", national)"
    cells = [
        _date(c.validated_on),
        cell(c.project_acronym, c.project_acronym, prefix + project_page(c.project_id)),
        where,
        cell(c.country_name, c.country_name, prefix + country_page(c.country_code)),
        instrument,
        c.change_type_label,
        _money(c.total_influenced_eur),
        _money(c.sf_influenced_eur),
        c.description or "",
    ]
    filters = [c.country_code, c.change_type, "yes" if c.is_structural_funds else "no"]
    return cells, filters


PROJECT_COLUMNS = (
    Column("Acronym"),
    Column("Title"),
    Column("Priority", numeric=True, searchable=False),
    Column("Approved", searchable=False),
    Column("Status", searchable=False),
    Column("Budget, EUR", numeric=True, searchable=False),
    Column("Partners", numeric=True, searchable=False),
    Column("Lead partner"),
    Column("Lead partner's country"),
    Column("Policy changes", numeric=True, searchable=False),
    Column("Funds influenced, EUR", numeric=True, searchable=False),
)


def project_row(p, prefix: str = "") -> Row:
    lead_country = p.lead_partner_country_name or ""
    cells = [
        cell(p.acronym, p.acronym, prefix + project_page(p.project_id)),
        p.title,
        cell(str(p.priority_axis), p.priority_axis),
        _date(p.approved_on),
        p.status,
        _money(p.total_budget_eur),
        cell(str(p.partners), p.partners),
        p.lead_partner_name or "",
        cell(lead_country, lead_country, prefix + country_page(p.lead_partner_country_code))
        if p.lead_partner_country_code
        else "",
        cell(thousands(p.policy_instruments_influenced), p.policy_instruments_influenced),
        _money(p.financial_impact_eur),
    ]
    return cells, [p.lead_partner_country_code or ""]


PRACTICE_COLUMNS = (
    Column("Good practice"),
    Column("Project"),
    Column("Partner"),
    Column("Country"),
    Column("Status", searchable=False),
    Column("Submitted", searchable=False),
    Column("Validated", searchable=False),
)


def practice_row(g, prefix: str = "") -> Row:
    cells = [
        g.title,
        cell(g.project_acronym, g.project_acronym, prefix + project_page(g.project_id)),
        g.organisation_name,
        cell(g.country_name, g.country_name, prefix + country_page(g.country_code)),
        g.status,
        _date(g.submitted_on),
        _date(g.validated_on),
    ]
    return cells, [g.country_code, g.status]
