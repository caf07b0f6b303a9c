"""The project-monitoring export, contract v1 (docs: shared/docs/monitoring-export.md).

Columns, types, domains, keys and references exactly as the contract lists them. The
rules that span several columns or rows live with the Pandera schemas in monitoring.py.
"""

from __future__ import annotations

from schemas.contract import Column, Contract, FileSpec, Reference

SCHEMA_VERSION = "1"
NUTS2_PATTERN = r"[A-Z]{2}[0-9A-Z]{2}"
COUNTRY_PATTERN = r"[A-Z]{2}"

# The indicator codes that feed the headline results.
HEADLINE_INDICATORS = {
    "O1": "policy_learning_events",
    "O2": "good_practices_identified",
    "O3": "people_with_increased_capacity",
    "O4": "action_plans",
}


def _ref(column: str, file: str, target: str | None = None) -> Reference:
    return Reference((column,), file, (target or column,))


PROGRAMME = FileSpec(
    name="programme.csv",
    columns=(
        Column("programme_id", "text", required=True),
        Column("programme_name", "text", required=True),
        Column("period", "text", required=True),
        Column("erdf_budget_eur", "amount", required=True),
        Column("nuts_version", "integer", required=True, values=("2013", "2016", "2021")),
    ),
    key=("programme_id",),
    min_rows=1,
    max_rows=1,
)

ELIGIBLE_REGIONS = FileSpec(
    name="eligible_regions.csv",
    columns=(
        Column("nuts2_code", "code", required=True, pattern=NUTS2_PATTERN),
        Column("country_code", "code", required=True, pattern=COUNTRY_PATTERN),
        Column("region_name", "text", required=True),
    ),
    key=("nuts2_code",),
    min_rows=1,
)

PROJECTS = FileSpec(
    name="projects.csv",
    columns=(
        Column("project_id", "code", required=True, pattern=r"PGI[0-9]{5}"),
        Column("acronym", "text", required=True),
        Column("title", "text", required=True),
        Column("priority_axis", "integer", required=True, min_value=1, max_value=4),
        Column("call_no", "integer", required=True, min_value=1, max_value=4),
        Column("status", "code", required=True, values=("approved", "closed", "withdrawn")),
        Column("approved_on", "date", required=True),
        Column("start_date", "date", required=True),
        Column("end_date", "date", required=True),
        Column("total_budget_eur", "amount", required=True),
        Column("erdf_eur", "amount", required=True),
        Column("website", "text"),
    ),
    key=("project_id",),
    unique=(("acronym",),),
    min_rows=1,
)

PARTNERS = FileSpec(
    name="partners.csv",
    columns=(
        Column("partner_id", "code", required=True, pattern=r"PGI[0-9]{5}-P[0-9]{2}"),
        Column("project_id", "code", required=True),
        Column("organisation_name", "text", required=True),
        Column("organisation_name_en", "text"),
        Column("role", "code", required=True, values=("lead", "partner")),
        Column("legal_status", "code", required=True, values=("public", "private_non_profit")),
        Column("country_code", "code", required=True, pattern=COUNTRY_PATTERN),
        Column("nuts2_code", "code", pattern=NUTS2_PATTERN),
        Column("town", "text"),
        Column("postcode", "text"),
        Column("budget_eur", "amount", required=True),
        Column("erdf_eur", "amount", required=True),
    ),
    key=("partner_id",),
    references=(_ref("project_id", "projects.csv"),),
    min_rows=1,
)

PROGRESS_REPORTS = FileSpec(
    name="progress_reports.csv",
    columns=(
        Column("report_id", "code", required=True),
        Column("project_id", "code", required=True),
        Column("period_no", "integer", required=True, min_value=1, max_value=12),
        Column("period_start", "date", required=True),
        Column("period_end", "date", required=True),
        Column("version", "integer", required=True, min_value=1),
        Column("status", "code", required=True, values=("submitted", "approved", "rejected")),
        Column("submitted_on", "date", required=True),
        Column("approved_on", "date"),
    ),
    key=("report_id",),
    unique=(("project_id", "period_no", "version"),),
    references=(_ref("project_id", "projects.csv"),),
)

INDICATORS = FileSpec(
    name="indicators.csv",
    columns=(
        Column("indicator_code", "code", required=True),
        Column("name", "text", required=True),
        Column("unit", "text", required=True),
        Column("kind", "code", required=True, values=("output", "result")),
    ),
    key=("indicator_code",),
    min_rows=1,
)

INDICATOR_VALUES = FileSpec(
    name="indicator_values.csv",
    columns=(
        Column("report_id", "code", required=True),
        Column("indicator_code", "code", required=True),
        Column("value", "integer", required=True),
    ),
    key=("report_id", "indicator_code"),
    references=(
        _ref("report_id", "progress_reports.csv"),
        _ref("indicator_code", "indicators.csv"),
    ),
)

POLICY_INSTRUMENTS = FileSpec(
    name="policy_instruments.csv",
    columns=(
        Column("instrument_id", "code", required=True),
        Column("project_id", "code", required=True),
        Column("partner_id", "code", required=True),
        Column("name", "text", required=True),
        Column(
            "instrument_type", "code", required=True, values=("growth_and_jobs", "etc", "other")
        ),
        Column("nuts2_code", "code", pattern=NUTS2_PATTERN),
        Column("managing_authority", "text"),
    ),
    key=("instrument_id",),
    references=(
        _ref("project_id", "projects.csv"),
        _ref("partner_id", "partners.csv"),
    ),
)

POLICY_CHANGES = FileSpec(
    name="policy_changes.csv",
    columns=(
        Column("change_id", "code", required=True),
        Column("instrument_id", "code", required=True),
        Column("project_id", "code", required=True),
        Column("report_id", "code", required=True),
        Column(
            "change_type",
            "code",
            required=True,
            values=("new_projects", "management", "strategic_focus"),
        ),
        Column("description", "text", required=True),
        Column("sf_influenced_eur", "amount", required=True),
        Column("other_influenced_eur", "amount", required=True),
        Column("status", "code", required=True, values=("reported", "validated", "rejected")),
        Column("validated_on", "date"),
    ),
    key=("change_id",),
    references=(
        # The instrument must be one of the same project.
        Reference(
            ("instrument_id", "project_id"),
            "policy_instruments.csv",
            ("instrument_id", "project_id"),
        ),
        _ref("project_id", "projects.csv"),
        _ref("report_id", "progress_reports.csv"),
    ),
)

GOOD_PRACTICES = FileSpec(
    name="good_practices.csv",
    columns=(
        Column("good_practice_id", "code", required=True),
        Column("project_id", "code", required=True),
        Column("partner_id", "code", required=True),
        Column("title", "text", required=True),
        Column("country_code", "code", required=True, pattern=COUNTRY_PATTERN),
        Column("submitted_on", "date", required=True),
        Column("status", "code", required=True, values=("submitted", "validated", "rejected")),
        Column("validated_on", "date"),
    ),
    key=("good_practice_id",),
    references=(
        _ref("project_id", "projects.csv"),
        _ref("partner_id", "partners.csv"),
    ),
)

MONITORING = Contract(
    source="monitoring",
    version=SCHEMA_VERSION,
    files=(
        PROGRAMME,
        ELIGIBLE_REGIONS,
        PROJECTS,
        PARTNERS,
        PROGRESS_REPORTS,
        INDICATORS,
        INDICATOR_VALUES,
        POLICY_INSTRUMENTS,
        POLICY_CHANGES,
        GOOD_PRACTICES,
    ),
)
