"""A monitoring export as wide as contract v1, for tests (docs: monitoring-export.md).

tools/samples/monitoring.py makes the bundled sample: one programme, calibrated, in one
byte shape. Exports made by others to the letter of the contract differ in everything the
contract leaves open, and most of the first ones we saw broke the pipeline. This module
makes random exports that are always valid to the contract and use what it allows.

The figures mean nothing (nothing is calibrated). On top of a random bulk, every case of
CASES is injected at every scale, in rows, on dates and in byte shapes that the seed picks:

* the export day is a month end, the 1st or mid-month (seed % 3), with a time of day;
  rows are dated on it and after it (the export is a snapshot taken while staff work on);
* report histories the headline must untangle (supersession across a month end and after
  the export, a higher version approved before a lower one, rejected and pending versions
  over an approved one), projects without reports, with only a lead, never approved;
* a withdrawn project with everything, one region that only it reaches, partners without
  a region or with a code of another NUTS version or from outside the programme area;
* national Structural Funds instruments, validations before submission or approval;
* every written form of an amount, indicator codes beyond O1-O4, value 0, integers with
  leading zeros ("digits only": 01 is 1);
* Greek, Cyrillic, Polish and Nordic names with commas, quotes and line breaks;
* per file: BOM or not, CRLF or LF, columns reordered, extra columns, every field quoted
  or minimal quoting, a final line end or not; the NUTS version (2013/2016/2021,
  (seed // 3) % 3) and its region codes.

Same seed and scale, same bytes: one random.Random per section, seeded by the seed alone
(so the export day and shapes do not move with the scale), lists only, no clock.

    python -m tools.samples.wide_export --out DIR [--seed N] [--scale 0.05]
    python -m tools.samples.monitoring --wide --out DIR [--seed N] [--scale 0.05]

To add a case: write a function of the Export below that adds or rewrites rows (its own
`ex.rng("case:...")`, dates relative to `ex.day`), list it in generate(), describe it in
CASES, and give tests/unit/test_wide_export.py a detector for it.
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from schemas.monitoring_contract import MONITORING

CASES = (
    "exported_at: a UTC timestamp with a time of day, on a month end, the 1st or mid-month",
    "rows dated on the export day: a report approved, a change and a good practice validated",
    "after the export (its month when there is room, and the next month): report versions "
    "submitted and approved, policy changes validated, good practices submitted and validated",
    "a project approved after the export",
    "a later report version approved after a month end (that month end sees v1, the next v2)",
    "a later report version approved after the export, over one approved before it",
    "a higher report version approved before a lower one",
    "rejected and submitted-only higher versions over an approved one",
    "a withdrawn project with partners, approved reports with values, instruments, "
    "validated changes and validated good practices",
    "an eligible region that only the withdrawn project's partner reaches",
    "partners without a region, with a code of an older NUTS version, from outside the area",
    "national growth_and_jobs and etc instruments (no nuts2_code) with validated changes",
    "a good practice validated two years after submission, one validated before submission",
    "a policy change validated before its project was approved",
    "amounts with 0, 1 and 2 decimals, zeros written 0 and 0.00, ERDF equal to the budget",
    "indicator codes beyond O1-O4 with values, and a headline value of 0",
    "a project without reports, one with only its lead, one whose reports are never approved",
    "Greek, Cyrillic, Polish and Nordic names with commas, quotes, CR LF and LF in them",
    "per file: BOM or not, CRLF or LF, columns reordered, extra columns, quoting all or "
    "minimal, a final line end or not",
    "nuts_version 2013, 2016 or 2021, with region codes of that version",
    "integers with leading zeros: period numbers 01, a value 007, nuts_version 02016 for "
    "half the seeds",
)

PROGRAMME_ID = "2014TC16RFIR001"
PROJECTS_PER_SCALE = 258
MIN_SCALE = 0.05
MIN_PROJECTS = 13  # scale 0.05: 5 special projects and 8 of the bulk, enough for every case
MAX_PROJECT_NUMBER = 99_999  # project ids are PGI + 5 digits
NUTS_VERSIONS = (2013, 2016, 2021)
EXPORT_DAYS = ("month_end", "first", "mid_month")
FILES = MONITORING.file_names
BOM = b"\xef\xbb\xbf"
LINE_BREAKS = ("\r\n", "\n")

# ----------------------------------------------------------------------------- regions
# NUTS-2 codes and names, a few per country of the programme (30 countries); plausible, not
# complete. NUTS 2016 first, then what differs in 2013 and 2021.

Regions = tuple[tuple[str, str], ...]


def region_table(text: str) -> dict[str, Regions]:
    """Regions by country from "CODE name | CODE name" lines; the country is the code's start."""
    table: dict[str, list[tuple[str, str]]] = {}
    for entry in text.replace("\n", "|").split("|"):
        if entry.strip():
            code, name = entry.strip().split(" ", 1)
            table.setdefault(code[:2], []).append((code, name))
    return {country: tuple(regions) for country, regions in table.items()}


REGIONS_2016 = region_table("""
AT11 Burgenland | AT13 Wien | AT22 Steiermark | AT33 Tirol
BE10 Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest | BE21 Prov. Antwerpen
BE33 Prov. Liège
BG31 Северозападен | BG33 Североизточен | BG41 Югозападен | BG42 Южен централен
CH01 Région lémanique | CH04 Zürich | CH07 Ticino
CY00 Κύπρος
CZ01 Praha | CZ06 Jihovýchod | CZ08 Moravskoslezsko
DE11 Stuttgart | DE21 Oberbayern | DE30 Berlin | DE60 Hamburg | DEA1 Düsseldorf | DED2 Dresden
DK01 Hovedstaden | DK03 Syddanmark | DK05 Nordjylland
EE00 Eesti
EL30 Αττική | EL43 Κρήτη | EL52 Κεντρική Μακεδονία | EL63 Δυτική Ελλάδα
ES11 Galicia | ES21 País Vasco | ES30 Comunidad de Madrid | ES51 Cataluña | ES61 Andalucía
ES70 Canarias
FI1B Helsinki-Uusimaa | FI1D Pohjois- ja Itä-Suomi | FI20 Åland
FR10 Ile-de-France | FRB0 Centre — Val de Loire | FRF1 Alsace | FRI1 Aquitaine
FRK2 Rhône-Alpes | FRL0 Provence-Alpes-Côte d'Azur | FRY4 La Réunion
HR03 Jadranska Hrvatska | HR04 Kontinentalna Hrvatska
HU10 Közép-Magyarország | HU23 Dél-Dunántúl | HU32 Észak-Alföld
IE04 Northern and Western | IE05 Southern | IE06 Eastern and Midland
ITC4 Lombardia | ITF3 Campania | ITG1 Sicilia | ITH3 Veneto | ITH5 Emilia-Romagna | ITI4 Lazio
LT01 Sostinės regionas | LT02 Vidurio ir vakarų Lietuvos regionas
LU00 Luxembourg
LV00 Latvija
MT00 Malta
NL11 Groningen | NL32 Noord-Holland | NL41 Noord-Brabant
NO01 Oslo og Akershus | NO05 Vestlandet | NO07 Nord-Norge
PL21 Małopolskie | PL22 Śląskie | PL41 Wielkopolskie | PL63 Pomorskie | PL71 Łódzkie
PL91 Warszawski stołeczny
PT11 Norte | PT17 Área Metropolitana de Lisboa | PT20 Região Autónoma dos Açores
RO11 Nord-Vest | RO32 București - Ilfov | RO42 Vest
SE11 Stockholm | SE22 Sydsverige | SE33 Övre Norrland
SI03 Vzhodna Slovenija | SI04 Zahodna Slovenija
SK01 Bratislavský kraj | SK04 Východné Slovensko
UKC1 Tees Valley and Durham | UKI3 Inner London - West | UKM7 Eastern Scotland
UKN0 Northern Ireland
""")
# Whole countries whose regions differ in the other versions.
REGIONS_CHANGED = {
    2013: region_table("""
FR10 Île de France | FR24 Centre | FR42 Alsace | FR61 Aquitaine | FR71 Rhône-Alpes
FR82 Provence-Alpes-Côte d'Azur | FRA4 Réunion
IE01 Border, Midland and Western | IE02 Southern and Eastern
LT00 Lietuva
PL11 Łódzkie | PL12 Mazowieckie | PL21 Małopolskie | PL22 Śląskie | PL41 Wielkopolskie
PL63 Pomorskie
UKC1 Tees Valley and Durham | UKI1 Inner London | UKM2 Eastern Scotland | UKN0 Northern Ireland
"""),
    2021: region_table("""
HU11 Budapest | HU12 Pest | HU23 Dél-Dunántúl | HU32 Észak-Alföld
HR02 Panonska Hrvatska | HR03 Jadranska Hrvatska | HR05 Grad Zagreb | HR06 Sjeverna Hrvatska
NO07 Nord-Norge | NO08 Oslo og Viken | NO0A Vestlandet
"""),
}
# Codes of an earlier NUTS version than the export's: never in its eligible regions.
OLDER_CODES = {
    2013: ("EL11", "EL21", "SI01"),
    2016: ("FR24", "IE01", "LT00", "PL12", "UKI1"),
    2021: ("HU10", "HR04", "NO01", "NO05"),
}
# Outside the programme area: countries with no eligible region at all.
OUTSIDE_CODES = ("AL01", "ME00", "MK00", "RS11", "TR10", "TR51")

# ----------------------------------------------------------------------------- vocabulary

NON_EU = ("CH", "NO")  # funded nationally: their partners receive no ERDF
COUNTRIES: dict[str, tuple[str, tuple[str, ...]]] = {  # language, towns
    "AT": ("de", ("Graz", "Linz")),
    "BE": ("fr", ("Liège", "Antwerpen")),
    "BG": ("bg", ("София", "Бургас")),
    "CH": ("de", ("Zürich", "Lugano")),
    "CY": ("el", ("Λευκωσία", "Λεμεσός")),
    "CZ": ("cs", ("Brno", "Ostrava")),
    "DE": ("de", ("München", "Köln")),
    "DK": ("nordic", ("Aarhus", "København")),
    "EE": ("baltic", ("Tartu",)),
    "EL": ("el", ("Αθήνα", "Ηράκλειο", "Πάτρα")),
    "ES": ("es", ("Sevilla", "A Coruña")),
    "FI": ("nordic", ("Oulu", "Mariehamn")),
    "FR": ("fr", ("Lyon", "Orléans")),
    "HR": ("south_slavic", ("Zagreb", "Split")),
    "HU": ("hu", ("Pécs", "Debrecen")),
    "IE": ("en", ("Galway", "Cork")),
    "IT": ("it", ("Milano", "Napoli", "Bologna")),
    "LT": ("baltic", ("Vilnius", "Kaunas")),
    "LU": ("fr", ("Luxembourg",)),
    "LV": ("baltic", ("Rīga",)),
    "MT": ("en", ("Valletta",)),
    "NL": ("nl", ("Groningen", "Eindhoven")),
    "NO": ("nordic", ("Tromsø", "Bergen")),
    "PL": ("pl", ("Łódź", "Gdańsk", "Kraków")),
    "PT": ("pt", ("Porto", "Évora")),
    "RO": ("ro", ("Cluj-Napoca", "Timișoara")),
    "SE": ("nordic", ("Malmö", "Umeå")),
    "SI": ("south_slavic", ("Maribor", "Ljubljana")),
    "SK": ("cs", ("Košice", "Bratislava")),
    "UK": ("en", ("Manchester", "Belfast")),
}
ORGANISATIONS = {  # {r}: the region's name, {t}: a town
    "de": ("Amt der Landesregierung {r}", "Stadt {t}", 'Verein "Zukunftsregion {r}" e. V.'),
    "fr": ("Région {r}", "Ville de {t}", "Agence régionale de l'innovation « {r} »"),
    "nl": ("Provincie {r}", "Gemeente {t}", 'Stichting "Groen Kapitaal {r}"'),
    "it": ("Regione {r}", "Comune di {t}", "Camera di Commercio, Industria e Artigianato di {t}"),
    "es": ("Consejería de Economía – {r}", "Ayuntamiento de {t}", 'Fundación "{r} Emprende"'),
    "pt": ("Comissão de Coordenação e Desenvolvimento Regional – {r}", "Câmara Municipal de {t}"),
    "el": ("Περιφέρεια {r}", "Δήμος {t}", "Αναπτυξιακή Εταιρεία «{r}», Α.Ε."),
    "bg": ("Областна администрация {t}", "Община {t}", "Сдружение „Агенция за развитие – {t}“"),
    "pl": ("Urząd Marszałkowski Województwa {r}", "Gmina Miasta {t}", "Fundacja Rozwoju, {t}"),
    "cs": ("Krajský úřad – {r}", "Statutární město {t}", "Regionální rozvojová agentura {r}"),
    "nordic": ("Region {r}", "{t} kommune", "Næringsforening i {r}", "Länsstyrelsen – {r}"),
    "hu": ("{t} Megyei Jogú Város Önkormányzata", "Regionális Fejlesztési Ügynökség – {r}"),
    "ro": ("Agenția pentru Dezvoltare Regională {r}", "Primăria Municipiului {t}"),
    "baltic": ("{t} miesto savivaldybė", "{t} pilsētas dome", "SA {t} Teaduspark"),
    "south_slavic": ("Grad {t}", "Mestna občina {t}", "Regionalna razvojna agencija – {r}"),
    "en": ("{t} City Council", "{r} Regional Assembly", '"Future {r}" Community Interest Company'),
}
ORGANISATIONS_EN = ("Regional authority of {r}", "City of {t}", "Development agency, {r}")
TOPICS = {
    1: ("innovation ecosystems", "smart specialisation", "technology transfer"),
    2: ("SME competitiveness", "rural entrepreneurship", "digitalisation of SMEs"),
    3: ("low-carbon mobility", "energy efficiency in buildings", "energy communities"),
    4: ("circular economy", "natural and cultural heritage", "water management"),
}
TITLES = (
    "Improving regional policies for {topic}",
    'Policies for "{topic}" in European regions',
    "Regions for {topic}: sharing, learning, acting",
    "Interregional cooperation on {topic}, from learning to action",
)
ACRONYM_STEMS = ("INNO", "SME", "CLEAN", "CIRC", "GREEN", "DIGI", "ENER", "MOVE", "RIS3")
ACRONYM_STEMS += ("ΚΛΙΜΑ", "ЕНЕРГИЯ", "ŁĄCZ", "FJORD")
ACRONYM_TAILS = ("", "-EU", "4EU", " PLUS", "NET", "UP", "2SME")
INSTRUMENTS = {  # (regional names with {r}, national names)
    "growth_and_jobs": (
        (
            "ROP {r} 2014-2020",
            "POR FESR {r} 2014-2020",
            "Επιχειρησιακό Πρόγραμμα «{r}» 2014-2020",
            "Regionalny Program Operacyjny – {r}",
        ),
        (
            "Оперативна програма „Иновации и конкурентоспособност“ 2014-2020",
            "Program Operacyjny Inteligentny Rozwój 2014-2020",
            "PON Imprese e Competitività 2014-2020",
            'Operational Programme "Competitiveness, Entrepreneurship and Innovation"',
        ),
    ),
    "etc": (
        ("Interreg V-A {r} cross-border programme 2014-2020",),
        (
            "Interreg V-A Ελλάδα-Βουλγαρία 2014-2020",
            "Interreg Baltic Sea Region 2014-2020",
            "Interreg V-A España-Portugal (POCTEP) 2014-2020",
            "Interreg Øresund-Kattegat-Skagerrak 2014-2020",
        ),
    ),
    "other": (
        (
            "Regional Innovation Strategy for Smart Specialisation – {r}",
            "Climate and Energy Action Plan 2030, {r}",
            'Regional "Green Deal" strategy, {r}',
        ),
        ("Rural Development Programme 2014-2020", "National Waste Management Plan"),
    ),
}
CHANGES = {
    "new_projects": "New projects financed under {i} on {topic}",
    "management": "Improved management of {i}: revised selection criteria, {topic}",
    "strategic_focus": 'Strategic focus of {i} shifted to "{topic}"',
}
PRACTICES = (
    "Innovation vouchers for micro-enterprises",
    "One-stop shop for energy renovation",
    "Ενεργειακή αναβάθμιση δημοτικών κτιρίων",
    "Bony na cyfryzację dla MŚP",
    "Зелени обществени поръчки",
    "Repair café network",
)
HEADLINE_INDICATORS = (
    ("O1", "Interregional policy-learning events organised", "events", "output"),
    ("O2", "Good practices identified", "good practices", "output"),
    ("O3", "People with increased professional capacity", "persons", "output"),
    ("O4", "Action plans developed", "action plans", "output"),
    ("O5", "Appearances in media", "appearances", "output"),
)
MORE_INDICATORS = (
    ("O6", 'Πολιτικές συναντήσεις, "workshops"', "meetings", "output"),
    ("O7", "Stakeholders engaged", "organisations", "output"),
    ("R1", "Policy instruments improved", "instruments", "result"),
    ("R2", "Structural Funds influenced, in thousands", "kEUR", "result"),
)
# One name per script, each with a comma and double quotes; the second part follows a line
# break inside the field.
SCRIPTS = {
    "greek": ('Περιφέρεια Κρήτης, Διεύθυνση "Αναπτυξιακού Προγραμματισμού"', "Τμήμα Ευρωπαϊκών"),
    "cyrillic": ('Община „Бургас“, дирекция "Европейски проекти"', "отдел „Иновации“"),
    "polish": ('Urząd Marszałkowski Województwa Łódzkiego, "Żółta Gęś"', "Departament Rozwoju"),
    "nordic": ('Næringsforening i Tromsø, "Øst" og Ålesund', "Avdeling for utvikling, Färöarna"),
}
TEXT_COLUMNS = (
    ("partners.csv", "organisation_name"),
    ("projects.csv", "title"),
    ("policy_changes.csv", "description"),
    ("policy_instruments.csv", "name"),
)
# Columns beyond the contract (schema drift) and what they may hold.
EXTRA_COLUMNS = ("internal_note", "last_modified", "σχόλια", 'note, "free text"', "Änderung")
EXTRA_VALUES = ("", "ok", "2023-01-05 10:12:00", 'Σημείωση, "δείτε"\r\nγραμμή 2', "J. Ødegård")
ID_FORMS = (  # report, instrument, change, good practice
    ("{pid}-R{period:02d}-V{version}", "PI{:06d}", "PC{:07d}", "GP{:07d}"),
    ("{pid}/{period}/{version}", "INS-{}", "CHG-{}", "GPR-{}"),
    ("R{number}{period:02d}{version:02d}", "I{:05d}", "C{:06d}", "G{:06d}"),
)
PARTNER_COUNTS = {3: 2, 4: 5, 5: 9, 6: 13, 7: 15, 8: 16, 9: 13, 10: 10, 11: 7, 12: 5, 13: 3, 14: 2}
REPORT_HISTORIES = {
    "approved": 70,
    "rejected_then_approved": 8,
    "superseded": 8,
    "pending": 5,
    "approved_then_rejected": 4,
    "approved_then_pending": 3,
    "rejected": 2,
}

# ----------------------------------------------------------------------------- helpers


def days(n: int) -> timedelta:
    return timedelta(days=n)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after d's month."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def between(rng: random.Random, first: date, last: date) -> date:
    """A day from first to last, both included."""
    return first + days(rng.randint(0, (last - first).days))


def pick(rng: random.Random, weights: dict) -> object:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def some_cents(rng: random.Random, low_euros: int, high_euros: int) -> int:
    """Whole euros, tens of cents or any cents: every written form of an amount can occur."""
    tail = rng.choice((0, 10 * rng.randint(1, 9), rng.randint(1, 99)))
    return rng.randint(low_euros, high_euros) * 100 + tail


def amount(rng: random.Random, cents: int) -> str:
    """EUR as the contract writes them: 12, 12.5 or 12.50, as far as the cents allow."""
    euros, rest = divmod(cents, 100)
    forms = [f"{euros}.{rest:02d}"]
    if rest % 10 == 0:
        forms.append(f"{euros}.{rest // 10}")
    if rest == 0:
        forms.append(str(euros))
    return rng.choice(forms)


def decorate(rng: random.Random, text: str, second: str = "(updated)") -> str:
    """Now and then a text as people type them: a second line (LF or CR LF), a quote."""
    draw = rng.random()
    if draw < 0.03:
        return f"{text}{rng.choice(LINE_BREAKS)}{second}"
    if draw < 0.06:
        return f'{text}, "{second}"'
    return text


# ----------------------------------------------------------------------------- the export


@dataclass
class Export:
    """The export being made: its day, its NUTS version and its rows, file by file.

    A row is a dict of contract column -> value (str, int, date; None is null). Keys that
    start with "_" are the generator's notes, never written.
    """

    seed: int
    day: date  # the date of exported_at
    exported_at: str
    nuts_version: int
    regions: dict[str, Regions]  # the eligible ones, by country
    region_names: dict[str, str]  # code -> name, eligible or not
    project_ids: list[str]
    special_ids: dict[str, str]  # kind of special project -> its id
    only_withdrawn_region: str  # reached by the withdrawn project's partner alone
    committees: list[date]  # the decision dates of calls 1 to 4
    id_forms: tuple[str, str, str, str]
    rows: dict[str, list[dict]] = field(default_factory=lambda: {name: [] for name in FILES})
    projects: dict[str, dict] = field(default_factory=dict)
    partners: dict[str, list[dict]] = field(default_factory=dict)  # by project id
    values: dict[tuple[str, str], dict] = field(default_factory=dict)  # (report, code) -> row
    claimed: set[tuple[str, int]] = field(default_factory=set)  # (project, period) of cases
    counters: dict[str, int] = field(default_factory=dict)

    def rng(self, section: str) -> random.Random:
        """One generator per section: changing one section leaves the others alone."""
        return random.Random(f"wide:{self.seed}:{section}")

    def add(self, file_name: str, /, **row: object) -> dict:
        self.rows[file_name].append(row)
        return row

    def next_number(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    def live_projects(self) -> list[dict]:
        """Projects of the bulk that are not withdrawn (cases pick their rows there)."""
        return [
            p
            for p in self.projects.values()
            if p["status"] != "withdrawn" and not p.get("_explicit")
        ]

    def region_name(self, code: str | None) -> str | None:
        return self.region_names.get(code or "")


def new_export(seed: int, scale: float) -> Export:
    if not scale >= MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE}, not {scale}")
    rng = random.Random(f"wide:{seed}:export")
    day, exported_at = export_moment(rng, EXPORT_DAYS[seed % 3])
    version = NUTS_VERSIONS[(seed // 3) % 3]
    regions = {**REGIONS_2016, **REGIONS_CHANGED.get(version, {})}
    ids = project_ids(rng, max(MIN_PROJECTS, round(PROJECTS_PER_SCALE * scale)))
    kinds = ("withdrawn", "lead_only", "no_reports", "unapproved", "after_export")
    # From a country with other regions, so that its other partners have somewhere to go.
    shared = [code for regs in regions.values() if len(regs) > 1 for code, _ in regs]
    first = day - days(rng.randint(1300, 2400))  # the first call's decisions
    return Export(
        seed=seed,
        day=day,
        exported_at=exported_at,
        nuts_version=version,
        regions=regions,
        region_names={code: name for regs in regions.values() for code, name in regs},
        project_ids=ids,
        special_ids=dict(zip(kinds, rng.sample(ids, len(kinds)), strict=True)),
        only_withdrawn_region=rng.choice(shared),
        committees=[first + days(offset + rng.randint(-30, 30)) for offset in (0, 270, 450, 720)],
        id_forms=rng.choice(ID_FORMS),
    )


def export_moment(rng: random.Random, kind: str) -> tuple[date, str]:
    """The export day (a month end, the 1st or mid-month) and exported_at, in UTC."""
    first = date(rng.randint(2019, 2025), rng.randint(1, 12), 1)
    day = {
        "month_end": month_end(first),
        "first": first,
        "mid_month": first.replace(day=rng.randint(10, 20)),
    }[kind]
    hour, minute, second = rng.choice(
        ((6, 0, 0), (0, 0, 0), (23, 59, 59), (rng.randint(0, 23), rng.randint(0, 59), 0))
    )
    return day, f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}Z"


def project_ids(rng: random.Random, n: int) -> list[str]:
    """PGI + 5 digits, with gaps where there is room, as a real programme's ids have."""
    if n > MAX_PROJECT_NUMBER:
        raise ValueError(f"{n} projects do not fit PGI + 5 digits")
    gap = 3 if 3 * n <= MAX_PROJECT_NUMBER else 1
    number, ids = 0, []
    for _ in range(n):
        number += rng.randint(1, gap)
        ids.append(f"PGI{number:05d}")
    return ids


# ----------------------------------------------------------------------------- row makers
# One per file. The bulk and the cases use them alike; each checks the contract's rules
# that it could break, so that a wrong case fails here, not in a test far away.


def new_project(
    ex: Export,
    rng: random.Random,
    pid: str,
    call: int,
    approved_on: date,
    status: str | None = None,
) -> dict:
    axis = rng.randint(1, 4)
    start = add_months(approved_on, rng.choice((1, 2)))
    end = add_months(start, rng.choice((24, 30, 36, 42, 48, 54, 60))) - days(1)
    topic = rng.choice(TOPICS[axis])
    base = (rng.choice(ACRONYM_STEMS) + rng.choice(ACRONYM_TAILS)).strip()
    count = ex.next_number(f"acronym:{base}")  # unique: the second INNO is "INNO 2"
    acronym = base if count == 1 else f"{base} {count}"
    budget = some_cents(rng, 400_000, 3_000_000)
    erdf = budget * rng.choice((75, 80, 85)) // 100
    slug = "".join(c for c in acronym.lower() if c.isascii() and c.isalnum()) or pid.lower()
    project = ex.add(
        "projects.csv",
        project_id=pid,
        acronym=acronym,
        title=decorate(rng, rng.choice(TITLES).format(topic=topic), "Phase 2: monitoring"),
        priority_axis=axis,
        call_no=call,
        status=status or ("closed" if end < ex.day - days(90) else "approved"),
        approved_on=approved_on,
        start_date=start,
        end_date=end,
        total_budget_eur=amount(rng, budget),
        erdf_eur=amount(rng, erdf),
        website=f"https://www.interregeurope.eu/{slug}/" if rng.random() < 0.8 else None,
        _topic=topic,
    )
    ex.projects[pid] = project
    ex.partners[pid] = []
    return project


def new_partner(
    ex: Export,
    rng: random.Random,
    project: dict,
    role: str,
    nuts2: str | None = "draw",
) -> dict:
    """A partner of the project; `nuts2` "draw" takes a region of a random country."""
    if nuts2 == "draw":
        country = rng.choice(list(COUNTRIES))
        free = [c for c, _ in ex.regions[country] if c != ex.only_withdrawn_region]
        nuts2 = None if rng.random() < 0.03 else rng.choice(free)
    else:
        country = nuts2[:2] if nuts2 else rng.choice(list(COUNTRIES))
    # A case may place a partner outside the programme's countries: English, a stand-in town.
    language, towns = COUNTRIES.get(country, ("en", ("Skopje",)))
    town = rng.choice(towns)
    region = ex.region_name(nuts2) or town
    name = rng.choice(ORGANISATIONS[language]).format(r=region, t=town)
    budget = some_cents(rng, 50_000, 600_000)
    rate = 0 if country in NON_EU else 100 if rng.random() < 0.02 else rng.choice((75, 85))
    pid = project["project_id"]
    partner = ex.add(
        "partners.csv",
        partner_id=f"{pid}-P{len(ex.partners[pid]) + 1:02d}",
        project_id=pid,
        organisation_name=decorate(rng, name, "Department of Regional Development"),
        organisation_name_en=(
            rng.choice(ORGANISATIONS_EN).format(r=region, t=town) if rng.random() < 0.7 else None
        ),
        role=role,
        legal_status="public" if rng.random() < 0.7 else "private_non_profit",
        country_code=country,
        nuts2_code=nuts2,
        town=town if rng.random() < 0.6 else None,
        postcode=f"{rng.randint(1000, 99999)}" if rng.random() < 0.5 else None,
        budget_eur=amount(rng, budget),
        erdf_eur=amount(rng, budget * rate // 100),
    )
    ex.partners[pid].append(partner)
    return partner


def add_partners(ex: Export, rng: random.Random, project: dict, n: int) -> list[dict]:
    """n partners, one of them the lead (mostly the first, not always: no rule says so)."""
    lead = 0 if rng.random() < 0.8 else rng.randrange(n)
    return [new_partner(ex, rng, project, "lead" if i == lead else "partner") for i in range(n)]


def periods(project: dict) -> list[tuple[int, date, date]]:
    """The project's semesters, at most 12: (period_no, first day, last day)."""
    start, end = project["start_date"], project["end_date"]
    found = []
    for no in range(1, 13):
        first = add_months(start, 6 * (no - 1))
        if first > end:
            break
        found.append((no, first, min(add_months(start, 6 * no) - days(1), end)))
    return found


def new_report(
    ex: Export,
    project: dict,
    period: tuple[int, date, date],
    version: int,
    status: str,
    submitted: date,
    approved: date | None = None,
) -> dict:
    if (status == "approved") != (approved is not None) or (approved and approved < submitted):
        raise ValueError(f"report {project['project_id']} {period} v{version}: {status} {approved}")
    pid, (no, first, last) = project["project_id"], period
    form = ex.id_forms[0]
    report_id = form.format(pid=pid, number=pid[3:], period=no, version=version)
    return ex.add(
        "progress_reports.csv",
        report_id=report_id,
        project_id=pid,
        period_no=no,
        period_start=first,
        period_end=last,
        version=version,
        status=status,
        submitted_on=submitted,
        approved_on=approved,
    )


def write_versions(ex: Export, project: dict, period: tuple, steps: list[tuple]) -> list[dict]:
    """The versions of one period, 1, 2, ...: steps of (status, submitted, approved or None)."""
    return [
        new_report(ex, project, period, version, *step) for version, step in enumerate(steps, 1)
    ]


def new_instrument(
    ex: Export, rng: random.Random, partner: dict, kind: str, national: bool
) -> dict:
    regional_names, national_names = INSTRUMENTS[kind]
    region = ex.region_name(partner["nuts2_code"])
    national = national or region is None
    name = rng.choice(national_names if national else regional_names).format(r=region)
    authority = rng.choice((None, partner["organisation_name"], f"Managing Authority, {name}"))
    return ex.add(
        "policy_instruments.csv",
        instrument_id=ex.id_forms[1].format(ex.next_number("instrument")),
        project_id=partner["project_id"],
        partner_id=partner["partner_id"],
        name=decorate(rng, name, "(as amended)"),
        instrument_type=kind,
        nuts2_code=None if national else partner["nuts2_code"],
        managing_authority=authority,
    )


def new_change(
    ex: Export,
    rng: random.Random,
    instrument: dict,
    report: dict,
    status: str,
    validated_on: date | None = None,
) -> dict:
    if (status == "validated") != (validated_on is not None):
        raise ValueError(f"policy change {status} with validated_on {validated_on}")
    change_type = rng.choice(list(CHANGES))
    topic = ex.projects[instrument["project_id"]]["_topic"]
    sf = some_cents(rng, 0, 4_000_000) if instrument["instrument_type"] != "other" else 0
    other = some_cents(rng, 0, 800_000) if rng.random() < 0.6 else 0
    return ex.add(
        "policy_changes.csv",
        change_id=ex.id_forms[2].format(ex.next_number("change")),
        instrument_id=instrument["instrument_id"],
        project_id=instrument["project_id"],
        report_id=report["report_id"],
        change_type=change_type,
        description=decorate(rng, CHANGES[change_type].format(i=instrument["name"], topic=topic)),
        sf_influenced_eur=amount(rng, sf),
        other_influenced_eur=amount(rng, other),
        status=status,
        validated_on=validated_on,
    )


def new_good_practice(
    ex: Export,
    rng: random.Random,
    partner: dict,
    submitted: date,
    status: str,
    validated_on: date | None = None,
) -> dict:
    if (status == "validated") != (validated_on is not None):
        raise ValueError(f"good practice {status} with validated_on {validated_on}")
    place = ex.region_name(partner["nuts2_code"]) or partner["country_code"]
    return ex.add(
        "good_practices.csv",
        good_practice_id=ex.id_forms[3].format(ex.next_number("good_practice")),
        project_id=partner["project_id"],
        partner_id=partner["partner_id"],
        title=decorate(rng, f"{rng.choice(PRACTICES)}, {place}", "(transferred)"),
        country_code=partner["country_code"],
        submitted_on=submitted,
        status=status,
        validated_on=validated_on,
    )


# ----------------------------------------------------------------------------- the bulk


def programme(ex: Export) -> None:
    rng = ex.rng("programme")
    ex.add(
        "programme.csv",
        programme_id=PROGRAMME_ID,
        programme_name=rng.choice(("Interreg Europe 2014-2020", 'Interreg Europe, "IE" 2014–2020')),
        period="2014-2020",
        erdf_budget_eur=amount(rng, some_cents(rng, 100_000_000, 500_000_000)),
        nuts_version=ex.nuts_version,
    )


def eligible_regions(ex: Export) -> None:
    for country, regions in ex.regions.items():
        for code, name in regions:
            ex.add("eligible_regions.csv", nuts2_code=code, country_code=country, region_name=name)


def indicators(ex: Export) -> None:
    """O1-O4 (the headline), O5 and some other codes: at least one beyond O5."""
    rng = ex.rng("indicators")
    more = rng.sample(MORE_INDICATORS, rng.randint(1, len(MORE_INDICATORS)))
    for code, name, unit, kind in (*HEADLINE_INDICATORS, *sorted(more)):
        ex.add("indicators.csv", indicator_code=code, name=name, unit=unit, kind=kind)


def bulk_projects(ex: Export) -> None:
    """Projects of the 4 calls (each call as often), about 1 in 40 withdrawn, 3-14 partners."""
    rng = ex.rng("projects")
    bulk = [pid for pid in ex.project_ids if pid not in ex.special_ids.values()]
    calls = [1 + i % 4 for i in range(len(bulk))]
    rng.shuffle(calls)
    withdrawn = set(rng.sample(range(len(bulk)), len(bulk) // 40))
    for i, (pid, call) in enumerate(zip(bulk, calls, strict=True)):
        approved_on = ex.committees[call - 1] + days(rng.randint(0, 40))
        project = new_project(
            ex, rng, pid, call, approved_on, "withdrawn" if i in withdrawn else None
        )
        add_partners(ex, rng, project, pick(rng, PARTNER_COUNTS))


def report_history(rng: random.Random, period_end: date, day: date) -> list[tuple]:
    """One period's versions as they stand on the export day: (status, submitted, approved)."""
    history = pick(rng, REPORT_HISTORIES)
    sent = period_end + days(rng.randint(10, 75))

    def review(submitted: date) -> date:
        return submitted + days(rng.randint(0, 110))  # 0: approved the day it came in

    first = review(sent)
    again = first + days(rng.randint(20, 200))  # a resubmission
    if history == "approved":
        steps = [("approved", sent, first)]
    elif history == "rejected_then_approved":
        steps = [("rejected", sent, None), ("approved", again, review(again))]
    elif history == "superseded":
        steps = [("approved", sent, first), ("approved", again, review(again))]
    elif history == "pending":
        steps = [("submitted", sent, None)]
    elif history == "approved_then_rejected":
        steps = [("approved", sent, first), ("rejected", again, None)]
    elif history == "approved_then_pending":
        steps = [("approved", sent, first), ("submitted", again, None)]
    else:  # rejected
        steps = [("rejected", sent, None)]
    versions = []
    for status, submitted, approved in steps:
        if submitted > day:
            break
        if approved is not None and approved > day:
            status, approved = "submitted", None  # still under review on the export day
        versions.append((status, submitted, approved))
    return versions


def bulk_reports(ex: Export) -> None:
    """Every period that ended by the export gets its history; a withdrawn project stopped
    after 1 to 3 periods; the `_unapproved` project never had a version approved."""
    rng = ex.rng("reports")
    for project in ex.projects.values():
        if project.get("_explicit"):
            continue
        plan = periods(project)
        if project["status"] == "withdrawn":
            plan = plan[: rng.randint(1, 3)]
        for period in plan:
            steps = report_history(rng, period[2], ex.day)
            if project.get("_unapproved"):  # what would have been approved was rejected
                steps = [("rejected" if s == "approved" else s, sent, None) for s, sent, _ in steps]
            write_versions(ex, project, period, steps)


def bulk_instruments(ex: Export) -> None:
    """1 to 4 instruments per project, each in the care of one of its partners."""
    rng = ex.rng("instruments")
    for project in ex.projects.values():
        if project.get("_explicit"):
            continue
        partners = ex.partners[project["project_id"]]
        k = min(rng.choice((1, 1, 2, 2, 3, 4)), len(partners))
        for partner in rng.sample(partners, k):
            kind = pick(rng, {"growth_and_jobs": 55, "etc": 10, "other": 35})
            if kind == "growth_and_jobs" and partner["country_code"] in NON_EU:
                kind = "other"  # no ERDF programmes outside the EU
            new_instrument(ex, rng, partner, kind, national=rng.random() < 0.2)


def reports_by_project(ex: Export) -> dict[str, list[dict]]:
    """Each project's reports submitted by the export and not rejected, in file order: the
    reports a policy change can have been first reported in."""
    found: dict[str, list[dict]] = {}
    for report in ex.rows["progress_reports.csv"]:
        if report["status"] != "rejected" and report["submitted_on"] <= ex.day:
            found.setdefault(report["project_id"], []).append(report)
    return found


def bulk_policy_changes(ex: Export) -> None:
    """0 to 3 changes per instrument, first reported in one of the project's reports."""
    rng = ex.rng("changes")
    reports = reports_by_project(ex)
    for instrument in list(ex.rows["policy_instruments.csv"]):
        sent = reports.get(instrument["project_id"])
        if not sent or ex.projects[instrument["project_id"]].get("_explicit"):
            continue
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            report = rng.choice(sent)
            status = pick(rng, {"validated": 65, "reported": 20, "rejected": 15})
            validated = None
            if status == "validated":
                validated = between(rng, report["submitted_on"], ex.day)
            new_change(ex, rng, instrument, report, status, validated)


def bulk_good_practices(ex: Export) -> None:
    """A few good practices per project, submitted from its third month to its end."""
    rng = ex.rng("good_practices")
    for project in ex.projects.values():
        first, last = project["start_date"] + days(60), min(ex.day, project["end_date"])
        if project.get("_explicit") or first > last:
            continue
        partners = ex.partners[project["project_id"]]
        for _ in range(rng.randint(0, len(partners) + 2)):
            submitted = between(rng, first, last)
            status = pick(rng, {"validated": 55, "submitted": 20, "rejected": 25})
            validated = submitted + days(rng.randint(0, 300)) if status == "validated" else None
            if validated is not None and validated > ex.day:
                status, validated = "submitted", None
            new_good_practice(ex, rng, rng.choice(partners), submitted, status, validated)


def indicator_values(ex: Export) -> None:
    """Every approved version reports O1-O4; other codes, and other versions, now and then."""
    rng = ex.rng("indicator_values")
    codes = [row["indicator_code"] for row in ex.rows["indicators.csv"]]
    for report in ex.rows["progress_reports.csv"]:
        approved = report["status"] == "approved"
        for code in codes:
            headline = code in ("O1", "O2", "O3", "O4")
            if rng.random() < (1.0 if approved and headline else 0.5 if headline else 0.25):
                value = 0 if rng.random() < 0.15 else rng.randint(1, 60 if code == "O3" else 25)
                set_value(ex, report, code, value)


def set_value(ex: Export, report: dict, code: str, value: int) -> None:
    key = (report["report_id"], code)
    if key in ex.values:
        ex.values[key]["value"] = value
    else:
        ex.values[key] = ex.add(
            "indicator_values.csv", report_id=key[0], indicator_code=code, value=value
        )


# ----------------------------------------------------------------------------- special projects


def project_with_only_its_lead(ex: Export) -> None:
    rng = ex.rng("case:lead_only")
    call = rng.randint(1, 4)
    approved_on = ex.committees[call - 1] + days(rng.randint(0, 40))
    project = new_project(ex, rng, ex.special_ids["lead_only"], call, approved_on)
    new_partner(ex, rng, project, "lead")


def project_without_reports(ex: Export) -> None:
    """Approved a few months before the export: its first semester has not ended yet."""
    rng = ex.rng("case:no_reports")
    approved_on = ex.day - days(rng.randint(20, 140))
    project = new_project(ex, rng, ex.special_ids["no_reports"], 4, approved_on)
    add_partners(ex, rng, project, rng.randint(2, 6))


def project_never_approved(ex: Export) -> None:
    """Every report of it rejected or still waiting: it counts, its reports never do."""
    rng = ex.rng("case:unapproved")
    approved_on = ex.day - days(rng.randint(500, 900))
    project = new_project(ex, rng, ex.special_ids["unapproved"], rng.randint(1, 4), approved_on)
    project["_unapproved"] = True
    add_partners(ex, rng, project, rng.randint(3, 8))


def project_approved_after_the_export(ex: Export) -> None:
    """Approved after the snapshot was taken: no rule forbids it, no month end counts it."""
    rng = ex.rng("case:after_export")
    approved_on = ex.day + days(rng.randint(1, 60))
    project = new_project(ex, rng, ex.special_ids["after_export"], 4, approved_on, "approved")
    add_partners(ex, rng, project, rng.randint(2, 5))


def withdrawn_project(ex: Export) -> None:
    """Withdrawn, with everything a live project has: partners (one in a region no other
    project reaches), approved reports (with values, made later), instruments, validated
    changes and good practices. The headline must drop all of it."""
    rng = ex.rng("case:withdrawn")
    approved_on = ex.day - days(rng.randint(700, 1400))
    project = new_project(
        ex, rng, ex.special_ids["withdrawn"], rng.randint(1, 4), approved_on, "withdrawn"
    )
    project["_explicit"] = True  # the bulk leaves it alone: every row of it is made here
    partners = add_partners(ex, rng, project, rng.randint(2, 5))
    partners.append(new_partner(ex, rng, project, "partner", ex.only_withdrawn_region))
    reports = []
    for period in periods(project)[:2]:
        sent = period[2] + days(rng.randint(10, 40))
        reports += write_versions(ex, project, period, [("approved", sent, sent + days(30))])
    instruments = [
        new_instrument(ex, rng, partners[0], "growth_and_jobs", national=False),
        new_instrument(ex, rng, partners[-1], "other", national=False),
    ]
    for instrument in instruments:
        when = between(rng, reports[-1]["approved_on"], ex.day)
        new_change(ex, rng, instrument, reports[-1], "validated", when)
    new_change(ex, rng, instruments[0], reports[0], "rejected")
    for status in ("validated", "validated", "submitted"):
        sent = between(rng, project["start_date"], reports[-1]["submitted_on"])
        validated = between(rng, sent, ex.day) if status == "validated" else None
        new_good_practice(ex, rng, rng.choice(partners), sent, status, validated)


# ----------------------------------------------------------------------------- report cases


def claim_period(ex: Export, rng: random.Random, ends_by: date) -> tuple[dict, tuple]:
    """A semester of a live project that ended by `ends_by` and no other case took; its
    versions so far are dropped: the case writes new ones."""
    pool = [
        (project, period)
        for project in ex.live_projects()
        if not project.get("_unapproved")
        for period in periods(project)
        if period[2] <= ends_by and (project["project_id"], period[0]) not in ex.claimed
    ]
    if not pool:
        raise RuntimeError(f"seed {ex.seed}: no semester left for a report case")
    project, period = rng.choice(pool)
    key = (project["project_id"], period[0])
    ex.claimed.add(key)
    ex.rows["progress_reports.csv"] = [
        r for r in ex.rows["progress_reports.csv"] if (r["project_id"], r["period_no"]) != key
    ]
    return project, period


def after_export_windows(day: date) -> list[tuple[date, date]]:
    """The days after the export in its own month (none after a month end), then the next
    month: where a snapshot's late rows fall."""
    end = month_end(day)
    following = (end + days(1), month_end(end + days(1)))
    return ([(day + days(1), end)] if day < end else []) + [following]


def later_version_after_a_month_end(ex: Export) -> None:
    """v1 approved by a month end, v2 after it and by the export: that month end counts v1,
    the next one v2."""
    rng = ex.rng("case:month_end")
    boundary = month_end(add_months(ex.day, -rng.randint(1, 10)))
    project, period = claim_period(ex, rng, boundary - days(60))
    sent = period[2] + days(rng.randint(1, 20))
    approved = between(rng, sent, boundary)  # may be the month end itself
    again = between(rng, approved, boundary)
    approved_again = between(rng, boundary + days(1), min(month_end(boundary + days(1)), ex.day))
    write_versions(
        ex, project, period, [("approved", sent, approved), ("approved", again, approved_again)]
    )


def later_version_after_the_export(ex: Export) -> None:
    """v1 approved by the export, v2 approved after it: the export's figures count v1."""
    rng = ex.rng("case:superseded_after_export")
    project, period = claim_period(ex, rng, ex.day - days(120))
    sent = period[2] + days(rng.randint(1, 30))
    approved = between(rng, sent, ex.day)
    again = between(rng, approved, ex.day)
    later = ex.day + days(rng.randint(1, 60))
    write_versions(ex, project, period, [("approved", sent, approved), ("approved", again, later)])


def higher_version_approved_first(ex: Export) -> None:
    """v2 approved before v1: once both are approved, v2 (the highest) is the effective one,
    and v1 never is."""
    rng = ex.rng("case:higher_first")
    project, period = claim_period(ex, rng, ex.day - days(200))
    sent = period[2] + days(rng.randint(1, 20))
    again = sent + days(rng.randint(1, 30))
    approved_again = again + days(rng.randint(0, 30))
    approved = approved_again + days(rng.randint(1, 60))
    write_versions(
        ex, project, period, [("approved", sent, approved), ("approved", again, approved_again)]
    )


def versions_over_an_approved_one(ex: Export) -> None:
    """v1 approved, then a rejected and a submitted-only version (order by seed): v1 stays."""
    rng = ex.rng("case:over_approved")
    project, period = claim_period(ex, rng, ex.day - days(200))
    sent = period[2] + days(rng.randint(1, 20))
    approved = sent + days(rng.randint(0, 60))
    later = sorted(between(rng, approved, ex.day) for _ in range(2))
    statuses = rng.sample(("rejected", "submitted"), 2)
    steps = [("approved", sent, approved)] + [
        (s, d, None) for s, d in zip(statuses, later, strict=True)
    ]
    write_versions(ex, project, period, steps)


def reports_after_the_export(ex: Export) -> None:
    """Versions submitted and approved after the export: in its month when it is not a
    month end, and in the next month; and one submitted after it, still waiting."""
    rng = ex.rng("case:reports_after_export")
    for first, last in after_export_windows(ex.day):
        project, period = claim_period(ex, rng, ex.day - days(30))
        sent = between(rng, first, last)
        write_versions(ex, project, period, [("approved", sent, between(rng, sent, last))])
    project, period = claim_period(ex, rng, ex.day - days(30))
    write_versions(ex, project, period, [("submitted", ex.day + days(rng.randint(1, 45)))])


def reports_on_the_export_day(ex: Export) -> None:
    """v1 approved on the export day, v2 submitted on it."""
    rng = ex.rng("case:reports_on_export_day")
    project, period = claim_period(ex, rng, ex.day - days(30))
    sent = between(rng, period[2] + days(1), ex.day)
    write_versions(ex, project, period, [("approved", sent, ex.day), ("submitted", ex.day)])


# ----------------------------------------------------------------------------- other cases


def indicator_value_cases(ex: Export) -> None:
    """Codes beyond O1-O4 with values, and a headline value of 0, on approved reports of
    live projects."""
    rng = ex.rng("case:values")
    live = {p["project_id"] for p in ex.live_projects()}
    approved = [
        r
        for r in ex.rows["progress_reports.csv"]
        if r["status"] == "approved" and r["project_id"] in live
    ]
    beyond = [r["indicator_code"] for r in ex.rows["indicators.csv"]][5:]
    first, second = rng.sample(approved, 2)
    set_value(ex, first, "O5", rng.randint(1, 9))
    set_value(ex, first, rng.choice(beyond), rng.randint(1, 9))
    set_value(ex, second, rng.choice(("O1", "O2", "O3", "O4")), 0)


def partner_region_cases(ex: Export) -> None:
    """Partners without a region, with a code of an older NUTS version, and from outside
    the programme area: none is in eligible_regions.csv, so none counts as involved."""
    rng = ex.rng("case:partner_regions")
    partners = [p for project in ex.live_projects() for p in ex.partners[project["project_id"]]]
    codes = (None, rng.choice(OLDER_CODES[ex.nuts_version]), rng.choice(OUTSIDE_CODES))
    for partner, code in zip(rng.sample(partners, len(codes)), codes, strict=True):
        partner["nuts2_code"] = code
        if code is not None:
            partner["country_code"] = code[:2]


def amount_pairs(rng: random.Random) -> list[tuple[str, str]]:
    """(larger, smaller) amounts: 0 decimals and equal, 1 decimal, 2 decimals, a zero
    written "0", and both zero (written "0" and "0.00")."""
    euros = rng.randint(1_000, 900_000)
    return [
        (str(euros), str(euros)),
        (f"{euros}.{rng.randint(1, 9)}", f"{euros - 1}.{rng.randint(0, 9)}"),
        (f"{euros}.{rng.randint(0, 99):02d}", f"{euros // 2}.{rng.randint(0, 99):02d}"),
        (f"{euros}.{rng.randint(0, 9)}0", "0"),
        ("0", "0.00"),
    ]


def amount_cases(ex: Export) -> None:
    """In projects, partners and policy changes: every written form of an amount, zeros,
    and ERDF equal to the budget (the edge of erdf <= budget)."""
    rng = ex.rng("case:amounts")
    partners = [p for project in ex.live_projects() for p in ex.partners[project["project_id"]]]
    for rows, larger, smaller in (
        (ex.live_projects(), "total_budget_eur", "erdf_eur"),
        (partners, "budget_eur", "erdf_eur"),
        (ex.rows["policy_changes.csv"], "sf_influenced_eur", "other_influenced_eur"),
    ):
        pairs = amount_pairs(rng)
        for row, (big, small) in zip(rng.sample(rows, len(pairs)), pairs, strict=True):
            row[larger], row[smaller] = big, small


def change_cases(ex: Export) -> None:
    """Policy changes validated on the export day, after it (in its month when there is
    room, and the next month), and before their project was approved."""
    rng = ex.rng("case:changes")
    reports = reports_by_project(ex)
    live = {p["project_id"] for p in ex.live_projects()}
    instruments = [
        i
        for i in ex.rows["policy_instruments.csv"]
        if i["project_id"] in live and i["project_id"] in reports
    ]
    days_validated = [ex.day] + [between(rng, *w) for w in after_export_windows(ex.day)]
    for validated in days_validated:
        instrument = rng.choice(instruments)
        report = rng.choice(reports[instrument["project_id"]])
        new_change(ex, rng, instrument, report, "validated", validated)
    instrument = rng.choice(instruments)
    before = ex.projects[instrument["project_id"]]["approved_on"] - days(rng.randint(1, 120))
    new_change(
        ex, rng, instrument, rng.choice(reports[instrument["project_id"]]), "validated", before
    )


def national_structural_funds(ex: Export) -> None:
    """National growth_and_jobs and etc instruments (no nuts2_code) with changes validated
    by the export: they count among the Structural Funds instruments influenced."""
    rng = ex.rng("case:national_instruments")
    reports = reports_by_project(ex)
    projects = [p for p in ex.live_projects() if p["project_id"] in reports]
    for kind in ("growth_and_jobs", "etc"):
        project = rng.choice(projects)
        report = rng.choice(reports[project["project_id"]])
        instrument = new_instrument(
            ex, rng, rng.choice(ex.partners[project["project_id"]]), kind, national=True
        )
        validated = between(rng, max(report["submitted_on"], project["approved_on"]), ex.day)
        new_change(ex, rng, instrument, report, "validated", validated)


def good_practice_cases(ex: Export) -> None:
    """Good practices validated two years or more after submission, validated before they
    were submitted, validated on the export day, and submitted and validated after it."""
    rng = ex.rng("case:good_practices")
    projects = ex.live_projects()
    old = [p for p in projects if p["start_date"] <= ex.day - days(800)]
    project = rng.choice(old)
    partner = rng.choice(ex.partners[project["project_id"]])
    sent = between(rng, project["start_date"], ex.day - days(731))
    new_good_practice(ex, rng, partner, sent, "validated", between(rng, sent + days(730), ex.day))
    started = [p for p in projects if p["start_date"] <= ex.day - days(30)]
    partner = rng.choice(ex.partners[rng.choice(started)["project_id"]])
    sent = ex.day - days(rng.randint(10, 30))
    new_good_practice(ex, rng, partner, sent, "validated", sent - days(rng.randint(1, 60)))
    partner = rng.choice(ex.partners[rng.choice(started)["project_id"]])
    new_good_practice(ex, rng, partner, ex.day - days(rng.randint(0, 60)), "validated", ex.day)
    for first, last in after_export_windows(ex.day):
        partner = rng.choice(ex.partners[rng.choice(started)["project_id"]])
        sent = between(rng, first, last)
        new_good_practice(ex, rng, partner, sent, "validated", between(rng, sent, last))


def non_latin_texts(ex: Export) -> None:
    """Greek, Cyrillic, Polish and Nordic names with commas, double quotes and a line
    break inside the field (CR LF for two of them, LF for the other two), in each column
    where people type names, titles and descriptions."""
    rng = ex.rng("case:texts")
    for name, column in TEXT_COLUMNS:
        breaks = [*LINE_BREAKS, *LINE_BREAKS]
        rng.shuffle(breaks)
        rows = rng.sample(ex.rows[name], len(SCRIPTS))
        for row, (first, second), line_break in zip(rows, SCRIPTS.values(), breaks, strict=True):
            row[column] = f"{first}{line_break}{second}"


def integers_with_leading_zeros(ex: Export) -> None:
    """An integer is "digits only": leading zeros are allowed. Two-digit period numbers for
    two periods (every version of each), a value "007", and for seeds with (seed // 4) odd
    the programme's nuts_version ("02016")."""
    rng = ex.rng("case:leading_zeros")
    reports = ex.rows["progress_reports.csv"]
    padded = rng.sample(sorted({(r["project_id"], r["period_no"]) for r in reports}), 2)
    for report in reports:
        if (report["project_id"], report["period_no"]) in padded:
            report["period_no"] = f"{report['period_no']:02d}"
    value = rng.choice([v for v in ex.rows["indicator_values.csv"] if 0 < v["value"] < 10])
    value["value"] = f"{value['value']:03d}"
    if (ex.seed // 4) % 2:
        ex.rows["programme.csv"][0]["nuts_version"] = f"0{ex.nuts_version}"


def renumber(ex: Export) -> None:
    """Instruments, changes and good practices numbered in project order, as a real export
    numbers them: the cases' rows, added last, take their place among the bulk's."""
    forms = dict(zip(("instrument", "change", "good_practice"), ex.id_forms[1:], strict=True))
    new_ids: dict[str, str] = {}
    for name, key, kind in (
        ("policy_instruments.csv", "instrument_id", "instrument"),
        ("policy_changes.csv", "change_id", "change"),
        ("good_practices.csv", "good_practice_id", "good_practice"),
    ):
        ordered = sorted(ex.rows[name], key=lambda r: r["project_id"])  # stable
        for number, row in enumerate(ordered, 1):
            if kind == "instrument":
                new_ids[row[key]] = forms[kind].format(number)
            row[key] = forms[kind].format(number)
        ex.rows[name] = ordered
    for change in ex.rows["policy_changes.csv"]:
        change["instrument_id"] = new_ids[change["instrument_id"]]


# ----------------------------------------------------------------------------- bytes


@dataclass(frozen=True)
class Shape:
    """How one file is written: every choice the contract leaves to the exporter."""

    bom: bool
    line_end: str
    columns: tuple[str, ...]  # the header: contract columns and extra ones, in file order
    quote_all: bool
    final_line_end: bool


def choose_shapes(ex: Export) -> dict[str, Shape]:
    """A shape per file; across the 10 files each choice is made both ways at least once."""
    rng = ex.rng("shapes")

    def both_ways() -> list[bool]:
        flags = [True, False] + [rng.random() < 0.5 for _ in FILES[2:]]
        rng.shuffle(flags)
        return flags

    bom, crlf, reorder, extra, quote_all, final = (both_ways() for _ in range(6))
    shapes = {}
    for i, name in enumerate(FILES):
        columns = list(MONITORING.file(name).column_names)
        if extra[i]:
            for column in rng.sample(EXTRA_COLUMNS, rng.randint(1, 2)):
                columns.insert(rng.randint(0, len(columns)), column)
        if reorder[i]:
            original = list(columns)
            while columns == original:
                rng.shuffle(columns)
        shapes[name] = Shape(
            bom[i], "\r\n" if crlf[i] else "\n", tuple(columns), quote_all[i], final[i]
        )
    return shapes


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_line(values: list[str], quote_all: bool) -> str:
    """RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled."""
    return ",".join(
        '"' + v.replace('"', '""') + '"' if quote_all or any(c in v for c in ',"\r\n') else v
        for v in values
    )


def sort_key(name: str):
    """Rows in key order; reports by project, then period and version as numbers."""
    if name == "progress_reports.csv":
        return lambda row: (row["project_id"], int(row["period_no"]), int(row["version"]))
    key = MONITORING.file(name).key
    return lambda row: tuple(row[c] for c in key)


def csv_bytes(ex: Export, name: str, shape: Shape) -> bytes:
    rng = ex.rng(f"extra_values:{name}")
    contract = set(MONITORING.file(name).column_names)
    lines = [csv_line(list(shape.columns), shape.quote_all)]
    for row in sorted(ex.rows[name], key=sort_key(name)):
        values = [
            text(row[c]) if c in contract else rng.choice(EXTRA_VALUES) for c in shape.columns
        ]
        lines.append(csv_line(values, shape.quote_all))
    body = shape.line_end.join(lines) + (shape.line_end if shape.final_line_end else "")
    return (BOM if shape.bom else b"") + body.encode("utf-8")


def write_export(ex: Export, folder: Path) -> None:
    """The 10 files, then manifest.json with each file's sha256 and record count."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = ex.rng("manifest")
    entries = []
    for name, shape in choose_shapes(ex).items():
        data = csv_bytes(ex, name, shape)
        (folder / name).write_bytes(data)
        entries.append(
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "rows": len(ex.rows[name])}
        )
    rng.shuffle(entries)  # the contract lists the files, in no order
    manifest = {
        "schema_version": MONITORING.version,
        "programme_id": PROGRAMME_ID,
        "exported_at": ex.exported_at,
        "files": entries,
    }
    body = json.dumps(manifest, indent=rng.choice((2, None)), ensure_ascii=False) + "\n"
    (folder / "manifest.json").write_bytes(body.encode("utf-8"))


# ----------------------------------------------------------------------------- generate


def generate(out_dir: Path, seed: int, scale: float) -> None:
    """Write a contract-v1 export into out_dir: the random bulk, then every case of CASES."""
    ex = new_export(seed, scale)
    programme(ex)
    eligible_regions(ex)
    indicators(ex)
    bulk_projects(ex)
    project_with_only_its_lead(ex)
    project_without_reports(ex)
    project_never_approved(ex)
    project_approved_after_the_export(ex)
    withdrawn_project(ex)
    bulk_reports(ex)
    # The report cases rewrite whole periods: before anything refers to a report.
    later_version_after_a_month_end(ex)
    later_version_after_the_export(ex)
    higher_version_approved_first(ex)
    versions_over_an_approved_one(ex)
    reports_after_the_export(ex)
    reports_on_the_export_day(ex)
    bulk_instruments(ex)
    bulk_policy_changes(ex)
    bulk_good_practices(ex)
    indicator_values(ex)
    indicator_value_cases(ex)
    partner_region_cases(ex)
    change_cases(ex)
    national_structural_funds(ex)
    good_practice_cases(ex)
    amount_cases(ex)  # after the change cases: it rewrites amounts of changes too
    non_latin_texts(ex)
    integers_with_leading_zeros(ex)  # last: it writes numbers as text
    renumber(ex)
    write_export(ex, Path(out_dir))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write the export into")
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument(
        "--scale", type=float, default=1.0, help=f"1: ~258 projects; at least {MIN_SCALE}"
    )
    args = parser.parse_args(argv)
    if not args.scale >= MIN_SCALE:
        parser.error(f"--scale must be at least {MIN_SCALE}")
    generate(args.out, seed=args.seed, scale=args.scale)
    print(f"{args.out}: wide export, seed {args.seed}, scale {args.scale}")


if __name__ == "__main__":
    main()
