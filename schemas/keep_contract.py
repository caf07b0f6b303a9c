"""Keep.eu exports (docs: shared/docs/sources.md, "Keep.eu"): their raw tables and layouts.

Two things are declared here, as data:

* the raw tables every layout loads into (`KEEP`, for the loader): `raw_keep.projects`,
  `raw_keep.partners` and `raw_keep.calls`, in a canonical form whatever the layout (codes
  split from their names, amounts `1234.56`, dates `YYYY-MM-DD`), with where each row
  came from;
* the sheets of the two layouts (`LAYOUTS`, for detection, the reader and the Pandera
  schemas in keep.py): which header feeds which field, read by which cell rule. The rules
  themselves (what a Budget cell may look like, etc.) are in keep.py.

A field named `country`, `nuts1`, `nuts2` or `nuts3` is a "code / name" cell: it becomes
two raw columns, `<field>_code` and `<field>_name`. Every other field is one raw column.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.contract import Column, Contract, FileSpec

SOURCE = "keep"
CURRENT, LEGACY = "current", "legacy"

# --- the raw tables -------------------------------------------------------------------------


def _provenance() -> tuple[Column, ...]:
    return (
        # The input's name: the archived file's name, or the API export's.
        Column("source_file", "text", required=True),
        # 1 = the first input; where inputs hold the same project, the first one wins.
        Column("source_order", "integer", required=True, min_value=1),
        Column("source_sheet", "text"),  # null for a CSV file
        # The record's number in its sheet, 1 = first after the header (audit's row_number).
        Column("source_row_number", "integer", required=True, min_value=1),
        # The sheet row (as Excel numbers it) or the CSV line the record starts on.
        Column("source_line", "integer", required=True, min_value=1),
        Column("layout", "code", required=True, values=(CURRENT, LEGACY)),
    )


RAW_PROJECTS = FileSpec(
    name="projects",
    columns=(
        *_provenance(),
        Column("period", "text"),
        Column("programme", "text", required=True),
        Column("project_id", "text"),
        Column("acronym", "text", required=True),
        Column("project_name", "text"),
        Column("project_name_2", "text"),
        Column("project_name_3", "text"),
        Column("project_name_4", "text"),
        Column("description", "text"),
        Column("description_other", "text"),
        Column("expected_achievements", "text"),
        Column("actual_achievements", "text"),
        Column("start_date", "date"),
        Column("end_date", "date"),
        Column("total_budget_eur", "amount"),
        Column("eu_funding_eur", "amount"),
        Column("erdf_budget_eur", "amount"),
        Column("co_financing_rate", "text"),
        Column("website", "text"),
        Column("theme_1", "text"),
        Column("theme_2", "text"),
        Column("theme_3", "text"),
        Column("lead_partner_name", "text"),
        Column("call", "text"),
    ),
    key=("source_order", "source_sheet", "source_line"),
)

RAW_PARTNERS = FileSpec(
    name="partners",
    columns=(
        *_provenance(),
        Column("programme", "text", required=True),
        Column("project_id", "text"),
        Column("acronym", "text", required=True),
        Column("organisation_name", "text"),
        Column("organisation_name_2", "text"),
        Column("lead_partner", "code", required=True, values=("Yes", "No")),
        Column("country_code", "code", pattern=r"[A-Z]{2}"),
        Column("country_name", "text"),
        Column("nuts1_code", "code"),
        Column("nuts1_name", "text"),
        Column("nuts2_code", "code"),
        Column("nuts2_name", "text"),
        Column("nuts3_code", "code"),
        Column("nuts3_name", "text"),
        Column("organisation_type", "text"),
        Column("department", "text"),
        Column("pic", "text"),
        Column("other_partner_id", "text"),
        Column("postal_code", "text"),
        Column("town", "text"),
        Column("website", "text"),
        Column("budget_eur", "amount"),
        Column("erdf_eur", "amount"),
        Column("programme_cofinancing_eur", "amount"),
    ),
    key=("source_order", "source_sheet", "source_line"),
)

RAW_CALLS = FileSpec(
    name="calls",
    columns=(
        *_provenance(),
        Column("programme", "text", required=True),
        Column("call", "text"),
        Column("start_date", "date"),
        Column("end_date", "date"),
        Column("budget_eur", "amount"),
    ),
    key=("source_order", "source_sheet", "source_line"),
)

KEEP = Contract(source=SOURCE, version="1", files=(RAW_PROJECTS, RAW_PARTNERS, RAW_CALLS))

# --- the layouts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One column of a sheet: its header, the field it is read into, and how."""

    name: str
    header: str  # matched ignoring case, spacing and the apostrophe's style (' or ’)
    rule: str  # a key of schemas.keep.RULES
    required: bool = False  # the header must be there and every row must have a value


@dataclass(frozen=True)
class Sheet:
    """A sheet of a workbook (or the CSV form of one) and the raw table it loads."""

    layout: str
    table: str  # the raw table: projects, partners or calls
    sheet: str  # the sheet's name in the workbook
    fields: tuple[Field, ...]
    # Headers known to the layout and deliberately not loaded (not schema drift).
    ignored: tuple[str, ...] = ()
    # Projects only: rows with the same key are one project, listed once per lead
    # partner (legacy). They must agree on every field except `per_lead_fields`.
    key: tuple[str, ...] = ()
    per_lead_fields: tuple[str, ...] = ()

    @property
    def required_headers(self) -> tuple[str, ...]:
        return tuple(f.header for f in self.fields if f.required)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def label(self) -> str:
        return f"{self.layout} {self.sheet!r}"


F = Field  # the tables below read better with a short name

CURRENT_PROJECTS = Sheet(
    layout=CURRENT,
    table="projects",
    sheet="Search results, projects",
    fields=(
        F("period", "Period", "text"),
        F("programme", "Programme", "text", required=True),
        F("project_id", "Project ID (2021-2027 only)", "text"),
        F("acronym", "Project acronym", "text", required=True),
        F("project_name", "Project name in English", "text"),
        F("project_name_2", "Project name in language 2", "text"),
        F("project_name_3", "Project name in language 3", "text"),
        F("project_name_4", "Project name in language 4", "text"),
        F("description", "Description in English", "text"),
        F("description_other", "Description in language 2", "text"),
        F("expected_achievements", "Expected Achievements in English", "text"),
        F("actual_achievements", "Actual Achievements in English", "text"),
        F("start_date", "Project start", "date"),
        F("end_date", "Project end", "end_date"),
        F("total_budget_eur", "Project's total budget / expenditure", "amount"),
        F("eu_funding_eur", "Project's EU funding", "amount"),
        F("co_financing_rate", "Union co-financing rate", "text"),
        F("website", "Website", "text"),
        F("theme_1", "Theme 1", "text"),
        F("theme_2", "Theme 2", "text"),
        F("theme_3", "Theme 3", "text"),
    ),
    key=("programme", "period", "acronym"),
)

CURRENT_PARTNERS = Sheet(
    layout=CURRENT,
    table="partners",
    sheet="Search results, partners",
    fields=(
        F("programme", "Programme", "text", required=True),
        F("project_id", "Project ID (2021-2027 only)", "text"),
        F("acronym", "Project acronym", "text", required=True),
        F("organisation_name", "Organisation in English", "text"),
        F("organisation_name_2", "Organisation in language 2", "text"),
        F("lead_partner", "Lead partner", "yes_no", required=True),
        F("country", "Country code", "country"),
        F("pic", "Participant Identification Code", "text"),
        F("other_partner_id", "Partner's ID if not PIC", "text"),
        F("organisation_type", "Type of Organisation", "text"),
        F("town", "Town", "text"),
        F("website", "Website", "text"),
        F("nuts2", "NUTS2 code (or equivalent)", "nuts"),
        F("nuts3", "NUTS3 code (or equivalent)", "nuts"),
        F("budget_eur", "Partner's total eligible budget / expenditure", "amount"),
        F("erdf_eur", "ERDF contribution (2014-2020 only)", "amount"),
        F(
            "programme_cofinancing_eur",
            "Partner's programme co-financing (EUR) (2021-2027 only)",
            "amount",
        ),
    ),
    ignored=("Organisation in language 3", "Organisation in language 4"),
)

LEGACY_PROJECTS = Sheet(
    layout=LEGACY,
    table="projects",
    sheet="Projects (lead partners)",
    fields=(
        F("programme", "Programme", "text", required=True),
        F("acronym", "Acronym", "text", required=True),
        F("project_name", "Project Name", "text"),
        F("project_name_2", "Project Name language 2", "text"),
        F("project_name_3", "Project Name language 3", "text"),
        F("lead_partner_name", "Lead Partner", "text"),
        F("period", "Period", "text"),
        # Thousands separators here ("892,228.58"), none in EU Funding ("758394.29").
        F("total_budget_eur", "Budget", "amount_grouped"),
        F("eu_funding_eur", "EU Funding", "amount_plain"),
        F("erdf_budget_eur", "ERDF budget", "amount_grouped"),
        F("website", "Website", "text"),
        F("theme_1", "Thematic1", "text"),
        F("theme_2", "Thematic2", "text"),
        F("theme_3", "Thematic3", "text"),
        F("description", "Description EN", "text"),
        F("description_other", "Description 1", "text"),
        F("expected_achievements", "Expected Results EN", "text"),
        F("actual_achievements", "Achievements EN", "text"),
        F("start_date", "Project start", "date"),
        F("end_date", "Project end", "end_date"),
        F("call", "Call SN", "text"),
    ),
    # Known, not used by any mart, and in formats nobody has pinned down: not read, so
    # that an odd value there never quarantines a project.
    ignored=(
        "Street",
        "Postal code",
        "Town",
        "Country",
        "Project total expenditure",
        "Project EU Funding expenditure",
        "ENI budget",
        "IPA budget",
        "ERDF eq. budget",
        "Co-Financing sources",
        "Specific Obj",
        "Thematic Obj",
        "Inv. Priority",
        "Thematic Priorities (Interreg-IPA CBC specific)",
        "Description 2",
        "Expected Results 1",
        "Expected Results 2",
        "Achievements 1",
        "Achievements 2",
        "Expected Outputs 1",
        "Expected Outputs 2",
        "Expected Outputs EN",
        "Delivered Outputs 1",
        "Delivered Outputs 2",
        "Delivered Outputs EN",
        "Priority Area",
        "Degree of comp.",
        "Strategy",
    ),
    key=("programme", "period", "acronym"),
    # Some programmes have two lead partners: the project has a row for each.
    per_lead_fields=("lead_partner_name",),
)

LEGACY_PARTNERS = Sheet(
    layout=LEGACY,
    table="partners",
    sheet="Partners",
    fields=(
        F("programme", "Programme", "text", required=True),
        F("acronym", "Acronym", "text", required=True),
        F("organisation_name", "Project Partner", "text", required=True),
        F("lead_partner", "Lead Partner", "yes_no", required=True),
        F("postal_code", "Postal code", "text"),
        F("town", "Town", "text"),
        F("website", "Website", "text"),
        F("department", "Department", "text"),
        F("organisation_type", "Legal Status", "text"),
        F("country", "Country code", "country"),
        F("nuts1", "NUTS1 (or equivalent)", "nuts"),
        F("nuts2", "NUTS2 (or equivalent)", "nuts"),
        F("nuts3", "NUTS3 (or equivalent)", "nuts"),
    ),
    ignored=("Street", "Country"),
)

LEGACY_CALLS = Sheet(
    layout=LEGACY,
    table="calls",
    sheet="Calls",
    fields=(
        F("programme", "Programme", "text", required=True),
        F("call", "Serial Number", "text"),
        F("start_date", "Start Date", "date"),
        F("end_date", "End Date", "date"),
        F("budget_eur", "Budget", "amount_grouped"),
    ),
)

LAYOUTS: dict[str, tuple[Sheet, ...]] = {
    CURRENT: (CURRENT_PROJECTS, CURRENT_PARTNERS),
    LEGACY: (LEGACY_PROJECTS, LEGACY_PARTNERS, LEGACY_CALLS),
}
SHEETS: tuple[Sheet, ...] = tuple(s for sheets in LAYOUTS.values() for s in sheets)

# "code / name" cells: the field becomes two raw columns.
SPLIT_RULES = frozenset({"country", "nuts"})


def raw_columns(field: Field) -> tuple[str, ...]:
    """The raw table columns a field becomes."""
    if field.rule in SPLIT_RULES:
        return (f"{field.name}_code", f"{field.name}_name")
    return (field.name,)
