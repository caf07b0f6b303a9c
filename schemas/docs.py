"""docs/monitoring-export.md: the monitoring-export contract as the pipeline reads it.

The prose (transport, format, what "as of" means) is written here once; every file's
columns, types, allowed values, keys, references and rules across columns are rendered from
the contract (monitoring_contract.py) and its schemas (monitoring.py), so the page cannot
drift from what the validator checks. `make docs` rewrites it; a test fails when it is out
of date.
"""

from __future__ import annotations

import sys

from schemas.contract import Column, FileSpec, RowRule
from schemas.monitoring import RULES
from schemas.monitoring_contract import HEADLINE_INDICATORS, MONITORING, SCHEMA_VERSION

TYPES = {
    "text": "free Unicode text",
    "code": "a code, case-sensitive",
    "date": "`YYYY-MM-DD`",
    "amount": "EUR: digits, `.` and at most 2 decimals, no thousands separator, >= 0",
    "integer": "digits only, >= 0",
}

HEADER = f"""# The monitoring export (contract v{SCHEMA_VERSION})

What the pipeline reads from a programme's project-monitoring system. A programme that
exports differently maps its files onto this contract; nothing downstream changes. Every
export that follows it publishes; what breaks it is rejected with an error that names the
file, the row and the column. The team's specification is the reference; this page is
generated from the contract the validator checks (`schemas/monitoring_contract.py`,
`schemas/monitoring.py`) by `make docs`: do not edit by hand.

## Transport

A folder of CSV files and `manifest.json`, over HTTP(S) at a base URL
(`INTERREG_MONITORING_URL`, with an optional bearer token) or as a local folder.
`manifest.json` holds `schema_version` (`"{SCHEMA_VERSION}"`: any other value fails),
`programme_id`, `exported_at` (an ISO 8601 UTC time) and `files`: each file's `name`,
`sha256` and `rows` (records, header excluded). A file whose bytes or record count differ
from its entry is fetched once more, then fails the run. A 401 or 403 fails at once; 429,
5xx, slow servers and dropped connections are retried with backoff within a time budget.

## Format

CSV in UTF-8 (a leading byte-order mark is allowed), comma-separated, RFC 4180 quoting
(fields may hold commas, quotes and line breaks), one header row, LF or CRLF line ends.
Columns are found by their header name, in any order; extra columns are kept and
reported as schema drift. An empty field is null. Types:

| type | form |
|---|---|
""" + "".join(f"| {name} | {form} |\n" for name, form in TYPES.items())

INDICATOR_LINES = "\n".join(
    f"  * `{code}`: {figure.replace('_', ' ')}" for code, figure in HEADLINE_INDICATORS.items()
)

FOOTER = f"""
## The figures, as of a date

Every figure is computed as of a date D and leaves out everything of a withdrawn project.
The dates D are every month end from the month of the earliest `approved_on` up to the
month of `exported_at`, the last one replaced by the UTC date of `exported_at` when that is
earlier. Anything dated after D counts on no date up to D: an export is a snapshot taken
while staff keep working, so rows dated after `exported_at` count on no date yet.

* **Projects**: those approved by D.
* **Effective reports**: for each project and period, the approved version with the
  highest `version` among those approved by D; submitted and rejected versions never count.
* **Indicators**: the values of the effective reports, summed, one figure per code:
{INDICATOR_LINES}
  Other codes are kept but feed no headline figure.
* **Good practices validated**: status `validated` and `validated_on` by D.
* **Policy instruments influenced**: policy changes with status `validated` and
  `validated_on` by D; of them, those on `growth_and_jobs` or `etc` instruments are
  Structural Funds programmes. Their financial impact is `sf_influenced_eur +
  other_influenced_eur` (from Structural Funds: `sf_influenced_eur`), exact to the cent.
* **Regions involved**: eligible regions that are the `nuts2_code` of a partner of a
  project approved by D; coverage is 100 × involved / eligible, rounded half up to one
  decimal.
"""


def column_rule(column: Column) -> str:
    rules = []
    if column.values:
        rules.append("one of " + ", ".join(f"`{v}`" for v in column.values))
    if column.pattern:
        rules.append(f"matches `{column.pattern}`")
    if column.min_value is not None and column.max_value is not None:
        rules.append(f"{column.min_value} to {column.max_value}")
    elif column.min_value is not None:
        rules.append(f">= {column.min_value}")
    return "; ".join(rules)


def rule_sentence(rule: RowRule) -> str:
    """A rule's error as a sentence: "must ..." errors name their column first."""
    return f"{rule.columns[0]} {rule.error}" if rule.error.startswith("must") else rule.error


def file_markdown(spec: FileSpec) -> str:
    rows = "".join(
        f"| `{c.name}` | {c.type} | {'yes' if c.required else ''} | {column_rule(c)} |\n"
        for c in spec.columns
    )
    lines = [
        f"### {spec.name}",
        "",
        "| column | type | required | values |",
        "|---|---|---|---|",
        rows.rstrip("\n"),
        "",
        f"* Key: ({', '.join(f'`{c}`' for c in spec.key)}), unique in the file.",
    ]
    lines += [f"* Unique: ({', '.join(f'`{c}`' for c in u)})." for u in spec.unique]
    lines += [
        f"* `{', '.join(r.columns)}` refers to `{r.file}` (`{', '.join(r.target_columns)}`)."
        for r in spec.references
    ]
    if spec.max_rows is not None and spec.min_rows == spec.max_rows:
        lines.append(f"* Exactly {spec.min_rows} row{'s' if spec.min_rows != 1 else ''}.")
    elif spec.min_rows:
        lines.append(f"* At least {spec.min_rows} row{'s' if spec.min_rows != 1 else ''}.")
    else:
        lines.append("* May have no rows.")
    lines += [f"* {rule_sentence(rule)} (`{rule.name}`)." for rule in RULES.get(spec.name, [])]
    return "\n".join(lines) + "\n"


def contract_markdown() -> str:
    files = "\n".join(file_markdown(spec) for spec in MONITORING.files)
    return f"{HEADER}\n## Files\n\n{files}{FOOTER}"


if __name__ == "__main__":
    sys.stdout.write(contract_markdown())
