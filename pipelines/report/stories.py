"""A country's story, told from the data: its featured policy change and one line for the
main page's list of countries ("30 stories from 30 countries").

The featured change is the one validated by the page's date with the largest funds
influenced (total_influenced_eur), ties broken by change_id: a rule a reader can check
against the policy-change table, and one that never changes between two builds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from pipelines.report import phrasing


@dataclass(frozen=True)
class Story:
    change: object  # the marts.policy_changes row
    project: object | None  # the marts.projects row (with results), if listed
    partners: list  # the project's partners (marts.partners rows)

    @property
    def funds(self) -> str:
        return phrasing.euro(self.change.total_influenced_eur)


def featured_changes(changes: list) -> dict[str, object]:
    """country_code -> its change with the largest funds influenced (ties: change_id)."""
    best: dict[str, object] = {}
    for change in changes:
        current = best.get(change.country_code)
        if current is None or _rank(change) < _rank(current):
            best[change.country_code] = change
    return best


def _rank(change) -> tuple[Decimal, str]:
    return -Decimal(change.total_influenced_eur), change.change_id


def stories(changes: list, projects: list, partners: list) -> dict[str, Story]:
    """country_code -> the story of its featured change."""
    by_id = {p.project_id: p for p in projects}
    partners_of: dict[str, list] = defaultdict(list)
    for partner in partners:
        partners_of[partner.project_id].append(partner)
    return {
        code: Story(change, by_id.get(change.project_id), partners_of[change.project_id])
        for code, change in featured_changes(changes).items()
    }


def one_line(country, story: Story | None) -> str:
    """The country's line on the main page."""
    if story is None:
        return (
            f"{phrasing.thousands(country.partners)} partners in"
            f" {phrasing.thousands(country.projects)} projects; no policy change validated yet."
        )
    c = story.change
    return (
        f"{c.organisation_name} ({c.project_acronym}) changed {c.instrument_name}:"
        f" {c.change_type_label.lower()}, {phrasing.meur(c.total_influenced_eur, 1)}"
        f" of funds influenced, validated on {phrasing.long_date(c.validated_on)}."
    )
