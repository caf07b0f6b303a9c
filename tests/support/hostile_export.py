"""A hostile monitoring export, made from the bundled sample: SQL and formula text in every
free-text field, a column with a hostile name, and a few rows that break rules, each file
under the 1 % threshold. The session's hostile run reads it (tests/e2e/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from schemas.monitoring_contract import MONITORING
from support.exports import edit_file, rewrite_manifest, sample_rows

FORMULA = '=HYPERLINK("http://x","y")'
# Appended to every free-text field of the hostile export (and in a column's name).
HOSTILE = "O'Brien \"quoted\"; -- x'); DROP TABLE x; --"
# The contract's free-text columns (the other text columns are codes with a form).
FREE_TEXT_COLUMNS = {
    "programme_name", "region_name", "acronym", "title", "website", "organisation_name",
    "organisation_name_en", "town", "postcode", "name", "managing_authority", "description",
    "unit",
}  # fmt: skip
FREE_TEXT = {
    spec.name: [c.name for c in spec.columns if c.name in FREE_TEXT_COLUMNS]
    for spec in MONITORING.files
}
DRIFT_COLUMN = 'note "x"; DROP TABLE projects; --\''


def hostile_export(export: Path) -> dict:
    """Every free-text field gets HOSTILE appended; formulas in a title, an organisation name
    and a description; an extra column with a hostile name; a few rows that break rules in
    files nothing else depends on, each under the 1 % threshold. Returns what was done."""
    projects = {r["project_id"]: r for r in sample_rows("projects.csv")}
    changes = [
        r
        for r in sample_rows("policy_changes.csv")
        if r["status"] == "validated" and projects[r["project_id"]]["status"] != "withdrawn"
    ]
    instruments = {r["instrument_id"]: r for r in sample_rows("policy_instruments.csv")}
    formula_partner = instruments[changes[0]["instrument_id"]]["partner_id"]
    formula_project = next(p for p, r in projects.items() if r["status"] != "withdrawn")
    at_formula_change = changes[1]["change_id"]
    european, dangling = changes[2]["change_id"], changes[3]["change_id"]

    for spec in MONITORING.files:

        def edit(header, rows, spec=spec):
            for row in rows:
                for column in FREE_TEXT[spec.name]:
                    row[column] = (row[column] or "") + HOSTILE
                if spec.name == "projects.csv":
                    row[DRIFT_COLUMN] = HOSTILE
                    if row["project_id"] == formula_project:
                        row["title"] = FORMULA
                if spec.name == "partners.csv" and row["partner_id"] == formula_partner:
                    row["organisation_name"] = FORMULA
                if spec.name == "policy_changes.csv":
                    if row["change_id"] == at_formula_change:
                        row["description"] = "@SUM(1+1)"
                    if row["change_id"] == european:
                        row["sf_influenced_eur"] = "1.234,56"
                    if row["change_id"] == dangling:
                        row["report_id"] = "PGI99999-R01-V1"
            if spec.name == "good_practices.csv":
                rows[10]["good_practice_id"] = rows[11]["good_practice_id"]
                rows[20]["submitted_on"] = "31/12/2022"
                rows[30]["status"] = "published"
                # A rule across columns: validated, but on no date.
                next(r for r in rows[50:] if r["status"] == "validated")["validated_on"] = ""
            if spec.name == "indicator_values.csv":
                rows[40]["value"] = "12.5"
            if spec.name == "projects.csv":
                header = [*header, DRIFT_COLUMN]
            return header, rows

        edit_file(export, spec.name, edit)
    rewrite_manifest(export)
    return {
        "formula_project": formula_project,
        "formula_partner": formula_partner,
        "quarantined": {
            ("policy_changes.csv", "sf_influenced_eur", "amount_format"),
            ("policy_changes.csv", "report_id", "references_progress_reports"),
            ("good_practices.csv", "good_practice_id", "unique_key"),
            ("good_practices.csv", "submitted_on", "date_format"),
            ("good_practices.csv", "status", "allowed_values"),
            ("good_practices.csv", "validated_on", "validated_on_iff_validated"),
            ("indicator_values.csv", "value", "integer_format"),
        },
    }
