"""A synthetic keep.eu search export (current layout), built from a monitoring export.

The bundled sample (`sample/keep/keep_eu_export.xlsx`) is keep.eu as it would list the
Interreg Europe 2014-2020 projects of the committed monitoring sample (`sample/monitoring/`),
with a few deliberate disagreements that `marts.source_reconciliation` must find (see
`plan_mismatches`), plus a few projects of other programmes. Everything in it is
invented, like the monitoring sample it is made from.

It exercises what real exports do: Excel date cells and `N.a.` end dates, ISO country
codes (GR and GB for what the monitoring export calls EL and UK), NUTS cells as plain
codes and as `CODE  / Name`, empty NUTS cells, non-EU partners (RS, MK, AL, BA, TR, ME),
the typographic apostrophe of `Partner’s ID if not PIC`, acronyms written another way.

Deterministic: the same monitoring export, seed and scale give the same bytes (fixed
zip timestamps and document properties). `scale` multiplies the other programmes'
projects; the Interreg Europe ones are those of the monitoring export read, so a
benchmark that generates a scaled monitoring export scales them by reading it.

    python -m tools.samples.keep --out sample/keep/keep_eu_export.xlsx \
        [--monitoring sample/monitoring] [--seed 2014] [--scale 1]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.cell import WriteOnlyCell

REPO_ROOT = Path(__file__).resolve().parents[2]
MONITORING_DIR = REPO_ROOT / "sample" / "monitoring"
OUT_FILE = REPO_ROOT / "sample" / "keep" / "keep_eu_export.xlsx"
FIXED_TIME = datetime(2024, 5, 15, 6, 0, 0)  # the monitoring sample's export time

PROJECTS_SHEET = "Search results, projects"
PARTNERS_SHEET = "Search results, partners"
PROJECT_HEADERS = (
    "Period",
    "Programme",
    "Project ID (2021-2027 only)",
    "Project acronym",
    "Project name in English",
    "Project name in language 2",
    "Project name in language 3",
    "Project name in language 4",
    "Description in English",
    "Description in language 2",
    "Expected Achievements in English",
    "Actual Achievements in English",
    "Project start",
    "Project end",
    "Project's total budget / expenditure",
    "Project's EU funding",
    "Union co-financing rate",
    "Website",
    "Theme 1",
    "Theme 2",
    "Theme 3",
)
PARTNER_HEADERS = (
    "Programme",
    "Project ID (2021-2027 only)",
    "Project acronym",
    "Organisation in English",
    "Organisation in language 2",
    "Organisation in language 3",
    "Organisation in language 4",
    "Lead partner",
    "Country code",
    "Participant Identification Code",
    "Partner\u2019s ID if not PIC",  # the typographic apostrophe keep.eu writes
    "Type of Organisation",
    "Town",
    "Website",
    "NUTS2 code (or equivalent)",
    "NUTS3 code (or equivalent)",
    "Partner's total eligible budget / expenditure",
    "ERDF contribution (2014-2020 only)",
    "Partner's programme co-financing (EUR) (2021-2027 only)",
)

INTERREG_EUROPE = "Interreg Europe"
# keep.eu writes ISO 3166 codes; the monitoring export the EU's.
ISO_COUNTRY = {"EL": "GR", "UK": "GB"}
THEMES = {
    "1": ("Innovation capacity and awareness-raising", "Clustering and economic cooperation"),
    "2": ("SME and entrepreneurship", "Clustering and economic cooperation"),
    "3": ("Energy efficiency", "Renewable energy", "Transport and mobility"),
    "4": ("Cultural heritage and arts", "Waste and water treatment", "Natural resources"),
}
ORGANISATION_TYPES = {
    "public": "Public authority",
    "private_non_profit": "Non-profit organisation",
}


# ----------------------------------------------------------------------------- mismatches


@dataclass(frozen=True)
class Mismatches:
    """The monitoring acronyms the sample treats on purpose, and how."""

    missing: tuple[str, ...]  # not in keep.eu: monitoring_only
    total_budget: dict[str, Decimal]  # keep.eu's total budget differs by this much
    eu_funding: dict[str, Decimal]  # keep.eu's EU funding differs by this much
    partners_removed: dict[str, int]  # keep.eu lists this many partners fewer
    partners_added: dict[str, int]  # ... or this many more
    respelled: dict[str, str]  # keep.eu writes the acronym this way (still a match)
    keep_only: tuple[str, ...]  # Interreg Europe 2014-2020 projects only keep.eu lists

    @property
    def flagged_budget(self) -> set[str]:
        over = [a for a, d in {**self.total_budget, **self.eu_funding}.items() if abs(d) > CENT]
        return set(over)

    @property
    def flagged_partners(self) -> set[str]:
        changes = {**self.partners_added, **{a: -n for a, n in self.partners_removed.items()}}
        return {a for a, n in changes.items() if abs(n) > 1}


CENT = Decimal("0.01")


def plan_mismatches(projects: Sequence[dict[str, str]], partners: Sequence[dict]) -> Mismatches:
    """Which projects disagree, chosen by position among the active projects (by id)."""
    active = sorted(
        (p for p in projects if p["status"] != "withdrawn"), key=lambda p: p["project_id"]
    )
    acronyms = [p["acronym"] for p in active]
    per_project: dict[str, int] = {}
    for partner in partners:
        per_project[partner["project_id"]] = per_project.get(partner["project_id"], 0) + 1
    many = [p["acronym"] for p in active[12:] if per_project.get(p["project_id"], 0) >= 5]
    return Mismatches(
        missing=(acronyms[0], acronyms[1]),
        total_budget={acronyms[2]: Decimal("2500.00"), acronyms[4]: Decimal("0.01")},
        eu_funding={acronyms[3]: Decimal("-150.00")},
        partners_removed={many[0]: 3},
        partners_added={many[1]: 1},
        respelled={
            acronyms[7]: acronyms[7].lower(),
            acronyms[8]: acronyms[8].replace("-", " "),
            acronyms[9]: f" {acronyms[9]}.",
            acronyms[10]: f"{acronyms[10][:3]}-{acronyms[10][3:]}",
        },
        keep_only=("KEEPONLY-IE",),
    )


# ----------------------------------------------------------------------------- other programmes

# (programme, period, project id prefix or None, end may be N.a.)
OTHER_PROGRAMMES = (
    ("URBACT III", "2014-2020", None, False),
    ("ESPON 2020", "2014-2020", None, True),
    (INTERREG_EUROPE, "2021-2027", "01-", True),
)
OTHER_PARTNERS = (  # (country as keep.eu writes it, town, NUTS2 cell, NUTS3 cell)
    ("DE", "Erfurt", "DEG0", "DEG01"),
    ("IT", "Ravenna", "ITH5  / Emilia-Romagna", "ITH57  / Ravenna"),
    ("GR", "Thessaloniki", "EL52", "EL522"),
    ("GB", "Glasgow", "UKM8", None),
    ("RS", "Novi Sad", "RS12", None),
    ("MK", "Skopje", None, None),
    ("AL", "Tirana", None, None),
    ("BA", "Sarajevo", None, None),
    ("TR", "Izmir", "TR31", None),
    ("ME", "Podgorica", None, None),
    ("SI", "Maribor", "SI03  / Vzhodna Slovenija", "SI032  / Podravska"),
)


# ----------------------------------------------------------------------------- generation


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def generate(
    out: Path = OUT_FILE,
    monitoring_dir: Path = MONITORING_DIR,
    *,
    seed: int = 2014,
    scale: int = 1,
) -> Mismatches:
    """Write the export to `out`; returns the deliberate mismatches it holds."""
    if scale < 1:
        raise ValueError(f"scale must be >= 1, not {scale}")
    monitoring_dir = Path(monitoring_dir)
    projects = read_csv(monitoring_dir / "projects.csv")
    partners = read_csv(monitoring_dir / "partners.csv")
    regions = {
        r["nuts2_code"]: r["region_name"] for r in read_csv(monitoring_dir / "eligible_regions.csv")
    }
    plan = plan_mismatches(projects, partners)
    rng = random.Random(f"keep-{seed}")
    project_rows, partner_rows = interreg_europe_rows(projects, partners, regions, plan, rng)
    more_projects, more_partners = other_programme_rows(
        random.Random(f"keep-other-{seed}"), scale, decoys=plan.missing
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(
        workbook_bytes(
            {
                PROJECTS_SHEET: (PROJECT_HEADERS, project_rows + more_projects),
                PARTNERS_SHEET: (PARTNER_HEADERS, partner_rows + more_partners),
            }
        )
    )
    return plan


def interreg_europe_rows(
    projects: list[dict[str, str]],
    partners: list[dict[str, str]],
    regions: dict[str, str],
    plan: Mismatches,
    rng: random.Random,
) -> tuple[list[tuple], list[tuple]]:
    by_project: dict[str, list[dict[str, str]]] = {}
    for partner in partners:
        by_project.setdefault(partner["project_id"], []).append(partner)
    project_rows: list[tuple] = []
    partner_rows: list[tuple] = []
    active = sorted(
        (p for p in projects if p["status"] != "withdrawn"), key=lambda p: p["project_id"]
    )
    for project in active:
        acronym = project["acronym"]
        if acronym in plan.missing:
            continue
        shown = plan.respelled.get(acronym, acronym)
        total = Decimal(project["total_budget_eur"]) + plan.total_budget.get(acronym, 0)
        erdf = Decimal(project["erdf_eur"]) + plan.eu_funding.get(acronym, 0)
        project_rows.append(
            project_row(
                INTERREG_EUROPE,
                "2014-2020",
                None,
                shown,
                project["title"],
                f"{project['title'].splitlines()[0]}: interregional cooperation to improve"
                " regional development policies.",
                date.fromisoformat(project["start_date"]),
                date.fromisoformat(project["end_date"]),
                total,
                erdf,
                project["website"] or None,
                themes(rng, project["priority_axis"]),
            )
        )
        rows = by_project.get(project["project_id"], [])
        rows = rows[: len(rows) - plan.partners_removed.get(acronym, 0)]
        for number, partner in enumerate(rows, start=1):
            partner_rows.append(ie_partner_row(shown, partner, regions, number))
        for extra in range(plan.partners_added.get(acronym, 0)):
            partner_rows.append(
                partner_row(
                    INTERREG_EUROPE,
                    None,
                    shown,
                    f"Associated partner {extra + 1} of {shown}",
                    False,
                    "BE",
                    "Brussels",
                    "BE10",
                    None,
                    None,
                    None,
                )
            )
    for acronym in plan.keep_only:
        project_rows.append(
            project_row(
                INTERREG_EUROPE,
                "2014-2020",
                None,
                acronym,
                "A project only keep.eu lists",
                None,
                date(2017, 1, 1),
                date(2020, 12, 31),
                Decimal("1200000.00"),
                Decimal("1020000.00"),
                None,
                ("Tourism", None, None),
            )
        )
        partner_rows.append(
            partner_row(
                INTERREG_EUROPE,
                None,
                acronym,
                "Only-in-keep municipality",
                True,
                "PT",
                "Évora",
                "PT18  / Alentejo",
                None,
                Decimal("600000.00"),
                Decimal("510000.00"),
            )
        )
    return project_rows, partner_rows


def ie_partner_row(acronym: str, partner: dict[str, str], regions: dict, number: int) -> tuple:
    nuts2 = partner["nuts2_code"] or None
    if nuts2 and number % 5 == 0 and nuts2 in regions:  # some cells carry the name too
        nuts2 = f"{nuts2}  / {regions[nuts2]}"
    english = partner["organisation_name_en"] or partner["organisation_name"]
    return partner_row(
        INTERREG_EUROPE,
        None,
        acronym,
        english,
        partner["role"] == "lead",
        ISO_COUNTRY.get(partner["country_code"], partner["country_code"]),
        partner["town"] or None,
        nuts2,
        None,
        Decimal(partner["budget_eur"]),
        Decimal(partner["erdf_eur"]),
        organisation_type=ORGANISATION_TYPES.get(partner["legal_status"]),
        other_language=partner["organisation_name"] if partner["organisation_name_en"] else None,
    )


def other_programme_rows(
    rng: random.Random, scale: int, decoys: Sequence[str] = ()
) -> tuple[list[tuple], list[tuple]]:
    """Projects of other programmes (3 per programme and scale unit).

    The first project of each programme takes a `decoys` acronym when there is one:
    monitoring projects missing from keep.eu, which must not match a namesake of another
    programme or period.
    """
    project_rows: list[tuple] = []
    partner_rows: list[tuple] = []
    for index, (programme, period, id_prefix, open_ended) in enumerate(OTHER_PROGRAMMES):
        for n in range(1, 3 * scale + 1):
            acronym = f"{re.sub(r'[^A-Z]', '', programme.upper())[:6]}-{period[:4]}-{n:03d}"
            if n == 1 and decoys:
                acronym = decoys[index % len(decoys)]
            project_id = f"{id_prefix}{n:04d}" if id_prefix else None
            start = date(int(period[:4]) + 1 + n % 3, 1 + n % 12, 1)
            end = "N.a." if open_ended and n == 1 else date(start.year + 3, start.month, 28)
            total = Decimal(rng.randrange(40_000_000, 300_000_000)) / 100
            eu = (total * Decimal("0.80")).quantize(CENT)
            project_rows.append(
                project_row(
                    programme,
                    period,
                    project_id,
                    acronym,
                    f"Cooperation project {n} of {programme}",
                    None,
                    start,
                    end,
                    total,
                    eu,
                    None,
                    (rng.choice(THEMES[str(1 + n % 4)]), None, None),
                )
            )
            partners = rng.sample(OTHER_PARTNERS, rng.randint(2, 5))
            shares = [Decimal(1) / len(partners)] * len(partners)
            for number, ((country, town, nuts2, nuts3), share) in enumerate(
                zip(partners, shares, strict=True), start=1
            ):
                budget = (total * share).quantize(CENT)
                co_financed = (budget * Decimal("0.80")).quantize(CENT)
                partner_rows.append(
                    partner_row(
                        programme,
                        project_id,
                        acronym,
                        f"{town} partner {number}",
                        number == 1,
                        country,
                        town,
                        nuts2,
                        nuts3,
                        budget,
                        None if project_id else co_financed,  # ERDF: 2014-2020 only
                        cofinancing=co_financed if project_id else None,
                    )
                )
    return project_rows, partner_rows


def project_row(
    programme: str,
    period: str,
    project_id: str | None,
    acronym: str,
    name: str,
    description: str | None,
    start: date,
    end: date | str,
    total: Decimal,
    eu: Decimal,
    website: str | None,
    theme: Sequence[str | None],
) -> tuple:
    rate = f"{round(eu / total * 100)}%" if total else None
    return (
        period,
        programme,
        project_id,
        acronym,
        name,
        None,
        None,
        None,
        description,
        None,
        None,
        None,
        _excel_date(start),
        _excel_date(end),
        float(total),
        float(eu),
        rate,
        website,
        *theme,
    )


def partner_row(
    programme: str,
    project_id: str | None,
    acronym: str,
    organisation: str,
    lead: bool,
    country: str,
    town: str | None,
    nuts2: str | None,
    nuts3: str | None,
    budget: Decimal | None,
    erdf: Decimal | None,
    *,
    cofinancing: Decimal | None = None,
    organisation_type: str | None = None,
    other_language: str | None = None,
) -> tuple:
    return (
        programme,
        project_id,
        acronym,
        organisation,
        other_language,
        None,
        None,
        "Yes" if lead else "No",
        country,
        None,
        None,
        organisation_type,
        town,
        None,
        nuts2,
        nuts3,
        _amount(budget),
        _amount(erdf),
        _amount(cofinancing),
    )


def themes(rng: random.Random, axis: str) -> tuple[str | None, str | None, str | None]:
    pool = THEMES[axis]
    chosen = rng.sample(pool, rng.randint(1, len(pool)))
    return tuple(chosen + [None] * (3 - len(chosen)))  # type: ignore[return-value]


def _amount(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _excel_date(value: date | str) -> datetime | str:
    return datetime(value.year, value.month, value.day) if isinstance(value, date) else value


# ----------------------------------------------------------------------------- legacy -> current


def convert_legacy(legacy_xlsx: Path) -> bytes:
    """A legacy (keep.eu 2) export rewritten in the current layout, as keep.eu 3 exports it.

    For testing the current layout's reader on real data: one row per project (legacy
    lists a project once per lead partner), dates as date cells, budgets as the legacy
    text (`892,228.58`), EU funding as number cells, ISO country codes (EL -> GR, UK ->
    GB), NUTS cells as they were (`DEG0  / Thüringen`). Cells are otherwise unchanged.
    """
    workbook = openpyxl.load_workbook(legacy_xlsx, read_only=True, data_only=True)
    try:
        projects = _legacy_rows(workbook["Projects (lead partners)"])
        partners = _legacy_rows(workbook["Partners"])
    finally:
        workbook.close()
    project_rows, seen = [], set()
    for p in projects:
        if (p["Programme"], str(p["Acronym"])) in seen:
            continue
        seen.add((p["Programme"], str(p["Acronym"])))
        project_rows.append(
            (
                p["Period"], p["Programme"], None, p["Acronym"], p["Project Name"],
                p["Project Name language 2"], p["Project Name language 3"], None,
                p["Description EN"], p["Description 1"], p["Expected Results EN"],
                p["Achievements EN"], _legacy_date(p["Project start"]),
                _legacy_date(p["Project end"]), p["Budget"], p["EU Funding"], None,
                p["Website"], p["Thematic1"], p["Thematic2"], p["Thematic3"],
            )
        )  # fmt: skip
    partner_rows = []
    for p in partners:
        country = p["Country code"]
        if isinstance(country, str) and country[:2] in {"EL", "UK"}:
            country = {"EL": "GR", "UK": "GB"}[country[:2]]
        elif isinstance(country, str):
            country = country[:2]
        partner_rows.append(
            (
                p["Programme"], None, p["Acronym"], p["Project Partner"], None, None, None,
                p["Lead Partner"], country, None, None, p["Legal Status"], p["Town"],
                p["Website"], p["NUTS2 (or equivalent)"], p["NUTS3 (or equivalent)"], None,
                None, None,
            )
        )  # fmt: skip
    return workbook_bytes(
        {
            PROJECTS_SHEET: (PROJECT_HEADERS, project_rows),
            PARTNERS_SHEET: (PARTNER_HEADERS, partner_rows),
        }
    )


def _legacy_rows(sheet) -> list[dict[str, object]]:
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    padding = (None,) * len(header)
    return [
        dict(zip(header, (*row, *padding)[: len(header)], strict=True))
        for row in rows
        if any(v is not None and str(v).strip() for v in row)
    ]


def _legacy_date(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(r"\d{4}/\d{2}/\d{2}", value):
        return datetime.strptime(value, "%Y/%m/%d")
    return value


# ----------------------------------------------------------------------------- the workbook


def workbook_bytes(sheets: dict[str, tuple[Sequence[str], Sequence[Sequence[object]]]]) -> bytes:
    """An XLSX workbook with these sheets (header row, then rows), the same bytes every time.

    Dates are written as Excel date cells, numbers as number cells, None as empty cells.
    Rows are streamed (openpyxl's write-only mode): a scaled export stays small in memory.
    """
    workbook = openpyxl.Workbook(write_only=True)
    for title, (headers, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_date_cell(sheet, v) if isinstance(v, datetime) else v for v in row])
    workbook.properties.creator = "interreg-results sample generator"
    workbook.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _date_cell(sheet, value: datetime) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = "yyyy-mm-dd"
    return cell


def _fixed_zip(data: bytes) -> bytes:
    """The zip with fixed entry times and a fixed `modified` property (openpyxl stamps now)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_FILE)
    parser.add_argument("--monitoring", type=Path, default=MONITORING_DIR)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--scale", type=int, default=1, help="multiplies the other programmes")
    args = parser.parse_args(argv)
    generate(args.out, args.monitoring, seed=args.seed, scale=args.scale)
    print(f"{args.out}: synthetic keep.eu export, seed {args.seed}, scale {args.scale}")


if __name__ == "__main__":
    main()
