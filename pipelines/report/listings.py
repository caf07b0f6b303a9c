"""The long tables of the pages (policy changes, projects, good practices): their columns
and, as SQL over the marts, how a mart row becomes a table row (rows.py writes them),
with links to the country and project pages.

A cell is a string, [text, sort key] (numbers sort by the key), or [text, null, id] in a
link column (the id of the country or project page). Money is shown with two decimals
and sorts by its value.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import quote

import duckdb

from pipelines.report.rows import Column, Listing

# The link columns' targets under the site root: {} is the row's id (URL-encoded).
PROJECTS, COUNTRIES = "project.html?id={}", "countries/{}.html"


@cache
def project_page(project_id: str) -> str:
    """A project's page under the site root: the one project page, with its id."""
    return PROJECTS.format(quote(project_id, safe=""))


@cache
def country_page(country_code: str) -> str:
    return COUNTRIES.format(country_code)


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The SQL side of the cells (numbers as phrasing.thousands prints them), for rows.py
    and project_pages.py."""
    for macro in (
        "money(x) AS json_array(format('{:,.2f}', x), x::DOUBLE)",
        "counted(x) AS json_array(format('{:,}', x), x)",
        "link(text, id) AS json_array(coalesce(text, ''), NULL, id)",
        "iso(d) AS coalesce(strftime(d, '%Y-%m-%d'), '')",
    ):
        con.execute(f"CREATE OR REPLACE TEMP MACRO {macro}")


CHANGE_COLUMNS = (
    Column("Validated", searchable=False),
    Column("Project", link=PROJECTS),
    Column("Partner"),
    Column("Country", link=COUNTRIES),
    Column("Policy instrument"),
    Column("Change"),
    Column("Influenced, EUR", numeric=True, searchable=False),
    Column("of which SF, EUR", numeric=True, searchable=False),
    Column("Description", searchable=False),
)
CHANGE_FILTERS = ("country", "change", "sf")  # the filter slots, in order

CHANGES = Listing(
    "changes",
    CHANGE_COLUMNS,
    """country_code AS f0, change_type AS f1,
       CASE WHEN is_structural_funds THEN 'yes' ELSE 'no' END AS f2,
       json_array(json_array(iso(validated_on), link(project_acronym, project_id),
         partner, link(country_name, country_code), instrument, coalesce(change_type_label, ''),
         money(total_influenced_eur), money(sf_influenced_eur), coalesce(description, '')),
       json_array(f0, f1, f2)) AS row,
       [project_acronym, partner, country_name, instrument, change_type_label] AS search,
       [country_code] AS countries""",
    """FROM (SELECT *, CASE WHEN coalesce(nuts2_code, '') <> ''
             THEN organisation_name || ' (' || nuts2_code || ')'
             ELSE organisation_name END AS partner,
           instrument_name || ' (' || instrument_type_label
             || CASE WHEN coalesce(nuts2_code, '') <> '' THEN ')' ELSE ', national)' END
             AS instrument
           FROM marts.policy_changes WHERE validated_on <= $day)""",
    "validated_on DESC, change_id",
    3,
)

PROJECT_COLUMNS = (
    Column("Acronym", link=PROJECTS),
    Column("Title"),
    Column("Priority", numeric=True, searchable=False),
    Column("Approved", searchable=False),
    Column("Status", searchable=False),
    Column("Budget, EUR", numeric=True, searchable=False),
    Column("Partners", numeric=True, searchable=False),
    Column("Lead partner"),
    Column("Lead partner's country", link=COUNTRIES),
    Column("Policy changes", numeric=True, searchable=False),
    Column("Funds influenced, EUR", numeric=True, searchable=False),
)

# A project is listed on the page of every country it has a partner in (lead or not).
PROJECTS_LISTING = Listing(
    "projects",
    PROJECT_COLUMNS,
    """coalesce(p.lead_partner_country_code, '') AS f0,
       json_array(json_array(link(p.acronym, p.project_id), coalesce(p.title, ''),
         json_array(p.priority_axis::VARCHAR, p.priority_axis), iso(p.approved_on),
         replace(coalesce(r.progress_status, ''), '_', ' '), money(p.total_budget_eur),
         counted(p.partners),
         coalesce(p.lead_partner_name, ''),
         CASE WHEN coalesce(p.lead_partner_country_code, '') <> ''
           THEN link(p.lead_partner_country_name, p.lead_partner_country_code)
           ELSE to_json('') END,
         counted(coalesce(r.policy_instruments_influenced, 0)),
         money(coalesce(r.financial_impact_eur, 0))), json_array(f0)) AS row,
       [p.acronym, p.title, p.lead_partner_name,
         CASE WHEN coalesce(p.lead_partner_country_code, '') <> ''
           THEN p.lead_partner_country_name END] AS search,
       coalesce(c.countries, []) AS countries""",
    """FROM marts.projects p
       LEFT JOIN marts.project_results r ON r.project_id = p.project_id
         AND r.as_of_date = (SELECT max(as_of_date) FROM marts.project_results
                             WHERE as_of_date <= $day)
       LEFT JOIN (SELECT project_id, list(DISTINCT country_code) AS countries
                  FROM marts.partners WHERE project_approved_on <= $day GROUP BY project_id)
         c ON c.project_id = p.project_id
       WHERE p.approved_on <= $day""",
    "p.acronym, p.project_id",
    1,
)

PRACTICE_COLUMNS = (
    Column("Good practice"),
    Column("Project", link=PROJECTS),
    Column("Partner"),
    Column("Country", link=COUNTRIES),
    Column("Status", searchable=False),
    Column("Submitted", searchable=False),
    Column("Validated", searchable=False),
)

# A good practice as it stood at the date: one validated later is still "submitted".
PRACTICES = Listing(
    "practices",
    PRACTICE_COLUMNS,
    """country_code AS f0, shown_status AS f1,
       json_array(json_array(coalesce(title, ''), link(project_acronym, project_id),
         coalesce(organisation_name, ''), link(country_name, country_code), shown_status,
         iso(submitted_on), iso(shown_validated)), json_array(f0, f1)) AS row,
       [title, project_acronym, organisation_name, country_name] AS search,
       [country_code] AS countries""",
    """FROM (SELECT *,
             CASE WHEN status = 'validated' AND validated_on > $day THEN 'submitted'
               ELSE status END AS shown_status,
             CASE WHEN validated_on <= $day THEN validated_on END AS shown_validated
           FROM marts.good_practices WHERE submitted_on <= $day OR validated_on <= $day)""",
    "submitted_on DESC, good_practice_id",
    2,
)

LISTINGS = (CHANGES, PROJECTS_LISTING, PRACTICES)
