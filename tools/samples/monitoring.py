"""A synthetic monitoring export shaped like Interreg Europe 2014-2020 (contract v1).

Everything in it is invented: projects, partners, reports and figures. It has the shape
of the real programme (4 calls, 258 projects plus a few withdrawn ones, about 2,000
partners from 30 countries, semester reports with resubmissions, policy instruments and
their changes, good practices) and is calibrated so that the headline results land near
the published ones at the dates they were published (the MILESTONES tables below).

The same seed and scale always give the same bytes: one `random.Random` per file section,
ordered iteration only, no clock, LF line ends, UTF-8, RFC 4180 minimal quoting.
`scale` multiplies the projects (and with them everything else) for load tests.

    python -m tools.samples.monitoring --out sample/monitoring [--seed 2014] [--scale 1]
    python -m tools.samples.monitoring --refresh-regions   # rebuild the programme area
    python -m tools.samples.monitoring --wide --out DIR [--seed N] [--scale 0.05]

--wide writes instead an export as wide as the contract, for tests (wide_export.py).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

from schemas.monitoring_contract import MONITORING
from tools.samples import wide_export

PROGRAMME_ID = "2014TC16RFIR001"
PROGRAMME_NAME = "Interreg Europe 2014-2020"
ERDF_BUDGET_CENTS = 359_326_000_00
NUTS_VERSION = 2016
EXPORTED_AT = "2024-05-15T06:00:00Z"
EXPORT_DATE = date(2024, 5, 15)
LAST_ACTIVITY = date(2023, 12, 31)  # no project period runs past the programme's end
COVID_START, COVID_END = date(2020, 3, 1), date(2021, 6, 30)

REPO_ROOT = Path(__file__).resolve().parents[2]
REGIONS_FILE = Path(__file__).with_name("nuts2016_programme_area.csv")
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
MAX_PROJECT_NUMBER = 99_999  # project ids are PGI + 5 digits

# ----------------------------------------------------------------------------- calibration
# Cumulative headline figures at scale 1 on the dates the programme published them
# (docs/monitoring-export.md), which the generator makes the sample pass through.

FIG_2022, FIG_2023 = date(2022, 6, 30), date(2023, 3, 31)

# Sum over the effective reports first approved on or before the date.
INDICATOR_MILESTONES: dict[str, tuple[tuple[date, int], ...]] = {
    "O1": ((FIG_2022, 13_550), (FIG_2023, 15_080), (EXPORT_DATE, 16_150)),
    "O2": ((FIG_2022, 4_960), (FIG_2023, 5_530), (EXPORT_DATE, 5_870)),
    "O3": ((FIG_2022, 16_950), (FIG_2023, 21_700), (EXPORT_DATE, 22_520)),
    "O4": ((FIG_2022, 1_158), (FIG_2023, 1_626), (EXPORT_DATE, 1_701)),
}

# Validated policy changes: (date, changes, of which on SF instruments, impact EUR, SF EUR),
# cumulative. The first row is where validations start; the intermediate rows give the
# curve its shape between the published points.
CHANGE_MILESTONES: tuple[tuple[date, int, int, int, int], ...] = (
    (date(2018, 3, 31), 0, 0, 0, 0),
    (date(2019, 12, 31), 250, 150, 330_000_000, 280_000_000),
    (date(2020, 12, 31), 520, 300, 700_000_000, 590_000_000),
    (date(2021, 12, 31), 790, 440, 1_120_000_000, 930_000_000),
    (FIG_2022, 884, 483, 1_295_000_000, 1_076_000_000),
    (FIG_2023, 1_018, 525, 1_341_000_000, 1_104_000_000),
    (date(2024, 4, 30), 1_290, 633, 1_474_000_000, 1_186_000_000),
)
REJECTED_CHANGES, PENDING_CHANGES = 90, 55  # per scale unit

# Validated good practices, cumulative.
GOOD_PRACTICE_MILESTONES: tuple[tuple[date, int], ...] = (
    (date(2017, 3, 31), 0),
    (date(2018, 12, 31), 800),
    (date(2019, 12, 31), 1_600),
    (date(2020, 12, 31), 2_250),
    (date(2021, 12, 31), 2_750),
    (FIG_2022, 2_950),
    (FIG_2023, 3_140),
    (date(2024, 4, 30), 3_215),
)
REJECTED_GOOD_PRACTICES, UNPUBLISHED_GOOD_PRACTICES = 1_500, 1_100  # per scale unit

# Coverage: this many eligible regions get no partner (~89.5 % of 295 are involved).
UNINVOLVED_REGIONS = 31


@dataclass(frozen=True)
class Call:
    no: int
    projects: int  # carried out, per scale unit
    withdrawn: int  # approved, then withdrawn, per scale unit
    committees: tuple[date, ...]  # monitoring-committee decisions
    phase1: tuple[tuple[int, int], ...]  # (semesters of phase 1, weight)


CALLS = (
    Call(1, 64, 1, (date(2016, 3, 17), date(2016, 7, 6)), ((5, 3), (6, 7))),
    Call(2, 66, 1, (date(2017, 1, 17),), ((4, 2), (5, 4), (6, 4))),
    Call(3, 54, 1, (date(2017, 6, 14),), ((4, 3), (5, 4), (6, 3))),
    Call(4, 74, 1, (date(2018, 3, 14),), ((6, 1),)),
)
PARTNER_COUNTS = {3: 2, 4: 5, 5: 9, 6: 13, 7: 15, 8: 16, 9: 13, 10: 10, 11: 7, 12: 5, 13: 3, 14: 2}
INSTRUMENT_COUNTS = {1: 45, 2: 35, 3: 15, 4: 5}

# Report versions of one semester: how often each history happens.
REPORT_HISTORIES = {
    "approved": 78,
    "rejected_then_approved": 7,
    "stale_then_approved": 4,
    "superseded": 7,
    "correction_rejected": 2,
    "rejected_twice": 2,
}

# ----------------------------------------------------------------------------- vocabulary
# Partner countries: share of partners, then organisation-name templates (local, English)
# for public bodies and for private non-profit ones. {r} is the region's name, {t} a town.

Names = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Country:
    weight: float
    public: Names
    non_profit: Names


COUNTRIES: dict[str, Country] = {
    "AT": Country(
        2.0,
        (
            ("Amt der Landesregierung – {r}", "Office of the Regional Government, {r}"),
            ("Stadt {t}", "City of {t}"),
        ),
        (
            ("Wirtschaftskammer {r}", "Economic Chamber of {r}"),
            ('Verein "Energieregion {r}"', "Energy Region {r} association"),
        ),
    ),
    "BE": Country(
        3.0,
        (
            ("Provincie {r}", "Province of {r}"),
            ("Ville de {t}", "City of {t}"),
            ("Agence de développement territorial – {r}", "Territorial development agency, {r}"),
        ),
        (
            ("Vlaams Instituut voor Innovatie, {r}", "Flemish innovation institute, {r}"),
            ("Union wallonne des entreprises – {r}", "Walloon business union, {r}"),
        ),
    ),
    "BG": Country(
        3.5,
        (
            ("Областна администрация {t}", "Regional Administration of {t}"),
            ("Община {t}", "Municipality of {t}"),
            (
                "Министерство на регионалното развитие и благоустройството",
                "Ministry of Regional Development and Public Works",
            ),
        ),
        (
            (
                "Сдружение „Регионална агенция за развитие – {t}“",
                "Regional Development Agency of {t}",
            ),
            ("Български иновационен клъстер „{r}“", "Bulgarian innovation cluster {r}"),
        ),
    ),
    "CH": Country(
        0.6,
        (("Kanton – {r}", "Canton, {r}"), ("Ville de {t}", "City of {t}")),
        (("Regionalentwicklung {r}", "Regional development association {r}"),),
    ),
    "CY": Country(
        1.0,
        (
            (
                "Υπουργείο Ενέργειας, Εμπορίου και Βιομηχανίας",
                "Ministry of Energy, Commerce and Industry",
            ),
            ("Δήμος {t}", "Municipality of {t}"),
        ),
        (
            ("Κυπριακό Ινστιτούτο Ενέργειας", "Cyprus Energy Institute"),
            (
                "Εμπορικό και Βιομηχανικό Επιμελητήριο {t}",
                "Chamber of Commerce and Industry of {t}",
            ),
        ),
    ),
    "CZ": Country(
        2.5,
        (
            ("Krajský úřad – {r}", "Regional Authority, {r}"),
            ("Statutární město {t}", "City of {t}"),
        ),
        (
            ("Regionální rozvojová agentura {r}", "Regional Development Agency {r}"),
            ('Spolek "Inovační centrum {r}"', "Innovation Centre {r} association"),
        ),
    ),
    "DE": Country(
        5.0,
        (
            (
                "Ministerium für Wirtschaft, Arbeit und Tourismus – {r}",
                "Ministry of Economy, Labour and Tourism, {r}",
            ),
            ("Stadt {t}", "City of {t}"),
            ("Regierungspräsidium {r}", "Regional council {r}"),
        ),
        (
            ("Industrie- und Handelskammer {r}", "Chamber of Industry and Commerce {r}"),
            ('Verein "Zukunftsregion {r}" e. V.', "Future Region {r} association"),
            ("Energieagentur {r} gGmbH", "Energy agency {r}"),
        ),
    ),
    "DK": Country(
        1.5,
        (("Region {r}", "Region {r}"), ("{t} Kommune", "Municipality of {t}")),
        (("Væksthus {r}", "Growth House {r}"), ("Erhvervshus {r}", "Business Hub {r}")),
    ),
    "EE": Country(
        2.0,
        (
            ("{t} Linnavalitsus", "{t} City Government"),
            (
                "Majandus- ja Kommunikatsiooniministeerium",
                "Ministry of Economic Affairs and Communications",
            ),
        ),
        (
            ("SA {t} Teaduspark", "{t} Science Park Foundation"),
            ("Eesti Maaülikool", "Estonian University of Life Sciences"),
        ),
    ),
    "EL": Country(
        6.0,
        (
            ("Περιφέρεια {r}", "Region of {r}"),
            ("Δήμος {t}", "Municipality of {t}"),
            ("Αναπτυξιακή Εταιρεία – {r}", "Development Agency, {r}"),
        ),
        (
            ("Επιμελητήριο {t}", "Chamber of {t}"),
            ("Ερευνητικό Κέντρο «{r}»", "Research Centre {r}"),
        ),
    ),
    "ES": Country(
        10.0,
        (
            (
                "Consejería de Economía, Hacienda y Empleo – {r}",
                "Regional Ministry of Economy, Finance and Employment, {r}",
            ),
            ("Ayuntamiento de {t}", "City Council of {t}"),
            ("Agencia de Desarrollo Económico de {r}", "Economic Development Agency of {r}"),
        ),
        (
            ('Fundación "{r} Emprende"', '"{r} Emprende" Foundation'),
            (
                "Cámara Oficial de Comercio, Industria y Navegación de {t}",
                "Chamber of Commerce of {t}",
            ),
            ("Asociación de Municipios de {r}", "Association of Municipalities of {r}"),
        ),
    ),
    "FI": Country(
        3.0,
        (("Maakuntaliitto – {r}", "Regional Council, {r}"), ("{t} kaupunki", "City of {t}")),
        (
            ("Kehittämisyhtiö {r} Oy", "{r} Development Company"),
            ("Yrittäjäyhdistys {r} ry", "{r} Entrepreneurs' association"),
        ),
    ),
    "FR": Country(
        6.0,
        (
            ("Région {r}", "Region {r}"),
            ("Ville de {t}", "City of {t}"),
            ("Conseil départemental – {r}", "Departmental council, {r}"),
        ),
        (
            ("Agence régionale de l'innovation « {r} »", "Regional innovation agency {r}"),
            ("Chambre de commerce et d'industrie, {r}", "Chamber of commerce and industry, {r}"),
        ),
    ),
    "HR": Country(
        2.0,
        (
            ("Grad {t}", "City of {t}"),
            (
                "Ministarstvo regionalnoga razvoja i fondova Europske unije",
                "Ministry of Regional Development and EU Funds",
            ),
        ),
        (
            ("Regionalna razvojna agencija – {r}", "Regional Development Agency, {r}"),
            ("Hrvatska gospodarska komora, {t}", "Croatian Chamber of Economy, {t}"),
        ),
    ),
    "HU": Country(
        3.5,
        (
            ("{t} Megyei Jogú Város Önkormányzata", "Municipality of {t}"),
            ("Pénzügyminisztérium", "Ministry of Finance"),
        ),
        (
            ("Regionális Fejlesztési Ügynökség – {r}", "Regional Development Agency, {r}"),
            ('"{r}" Innovációs Klaszter Egyesület', "{r} innovation cluster"),
        ),
    ),
    "IE": Country(
        2.0,
        (
            ("{r} Regional Assembly", "{r} Regional Assembly"),
            ("{t} City Council", "{t} City Council"),
        ),
        (("{t} Chamber of Commerce", "{t} Chamber of Commerce"),),
    ),
    "IT": Country(
        11.0,
        (
            ("Regione {r}", "Region {r}"),
            ("Comune di {t}", "Municipality of {t}"),
            (
                "Università degli Studi di {t}, Dipartimento di Ingegneria",
                "University of {t}, Department of Engineering",
            ),
        ),
        (
            ('Fondazione "{r} Innovazione"', "{r} Innovation Foundation"),
            (
                "Camera di Commercio, Industria, Artigianato e Agricoltura di {t}",
                "Chamber of Commerce, Industry, Crafts and Agriculture of {t}",
            ),
            (
                "Consorzio per lo Sviluppo Industriale – {r}",
                "Industrial development consortium, {r}",
            ),
        ),
    ),
    "LT": Country(
        2.5,
        (
            ("{t} miesto savivaldybės administracija", "{t} City Municipality Administration"),
            (
                "Lietuvos Respublikos ekonomikos ir inovacijų ministerija",
                "Ministry of the Economy and Innovation",
            ),
        ),
        (("Viešoji įstaiga „{r} inovacijų centras“", "{r} innovation centre"),),
    ),
    "LU": Country(
        0.5,
        (
            ("Ministère de l'Économie, Direction générale", "Ministry of the Economy"),
            ("Ville de {t}", "City of {t}"),
        ),
        (("Luxinnovation GIE", "Luxinnovation"),),
    ),
    "LV": Country(
        2.0,
        (
            ("{t} pilsētas dome", "{t} City Council"),
            (
                "Vides aizsardzības un reģionālās attīstības ministrija",
                "Ministry of Environmental Protection and Regional Development",
            ),
        ),
        (("Biedrība „Latvijas Inovāciju klasteris“", "Latvian innovation cluster"),),
    ),
    "MT": Country(
        1.0,
        (
            (
                "Ministeru għall-Ekonomija, l-Investiment u n-Negozji Żgħar",
                "Ministry for the Economy, Investment and Small Business",
            ),
            ("Kunsill Lokali {t}", "{t} Local Council"),
        ),
        (("Malta Council for Science and Technology", "Malta Council for Science and Technology"),),
    ),
    "NL": Country(
        3.0,
        (("Provincie {r}", "Province of {r}"), ("Gemeente {t}", "Municipality of {t}")),
        (
            ("Ontwikkelingsmaatschappij {r}", "Development Agency {r}"),
            ('Stichting "Groen Kapitaal {r}"', "Green Capital {r} Foundation"),
        ),
    ),
    "NO": Country(
        1.2,
        (("{r} fylkeskommune", "{r} County Council"), ("{t} kommune", "Municipality of {t}")),
        (("Næringsforening i {r}", "Business association of {r}"),),
    ),
    "PL": Country(
        6.5,
        (
            ("Urząd Marszałkowski Województwa – {r}", "Marshal Office of the Voivodeship, {r}"),
            ("Gmina Miasta {t}", "City of {t}"),
            ("Politechnika – {t}", "University of Technology, {t}"),
        ),
        (
            ('Stowarzyszenie "Dolina Innowacji {r}"', '"Innovation Valley {r}" Association'),
            (
                "Fundacja Rozwoju Przedsiębiorczości, {t}",
                "Entrepreneurship Development Foundation, {t}",
            ),
            ("Izba Przemysłowo-Handlowa w {t}", "Chamber of Industry and Commerce in {t}"),
        ),
    ),
    "PT": Country(
        4.5,
        (
            (
                "Comissão de Coordenação e Desenvolvimento Regional – {r}",
                "Regional Coordination and Development Commission, {r}",
            ),
            ("Câmara Municipal de {t}", "Municipality of {t}"),
        ),
        (
            ("Associação Empresarial de {r}", "Business Association of {r}"),
            ("Agência de Energia e Ambiente, {t}", "Energy and Environment Agency, {t}"),
        ),
    ),
    "RO": Country(
        4.0,
        (
            ("Agenția pentru Dezvoltare Regională {r}", "Regional Development Agency {r}"),
            ("Primăria Municipiului {t}", "{t} City Hall"),
        ),
        (
            ("Asociația „Clusterul de Inovare {r}“", "{r} Innovation Cluster Association"),
            ("Camera de Comerț și Industrie {t}", "Chamber of Commerce and Industry {t}"),
        ),
    ),
    "SE": Country(
        3.0,
        (
            ("Region {r}", "Region {r}"),
            ("{t} kommun", "Municipality of {t}"),
            ("Länsstyrelsen – {r}", "County Administrative Board, {r}"),
        ),
        (
            ("Energikontor {r}", "Energy Agency {r}"),
            ("Föreningen Science Park {t}", "Science Park {t} association"),
        ),
    ),
    "SI": Country(
        3.5,
        (
            ("Mestna občina {t}", "City Municipality of {t}"),
            (
                "Ministrstvo za gospodarski razvoj in tehnologijo",
                "Ministry of Economic Development and Technology",
            ),
        ),
        (
            ("Regionalna razvojna agencija – {r}", "Regional Development Agency, {r}"),
            (
                "Gospodarska zbornica Slovenije, {t}",
                "Chamber of Commerce and Industry of Slovenia, {t}",
            ),
        ),
    ),
    "SK": Country(
        2.0,
        (
            ("Úrad samosprávneho kraja – {r}", "Office of the Self-Governing Region, {r}"),
            ("Mesto {t}", "City of {t}"),
        ),
        (("Regionálna rozvojová agentúra {r}", "Regional Development Agency {r}"),),
    ),
    "UK": Country(
        5.0,
        (
            ("{t} City Council", "{t} City Council"),
            ("{r} Combined Authority", "{r} Combined Authority"),
        ),
        (
            ("{r} Local Enterprise Partnership", "{r} Local Enterprise Partnership"),
            ('"Future {r}" Community Interest Company', "Future {r} CIC"),
        ),
    ),
}
NON_EU = ("CH", "NO")  # funded nationally: their partners receive no ERDF

# A known town (and postcode) for some regions; other partners have no town.
# fmt: off
TOWNS: dict[str, tuple[str, str]] = {
    "AT13": ("Wien", "1010"), "AT21": ("Klagenfurt am Wörthersee", "9020"),
    "AT22": ("Graz", "8010"), "AT31": ("Linz", "4020"), "AT32": ("Salzburg", "5020"),
    "AT33": ("Innsbruck", "6020"),
    "BE10": ("Bruxelles", "1000"), "BE21": ("Antwerpen", "2000"), "BE23": ("Gent", "9000"),
    "BE25": ("Brugge", "8000"), "BE33": ("Liège", "4000"),
    "BG31": ("Видин", "3700"), "BG32": ("Русе", "7000"), "BG33": ("Варна", "9000"),
    "BG34": ("Бургас", "8000"), "BG41": ("София", "1000"), "BG42": ("Пловдив", "4000"),
    "CH01": ("Genève", "1204"), "CH02": ("Bern", "3011"), "CH03": ("Basel", "4051"),
    "CH04": ("Zürich", "8001"), "CH07": ("Bellinzona", "6500"),
    "CY00": ("Λευκωσία", "1011"),
    "CZ01": ("Praha", "110 00"), "CZ03": ("Plzeň", "301 00"), "CZ06": ("Brno", "602 00"),
    "CZ07": ("Olomouc", "779 00"), "CZ08": ("Ostrava", "702 00"),
    "DE11": ("Stuttgart", "70173"), "DE21": ("München", "80331"), "DE30": ("Berlin", "10117"),
    "DE40": ("Potsdam", "14467"), "DE50": ("Bremen", "28195"), "DE60": ("Hamburg", "20095"),
    "DE71": ("Frankfurt am Main", "60311"), "DE80": ("Schwerin", "19053"),
    "DE94": ("Oldenburg", "26122"), "DEA1": ("Düsseldorf", "40213"), "DEA2": ("Köln", "50667"),
    "DEB3": ("Mainz", "55116"), "DED2": ("Dresden", "01067"), "DEF0": ("Kiel", "24103"),
    "DK01": ("København", "1550"), "DK02": ("Roskilde", "4000"), "DK03": ("Odense", "5000"),
    "DK04": ("Aarhus", "8000"), "DK05": ("Aalborg", "9000"),
    "EE00": ("Tartu", "51003"),
    "EL30": ("Αθήνα", "105 57"), "EL41": ("Μυτιλήνη", "811 00"), "EL42": ("Ερμούπολη", "841 00"),
    "EL43": ("Ηράκλειο", "712 02"), "EL51": ("Κομοτηνή", "691 00"),
    "EL52": ("Θεσσαλονίκη", "546 25"), "EL53": ("Κοζάνη", "501 00"), "EL54": ("Ιωάννινα", "454 44"),
    "EL61": ("Λάρισα", "412 22"), "EL62": ("Κέρκυρα", "491 00"), "EL63": ("Πάτρα", "262 21"),
    "EL64": ("Λαμία", "351 00"), "EL65": ("Τρίπολη", "221 00"),
    "ES11": ("Santiago de Compostela", "15705"), "ES12": ("Oviedo", "33003"),
    "ES13": ("Santander", "39002"), "ES21": ("Bilbao", "48001"), "ES22": ("Pamplona", "31001"),
    "ES23": ("Logroño", "26001"), "ES24": ("Zaragoza", "50001"), "ES30": ("Madrid", "28013"),
    "ES41": ("Valladolid", "47001"), "ES42": ("Toledo", "45001"), "ES43": ("Mérida", "06800"),
    "ES51": ("Barcelona", "08002"), "ES52": ("València", "46002"), "ES53": ("Palma", "07001"),
    "ES61": ("Sevilla", "41001"), "ES62": ("Murcia", "30001"),
    "ES70": ("Las Palmas de Gran Canaria", "35001"),
    "FI19": ("Tampere", "33100"), "FI1B": ("Helsinki", "00100"), "FI1C": ("Turku", "20100"),
    "FI1D": ("Oulu", "90100"), "FI20": ("Mariehamn", "22100"),
    "FR10": ("Paris", "75001"), "FRB0": ("Orléans", "45000"), "FRC1": ("Dijon", "21000"),
    "FRD1": ("Caen", "14000"), "FRE1": ("Lille", "59000"), "FRF1": ("Strasbourg", "67000"),
    "FRG0": ("Nantes", "44000"), "FRH0": ("Rennes", "35000"), "FRI1": ("Bordeaux", "33000"),
    "FRJ2": ("Toulouse", "31000"), "FRK2": ("Lyon", "69002"), "FRL0": ("Marseille", "13001"),
    "FRM0": ("Ajaccio", "20000"), "FRY4": ("Saint-Denis", "97400"),
    "HR03": ("Rijeka", "51000"), "HR04": ("Zagreb", "10000"),
    "HU11": ("Budapest", "1052"), "HU23": ("Pécs", "7621"), "HU31": ("Miskolc", "3525"),
    "HU32": ("Debrecen", "4024"), "HU33": ("Szeged", "6720"),
    "IE04": ("Galway", "H91"), "IE05": ("Cork", "T12"), "IE06": ("Dublin", "D02"),
    "ITC1": ("Torino", "10121"), "ITC3": ("Genova", "16121"), "ITC4": ("Milano", "20121"),
    "ITF3": ("Napoli", "80133"), "ITF4": ("Bari", "70121"), "ITF6": ("Catanzaro", "88100"),
    "ITG1": ("Palermo", "90133"), "ITG2": ("Cagliari", "09123"), "ITH2": ("Trento", "38122"),
    "ITH3": ("Venezia", "30124"), "ITH4": ("Trieste", "34121"), "ITH5": ("Bologna", "40121"),
    "ITI1": ("Firenze", "50122"), "ITI2": ("Perugia", "06121"), "ITI3": ("Ancona", "60121"),
    "ITI4": ("Roma", "00184"),
    "LT01": ("Vilnius", "01103"), "LT02": ("Kaunas", "44280"),
    "LU00": ("Luxembourg", "L-1648"),
    "LV00": ("Rīga", "LV-1050"),
    "MT00": ("Valletta", "VLT 1110"),
    "NL11": ("Groningen", "9712"), "NL22": ("Arnhem", "6811"), "NL31": ("Utrecht", "3511"),
    "NL32": ("Amsterdam", "1012"), "NL33": ("Rotterdam", "3011"), "NL41": ("Eindhoven", "5611"),
    "NO01": ("Oslo", "0150"), "NO04": ("Stavanger", "4006"), "NO05": ("Bergen", "5003"),
    "NO06": ("Trondheim", "7011"), "NO07": ("Tromsø", "9008"),
    "PL21": ("Kraków", "31-005"), "PL22": ("Katowice", "40-001"), "PL41": ("Poznań", "61-001"),
    "PL42": ("Szczecin", "70-001"), "PL51": ("Wrocław", "50-001"), "PL62": ("Olsztyn", "10-001"),
    "PL63": ("Gdańsk", "80-001"), "PL71": ("Łódź", "90-001"), "PL81": ("Lublin", "20-001"),
    "PL82": ("Rzeszów", "35-001"), "PL84": ("Białystok", "15-001"), "PL91": ("Warszawa", "00-001"),
    "PT11": ("Porto", "4000-001"), "PT15": ("Faro", "8000-001"), "PT16": ("Coimbra", "3000-001"),
    "PT17": ("Lisboa", "1100-001"), "PT18": ("Évora", "7000-001"),
    "PT20": ("Ponta Delgada", "9500-001"), "PT30": ("Funchal", "9000-001"),
    "RO11": ("Cluj-Napoca", "400001"), "RO12": ("Brașov", "500001"), "RO21": ("Iași", "700001"),
    "RO22": ("Constanța", "900001"), "RO31": ("Ploiești", "100001"),
    "RO32": ("București", "010001"), "RO41": ("Craiova", "200001"), "RO42": ("Timișoara", "300001"),
    "SE11": ("Stockholm", "111 20"), "SE12": ("Uppsala", "753 20"), "SE21": ("Jönköping", "553 20"),
    "SE22": ("Malmö", "211 20"), "SE23": ("Göteborg", "411 04"), "SE31": ("Karlstad", "652 25"),
    "SE32": ("Sundsvall", "852 30"), "SE33": ("Umeå", "903 25"),
    "SI03": ("Maribor", "2000"), "SI04": ("Ljubljana", "1000"),
    "SK01": ("Bratislava", "811 01"), "SK02": ("Trnava", "917 01"), "SK03": ("Žilina", "010 01"),
    "SK04": ("Košice", "040 01"),
    "UKC2": ("Newcastle upon Tyne", "NE1 1AA"), "UKD3": ("Manchester", "M1 1AA"),
    "UKE4": ("Leeds", "LS1 1AA"), "UKG3": ("Birmingham", "B1 1AA"), "UKI3": ("London", "SW1A 1AA"),
    "UKK1": ("Bristol", "BS1 1AA"), "UKL2": ("Cardiff", "CF10 1AA"),
    "UKM7": ("Edinburgh", "EH1 1AA"), "UKM8": ("Glasgow", "G1 1AA"), "UKN0": ("Belfast", "BT1 1AA"),
}
# fmt: on
# Remote regions that are the likeliest to have no partner at all.
REMOTE_REGIONS = ("ES63", "ES64", "FI20", "FRY1", "FRY2", "FRY3", "FRY5", "PT20", "UKM6")

AXES = {
    1: (
        "innovation ecosystems",
        "smart specialisation",
        "technology transfer",
        "cluster policies",
        "research infrastructures",
        "innovation vouchers",
    ),
    2: (
        "SME competitiveness",
        "entrepreneurship in rural areas",
        "SME internationalisation",
        "business transfer",
        "digitalisation of SMEs",
        "cultural and creative industries",
    ),
    3: (
        "low-carbon mobility",
        "energy efficiency in buildings",
        "renewable energy communities",
        "sustainable urban mobility",
        "low-carbon ports",
        "energy poverty",
    ),
    4: (
        "natural and cultural heritage",
        "circular economy",
        "resource efficiency",
        "water management",
        "green infrastructure",
        "waste prevention",
    ),
}
ACRONYM_STEMS = {
    1: ("INNO", "RIS3", "TECH", "CLUSTER", "LAB", "KNOW", "SPIN", "BRIDGE"),
    2: ("SME", "START", "GROW", "DIGI", "TRADE", "CREA", "RURAL", "SCALE"),
    3: ("CLEAN", "ENER", "MOVE", "LOCARB", "SOLAR", "PORT", "HEAT", "WATT"),
    4: ("CIRC", "GREEN", "HERIT", "WATER", "NATURE", "WASTE", "BIO", "SOIL"),
}
ACRONYM_TAILS = (
    "",
    "-EU",
    "4EU",
    " PLUS",
    "NET",
    "UP",
    "-REG",
    "BOOST",
    "ACT",
    "2SME",
    "IN",
    "PACT",
)
TITLE_FORMS = (
    "Improving regional policies for {topic}",
    "{Topic} for sustainable regional growth",
    "Interregional cooperation on {topic}, from learning to action",
    'Policies for "{topic}" in European regions',
    "Better policies and instruments for {topic}",
    "Regions for {topic}: sharing, learning, acting",
)
PRACTICE_FORMS = {
    1: (
        "Innovation vouchers for micro-enterprises",
        "Regional open innovation platform",
        "Cheque innovación para pymes",
        "Living lab for health technologies",
        "Bon pour l'innovation",
    ),
    2: (
        "One-stop shop for start-ups",
        "Rural co-working hubs",
        "Export mentoring programme",
        "Business transfer matchmaking",
        "Bony na cyfryzację dla MŚP",
    ),
    3: (
        "One-stop shop for energy renovation",
        "E-bike sharing for commuters",
        "Energiegenossenschaft für Bürger",
        "Low-emission zone with freight consolidation",
        "Ενεργειακή αναβάθμιση δημοτικών κτιρίων",
    ),
    4: (
        "Circular procurement criteria",
        "Heritage-led regeneration of a mining site",
        "Zelené zadávanie verejných zakázok",
        "Nature-based flood protection",
        "Repair café network",
    ),
}
ETC_PROGRAMMES = (
    "Interreg V-A Italia-Österreich 2014-2020",
    "Interreg Baltic Sea Region 2014-2020",
    "Interreg MED 2014-2020",
    "Interreg Alpine Space 2014-2020",
    "Interreg North Sea Region 2014-2020",
    "Interreg CENTRAL EUROPE 2014-2020",
    "Interreg Danube Transnational Programme 2014-2020",
    "Interreg Atlantic Area 2014-2020",
    "Interreg V-A España-Portugal (POCTEP) 2014-2020",
    "Interreg V-A Polska-Slovensko 2014-2020",
    "Interreg V-A Ελλάδα-Βουλγαρία 2014-2020",
    "Interreg V-A Romania-Bulgaria 2014-2020",
)
ROP_FORMS = {
    "IT": "POR FESR {r} 2014-2020",
    "ES": "Programa Operativo FEDER de {r} 2014-2020",
    "PL": "Regionalny Program Operacyjny – {r} na lata 2014-2020",
    "FR": "Programme opérationnel FEDER-FSE {r} 2014-2020",
    "DE": "Operationelles Programm EFRE {r} 2014-2020",
    "EL": "Επιχειρησιακό Πρόγραμμα «{r}» 2014-2020",
    "PT": "Programa Operacional Regional {r} 2014-2020",
    "UK": "{r} ERDF Operational Programme 2014-2020",
}
NATIONAL_OPS = {
    "AT": "IWB/EFRE Österreich 2014-2020",
    "BE": "Programme opérationnel FEDER Wallonie-2020.EU",
    "BG": "Оперативна програма „Иновации и конкурентоспособност“ 2014-2020",
    "CY": "Ανταγωνιστικότητα και Αειφόρος Ανάπτυξη 2014-2020",
    "CZ": "Operační program Podnikání a inovace pro konkurenceschopnost",
    "DE": "Bundesprogramm EFRE 2014-2020",
    "DK": "Innovation og bæredygtig vækst i virksomheder",
    "EE": "Ühtekuuluvuspoliitika fondide rakenduskava 2014–2020",
    "EL": "Επιχειρησιακό Πρόγραμμα «Ανταγωνιστικότητα, Επιχειρηματικότητα και Καινοτομία»",
    "ES": "Programa Operativo Plurirregional de España 2014-2020",
    "FI": "Kestävää kasvua ja työtä 2014–2020 – Suomen rakennerahasto-ohjelma",
    "FR": "Programme opérationnel national FEDER-FSE 2014-2020",
    "HR": "Operativni program Konkurentnost i kohezija 2014.-2020.",
    "HU": "Gazdaságfejlesztési és Innovációs Operatív Program",
    "IE": "Southern and Eastern Regional Operational Programme 2014-2020",
    "IT": "PON Imprese e Competitività 2014-2020",
    "LT": "2014–2020 m. Europos Sąjungos fondų investicijų veiksmų programa",
    "LU": "Programme opérationnel FEDER Luxembourg 2014-2020",
    "LV": "Darbības programma „Izaugsme un nodarbinātība“",
    "MT": "Fostering a competitive and sustainable economy to meet our challenges",
    "NL": "Operationeel Programma EFRO Kansen voor West II",
    "PL": "Program Operacyjny Inteligentny Rozwój 2014-2020",
    "PT": "Programa Operacional Competitividade e Internacionalização",
    "RO": "Programul Operațional Regional 2014-2020",
    "SE": "Nationella regionalfondsprogrammet för investeringar i tillväxt och sysselsättning",
    "SI": "Operativni program za izvajanje evropske kohezijske politike 2014-2020",
    "SK": "Integrovaný regionálny operačný program 2014-2020",
    "UK": "England ERDF Operational Programme 2014-2020",
}
OTHER_FORMS = (
    "Regional Innovation Strategy for Smart Specialisation – {r}",
    "Climate and Energy Action Plan 2030, {r}",
    "Regional Waste Management Plan – {r}",
    "Rural Development Programme 2014-2020",
    'Regional "Green Deal" strategy, {r}',
)
CHANGE_FORMS = {
    "new_projects": "New projects financed under {i} on {topic}",
    "management": "Improved management of {i}: revised selection criteria, {topic}",
    "strategic_focus": "Strategic focus of {i} shifted to {topic}",
}


# ----------------------------------------------------------------------------- helpers


def rng_for(seed: int, section: str) -> random.Random:
    """One generator per section, so that changing one section leaves the others alone."""
    return random.Random(f"{seed}:{section}")


def add_months(d: date, months: int) -> date:
    """The first day of the month `months` after d's month."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def cents(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


def pick(rng: random.Random, weights: dict) -> object:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` that add up to it exactly."""
    if not weights:
        if total:
            raise ValueError(f"nothing to carry {total}")
        return []
    units = [max(0, round(w * 1_000_000)) for w in weights]
    whole = sum(units)
    if whole == 0:
        units, whole = [1] * len(units), len(units)
    shares, running, before = [], 0, 0
    for unit in units:
        running += unit
        upto = (2 * running * total + whole) // (2 * whole)  # rounded half up, exact
        shares.append(upto - before)
        before = upto
    return shares


def spread(rng: random.Random, start: date, end: date, n: int) -> list[date]:
    """n sorted dates in (start, end], one in each of n equal slices."""
    span = (end - start).days
    return [start + days(1 + int(span * (i + rng.random()) / n)) for i in range(n)]


def short_name(region_name: str) -> str:
    """A region's name as used inside organisation names: 'Prov. Limburg (BE)' -> 'Limburg'."""
    name = region_name.split("/")[0].strip()
    name = re.sub(r"\s*\([A-Z]{2}\)$", "", name)
    return name.removeprefix("Prov. ")


def with_newline(rng: random.Random, text: str, rate: float, tail: str) -> str:
    """Now and then a text that spans two lines, as free-text fields sometimes do."""
    return f"{text}\n{tail}" if rng.random() < rate else text


class CsvOut:
    """One contract file: header from the contract, rows counted, LF line ends."""

    def __init__(self, folder: Path, name: str) -> None:
        self.name = name
        self.handle = (folder / name).open("w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        self.writer.writerow(MONITORING.file(name).column_names)
        self.rows = 0

    def write(self, *values: object) -> None:
        self.writer.writerow(["" if v is None else str(v) for v in values])
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


# ----------------------------------------------------------------------------- the model


@dataclass(slots=True)
class Version:
    report_id: str
    version: int
    status: str
    submitted_on: date
    approved_on: date | None


@dataclass(slots=True)
class Period:
    period_no: int
    start: date
    end: date
    phase1_last: int  # the project's last phase-1 period number
    versions: list[Version] = field(default_factory=list)
    values: tuple[int, ...] = ()  # O1..O4 of the final approved version

    @property
    def counted_on(self) -> date | None:
        """When the period first counts: its earliest approval."""
        approved = [v.approved_on for v in self.versions if v.approved_on is not None]
        return min(approved) if approved else None

    @property
    def final(self) -> Version | None:
        approved = [v for v in self.versions if v.status == "approved"]
        return max(approved, key=lambda v: v.version) if approved else None


@dataclass(slots=True)
class Partner:
    partner_id: str
    country: str
    nuts2: str | None
    region: str | None  # the region's short name
    public: bool
    name: str


@dataclass(slots=True)
class Instrument:
    instrument_id: str
    partner: Partner
    kind: str
    name: str


@dataclass(slots=True)
class Project:
    project_id: str
    acronym: str
    title: str
    axis: int
    call: Call
    approved_on: date
    start: date
    withdrawn: bool
    website: str | None
    size: float = 1.0  # partners / average, scales indicator values
    partners: list[Partner] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    instruments: list[Instrument] = field(default_factory=list)
    budget_cents: int = 0
    erdf_cents: int = 0
    planned_end: date | None = None

    @property
    def end(self) -> date:
        return self.planned_end or self.periods[-1].end

    @property
    def status(self) -> str:
        if self.withdrawn:
            return "withdrawn"
        last = self.periods[-1] if self.periods else None
        done = last is not None and last.final is not None and self.end < EXPORT_DATE
        return "closed" if done else "approved"

    def report_rows(self) -> list[Version]:
        return [v for p in self.periods for v in p.versions]


# ----------------------------------------------------------------------------- regions


def read_programme_area(path: Path = REGIONS_FILE) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (r["nuts2_code"], r["country_code"], r["region_name"]) for r in csv.DictReader(handle)
        ]


def refresh_programme_area(shared_data: Path = SHARED_DATA, out: Path = REGIONS_FILE) -> int:
    """Rebuild nuts2016_programme_area.csv from the Eurostat/GISCO files in ../shared/data.

    EU-28: NUTS 2016 level-2 codes of nuts_codes_2013_2016_2021.csv, Extra-Regio excluded.
    Norway and Switzerland: the NUTS 2016 level-2 regions of the GISCO GeoJSON.
    """
    nuts = shared_data / "nuts"
    rows: list[tuple[str, str, str]] = []
    with (nuts / "nuts_codes_2013_2016_2021.csv").open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            if r["nuts_version"] == "2016" and r["level"] == "2" and r["is_extra_regio"] == "false":
                rows.append((r["code"], r["country_code"], r["name"]))
    geojson = json.loads((nuts / "NUTS_RG_60M_2016_4326_LEVL_2.geojson").read_text("utf-8"))
    for feature in geojson["features"]:
        props = feature["properties"]
        if props["CNTR_CODE"] in NON_EU:
            name = props.get("NAME_LATN") or props["NUTS_NAME"]
            rows.append((props["NUTS_ID"], props["CNTR_CODE"], name))
    rows.sort()
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("nuts2_code", "country_code", "region_name"))
        writer.writerows(rows)
    return len(rows)


class RegionDecks:
    """Deals each country's involved regions like cards: every one before any repeats.

    That way every involved region gets a partner, and the uninvolved ones none (but for
    the withdrawn projects, which is what makes excluding them matter).
    """

    def __init__(self, rng: random.Random, regions: list[tuple[str, str, str]]) -> None:
        self.rng = rng
        self.names = {code: short_name(name) for code, _, name in regions}
        self.country = {code: country for code, country, _ in regions}
        self.uninvolved = self._choose_uninvolved(regions)
        self.involved: dict[str, list[str]] = {}
        for code, country, _ in regions:
            if code not in self.uninvolved:
                self.involved.setdefault(country, []).append(code)
        self.decks: dict[str, list[str]] = {}

    def _choose_uninvolved(self, regions: list[tuple[str, str, str]]) -> list[str]:
        per_country: dict[str, int] = {}
        for _, country, _ in regions:
            per_country[country] = per_country.get(country, 0) + 1
        pool = [code for code, country, _ in regions if per_country[country] >= 4]
        weights = [8.0 if code in REMOTE_REGIONS else 1.0 for code in pool]
        chosen: list[str] = []
        while len(chosen) < min(UNINVOLVED_REGIONS, len(pool)):
            i = self.rng.choices(range(len(pool)), weights=weights)[0]
            chosen.append(pool.pop(i))
            weights.pop(i)
        return sorted(chosen)

    def deal(self, country: str) -> str:
        deck = self.decks.get(country)
        if not deck:
            deck = list(self.involved[country])
            self.rng.shuffle(deck)
            self.decks[country] = deck
        return deck.pop()


# ----------------------------------------------------------------------------- projects


def make_acronym(rng: random.Random, axis: int, taken: dict[str, int]) -> str:
    base = rng.choice(ACRONYM_STEMS[axis]) + rng.choice(ACRONYM_STEMS[rng.randint(1, 4)]).lower()
    base = (base[: rng.randint(4, 9)] + rng.choice(ACRONYM_TAILS)).strip().upper()
    count = taken.get(base, 0) + 1
    taken[base] = count
    return base if count == 1 else f"{base} {count}"


def make_title(rng: random.Random, axis: int) -> str:
    topic = rng.choice(AXES[axis])
    title = rng.choice(TITLE_FORMS).format(topic=topic, Topic=topic[0].upper() + topic[1:])
    return with_newline(rng, title, 0.015, "Phase 2: monitoring the action plans")


def plan_periods(rng: random.Random, call: Call, start: date) -> list[Period]:
    """Semester periods: phase 1 (learning), stretched by COVID, then phase 2 (monitoring)."""
    n1 = pick(rng, dict(call.phase1))
    phase1_end = add_months(start, 6 * n1) - days(1)
    if phase1_end >= date(2021, 1, 1):
        n1 += rng.choice((2, 2, 3))
    elif phase1_end >= COVID_START:
        n1 += rng.choice((0, 1, 1, 2))
    phase2_start = add_months(start, 6 * n1)
    n2 = 4 + (1 if phase2_start <= COVID_END and rng.random() < 0.5 else 0)
    periods = []
    for no in range(1, min(12, n1 + n2) + 1):
        first = add_months(start, 6 * (no - 1))
        if first > LAST_ACTIVITY:
            break
        last = min(add_months(start, 6 * no) - days(1), LAST_ACTIVITY)
        periods.append(Period(no, first, last, phase1_last=n1))
    return periods


def make_projects(seed: int, scale: int) -> list[Project]:
    rng = rng_for(seed, "projects")
    projects: list[Project] = []
    taken: dict[str, int] = {}
    number = 0
    # Ids with gaps, as a real programme's have; where the gaps would not leave room for
    # every project in PGI + 5 digits (from scale 128), consecutive ids: up to scale 381.
    gaps = 3 * sum(c.projects + c.withdrawn for c in CALLS) * scale <= MAX_PROJECT_NUMBER
    for call in CALLS:
        carried, withdrawn = call.projects * scale, call.withdrawn * scale
        flags = [False] * carried + [True] * withdrawn
        rng.shuffle(flags)
        for is_withdrawn in flags:
            number += rng.randint(1, 3) if gaps else 1
            if number > MAX_PROJECT_NUMBER:
                raise ValueError(
                    f"scale {scale} needs more project ids than PGI + 5 digits hold"
                    " (the contract's limit: 99,999 projects, scale 381)"
                )
            axis = pick(rng, {1: 33, 2: 20, 3: 26, 4: 21})
            approved_on = rng.choice(call.committees) + days(rng.randint(0, 40))
            acronym = make_acronym(rng, axis, taken)
            slug = re.sub(r"[^a-z0-9]+", "-", acronym.lower()).strip("-")
            website = (
                f"https://projects2014-2020.interregeurope.eu/{slug}/"
                if rng.random() < 0.9
                else None
            )
            project = Project(
                project_id=f"PGI{number:05d}",
                acronym=acronym,
                title=make_title(rng, axis),
                axis=axis,
                call=call,
                approved_on=approved_on,
                start=add_months(approved_on, 1),
                withdrawn=is_withdrawn,
                website=website,
            )
            project.periods = plan_periods(rng, call, project.start)
            projects.append(project)
    return projects


# ----------------------------------------------------------------------------- partners


def organisation(
    rng: random.Random, country: str, region: str | None, town: str | None, public: bool
) -> tuple[str, str]:
    forms = COUNTRIES[country].public if public else COUNTRIES[country].non_profit
    usable = [f for f in forms if town or "{t}" not in f[0]] or [("{r}", "{r}")]
    local, english = rng.choice(usable)
    fill = {"r": region or country, "t": town or ""}
    return local.format(**fill), english.format(**fill)


def partner_countries(rng: random.Random, n: int) -> list[str]:
    codes = list(COUNTRIES)
    weights = [COUNTRIES[c].weight for c in codes]
    while True:
        lead = rng.choices(
            [c for c in codes if c not in NON_EU],
            weights=[COUNTRIES[c].weight for c in codes if c not in NON_EU],
        )[0]
        others = rng.choices(codes, weights=weights, k=n - 1)
        if len({lead, *others}) >= min(3, n):
            return [lead, *others]


def write_partners(seed: int, projects: list[Project], decks: RegionDecks, out: CsvOut) -> None:
    """About 7.8 partners per project, the lead first; budgets add up to the project's."""
    rng = rng_for(seed, "partners")
    average = sum(k * w for k, w in PARTNER_COUNTS.items()) / sum(PARTNER_COUNTS.values())
    withdrawn_no = 0
    for project in projects:
        n = pick(rng, PARTNER_COUNTS)
        project.size = n / average
        project.budget_cents = int(rng.triangular(1_000_000, 2_500_000, 1_300_000) * 100)
        rows, weights = [], []
        for i, country in enumerate(partner_countries(rng, n)):
            public = rng.random() < (0.9 if i == 0 else 0.72)
            nuts2 = None if rng.random() < 0.03 else decks.deal(country)
            if project.withdrawn and i == 1 and decks.uninvolved:
                # A withdrawn project reaches a region nobody else does: excluding it matters.
                nuts2 = decks.uninvolved[withdrawn_no % len(decks.uninvolved)]
                country = decks.country[nuts2]
                withdrawn_no += 1
            region = decks.names[nuts2] if nuts2 else None
            town, postcode = TOWNS.get(nuts2 or "", (None, None))
            name, name_en = organisation(rng, country, region, town, public)
            partner_id = f"{project.project_id}-P{i + 1:02d}"
            partner = Partner(partner_id, country, nuts2, region, public, name)
            project.partners.append(partner)
            rows.append((partner, name_en if rng.random() < 0.8 else None, town, postcode))
            if country in NON_EU:  # small, nationally funded shares
                weights.append(0.25 + rng.random() * 0.25)
            else:
                weights.append((1.6 if i == 0 else 0.6) + rng.random() * 0.8)
        for (partner, name_en, town, postcode), budget in zip(
            rows, apportion(project.budget_cents, weights), strict=True
        ):
            rate = 0 if partner.country in NON_EU else (85 if partner.public else 75)
            erdf = budget * rate // 100
            project.erdf_cents += erdf
            out.write(
                partner.partner_id,
                project.project_id,
                partner.name,
                name_en,
                "lead" if partner is project.partners[0] else "partner",
                "public" if partner.public else "private_non_profit",
                partner.country,
                partner.nuts2,
                town,
                postcode,
                cents(budget),
                cents(erdf),
            )


# ----------------------------------------------------------------------------- instruments


def instrument_name(rng: random.Random, kind: str, partner: Partner) -> tuple[str, bool]:
    """The instrument's name and whether it is national (no NUTS-2 territory)."""
    region, country = partner.region, partner.country
    if kind == "etc":
        return rng.choice(ETC_PROGRAMMES), True
    if kind == "growth_and_jobs":
        if country in ROP_FORMS and region and rng.random() < 0.85:
            return ROP_FORMS[country].format(r=region), False
        if region and rng.random() < 0.4:
            return f"ROP {region} 2014-2020", False
        return NATIONAL_OPS[country], True
    if region and rng.random() < 0.8:
        return rng.choice([f for f in OTHER_FORMS if "{r}" in f]).format(r=region), False
    return rng.choice([f for f in OTHER_FORMS if "{r}" not in f]), True


def write_instruments(seed: int, projects: list[Project], out: CsvOut) -> None:
    """One to four policy instruments per project, each in the care of one partner."""
    rng = rng_for(seed, "instruments")
    number = 0
    for project in projects:
        public = [p for p in project.partners if p.public]
        private = [p for p in project.partners if not p.public]
        rng.shuffle(public)
        rng.shuffle(private)
        k = min(pick(rng, INSTRUMENT_COUNTS), len(project.partners))
        for partner in (public + private)[:k]:
            number += 1
            kind = pick(rng, {"growth_and_jobs": 58, "etc": 7, "other": 35})
            if kind == "growth_and_jobs" and partner.country in NON_EU:
                kind = "other"  # no ERDF programmes outside the EU
            name, national = instrument_name(rng, kind, partner)
            if partner.public and rng.random() < 0.5:
                authority = partner.name
            else:
                authority = None if kind == "other" else f"Managing Authority, {name}"
            instrument = Instrument(f"PI{number:06d}", partner, kind, name)
            project.instruments.append(instrument)
            out.write(
                instrument.instrument_id,
                project.project_id,
                partner.partner_id,
                name,
                kind,
                None if national else partner.nuts2,
                authority,
            )


# ----------------------------------------------------------------------------- reports


def report_history(rng: random.Random, project_id: str, period: Period) -> list[Version]:
    """The versions of one semester report, as they stand on the export date."""
    history = pick(rng, REPORT_HISTORIES)
    sent = period.end + days(rng.randint(20, 75))

    def review(submitted: date) -> date:
        return submitted + days(rng.randint(25, 110))

    steps: list[tuple[str, date, date | None]]
    if history == "approved":
        steps = [("approved", sent, review(sent))]
    elif history == "rejected_then_approved":
        again = sent + days(rng.randint(30, 70))
        steps = [("rejected", sent, None), ("approved", again, review(again))]
    elif history == "stale_then_approved":
        again = sent + days(rng.randint(7, 40))
        steps = [("submitted", sent, None), ("approved", again, review(again))]
    elif history == "superseded":
        first = review(sent)
        again = first + days(rng.randint(40, 250))
        steps = [("approved", sent, first), ("approved", again, review(again))]
    elif history == "correction_rejected":
        first = review(sent)
        steps = [("approved", sent, first), ("rejected", first + days(rng.randint(40, 200)), None)]
    else:  # rejected_twice
        second = sent + days(rng.randint(30, 60))
        third = second + days(rng.randint(30, 60))
        steps = [
            ("rejected", sent, None),
            ("rejected", second, None),
            ("approved", third, review(third)),
        ]
    versions = []
    for no, (status, submitted, approved) in enumerate(steps, start=1):
        if submitted > EXPORT_DATE:
            break
        if approved is not None and approved > EXPORT_DATE:
            status, approved = "submitted", None  # still waiting on the export date
        report_id = f"{project_id}-R{period.period_no:02d}-V{no}"
        versions.append(Version(report_id, no, status, submitted, approved))
    return versions


def write_reports(seed: int, projects: list[Project], out: CsvOut) -> None:
    rng = rng_for(seed, "reports")
    for project in projects:
        project.planned_end = project.periods[-1].end
        if project.withdrawn:
            project.periods = project.periods[: rng.randint(1, 3)]
        for period in project.periods:
            period.versions = report_history(rng, project.project_id, period)
        project.periods = [p for p in project.periods if p.versions]
        for period in project.periods:
            for v in period.versions:
                out.write(
                    v.report_id,
                    project.project_id,
                    period.period_no,
                    period.start,
                    period.end,
                    v.version,
                    v.status,
                    v.submitted_on,
                    v.approved_on,
                )


# ----------------------------------------------------------------------------- indicators

HEADLINE_CODES = ("O1", "O2", "O3", "O4")
INDICATORS = (
    ("O1", "Interregional policy-learning events organised", "events", "output"),
    ("O2", "Good practices identified", "good practices", "output"),
    (
        "O3",
        "People with increased professional capacity due to their participation in"
        " interregional cooperation activities",
        "persons",
        "output",
    ),
    ("O4", "Action plans developed", "action plans", "output"),
    ("O5", "Appearances in media", "appearances", "output"),
)


def indicator_weights(period: Period) -> tuple[float, float, float, float]:
    """How much of each headline indicator a semester typically carries.

    Phase 1 is the learning: events, good practices, trained people; its last semester
    delivers the action plans. Phase 2 monitors them, with a little of everything.
    """
    no, last = period.period_no, period.phase1_last
    if no <= last:
        events, practices, people = (0.5, 0.4, 1.0) if no == 1 else (1.0, 1.0, 1.0)
    else:
        events, practices, people = 0.3, 0.1, 0.5
    plans = {last: 1.0, last - 1: 0.12, last + 1: 0.08}.get(no, 0.02 if no > last else 0.0)
    return events, practices, people, plans


def calibrate_values(seed: int, projects: list[Project], scale: int) -> None:
    """Give each approved period its final O1..O4 values, meeting INDICATOR_MILESTONES.

    Each milestone's increment is shared among the periods first approved since the
    previous milestone, in proportion to their typical weight (times project size and
    some noise). Superseded versions carry other values, so the figures in between land
    near, not on, the milestones.
    """
    rng = rng_for(seed, "calibration")
    periods = [
        (project, period)
        for project in projects
        if not project.withdrawn
        for period in project.periods
        if period.counted_on is not None
    ]
    weights = [
        tuple(w * project.size * rng.uniform(0.6, 1.4) for w in indicator_weights(period))
        for project, period in periods
    ]
    values = [[0, 0, 0, 0] for _ in periods]
    for i, code in enumerate(HEADLINE_CODES):
        milestones = INDICATOR_MILESTONES[code]
        bounds = [d for d, _ in milestones]
        groups: list[list[int]] = [[] for _ in milestones]
        for n, (_, period) in enumerate(periods):
            groups[bisect_left(bounds, period.counted_on)].append(n)
        reached = 0
        for (_, cumulative), group in zip(milestones, groups, strict=True):
            shares = apportion(cumulative * scale - reached, [weights[n][i] for n in group])
            for n, share in zip(group, shares, strict=True):
                values[n][i] = share
            reached = cumulative * scale
    for (_, period), final in zip(periods, values, strict=True):
        period.values = tuple(final)


def typical_values(rng: random.Random, period: Period) -> tuple[int, ...]:
    """Values for reports that never count (withdrawn projects, never approved)."""
    phase1 = period.period_no <= period.phase1_last
    return (
        rng.randint(2, 10) if phase1 else rng.randint(0, 4),
        rng.randint(0, 6) if phase1 else rng.randint(0, 1),
        rng.randint(0, 14) if phase1 else rng.randint(0, 8),
        rng.randint(3, 9) if period.period_no == period.phase1_last else 0,
    )


def perturb(rng: random.Random, values: tuple[int, ...], must_differ: bool) -> tuple[int, ...]:
    changed = [max(0, v + rng.randint(-max(1, v // 4), max(1, v // 4))) for v in values]
    if must_differ and tuple(changed) == tuple(values):
        changed[0] += 1
    return tuple(changed)


def write_indicator_values(seed: int, projects: list[Project], out: CsvOut) -> None:
    """O1..O5 for every report version; only the final approved one has the calibrated values."""
    rng = rng_for(seed, "indicator_values")
    for project in projects:
        for period in project.periods:
            final = None if project.withdrawn else period.final
            base = period.values if final is not None else typical_values(rng, period)
            media_max = 6 if period.period_no <= period.phase1_last else 3
            for v in period.versions:
                # Superseded, rejected and pending versions carry other values.
                row = base if v is final else perturb(rng, base, v.status == "approved")
                for code, value in zip(HEADLINE_CODES, row, strict=True):
                    out.write(v.report_id, code, value)
                out.write(v.report_id, "O5", rng.randint(0, media_max))


# ----------------------------------------------------------------------------- changes


class Picker:
    """Draws, at random, an item that is open on a date (opens_on <= date <= closes_on)."""

    def __init__(self, items: Iterable[tuple[date, date, object]]) -> None:
        self.items = sorted(items, key=lambda item: item[0])  # stable: ties keep their order
        self.opens = [item[0] for item in self.items]

    def draw(self, rng: random.Random, when: date) -> object:
        n = bisect_right(self.opens, when)
        if n == 0:
            raise ValueError(f"nothing is open on {when}")
        for _ in range(200):
            _, closes, item = self.items[rng.randrange(n)]
            if when <= closes:
                return item
        still_open = [item for _, closes, item in self.items[:n] if when <= closes]
        return rng.choice(still_open) if still_open else self.items[n - 1][2]


def heavy(rng: random.Random) -> float:
    """A heavy-tailed weight (Pareto, capped): a few changes move most of the money."""
    return min(150.0, (1.0 - rng.random()) ** (-1 / 1.3))


def reported_in(project: Project, when: date) -> Version:
    """The latest (not rejected) report the project had sent a month before `when`."""
    rows = [v for v in project.report_rows() if v.status != "rejected"]
    sent = [v for v in rows if v.submitted_on <= when - days(30)]
    return (
        max(sent, key=lambda v: v.submitted_on) if sent else min(rows, key=lambda v: v.submitted_on)
    )


def instrument_pickers(projects: list[Project]) -> dict[bool, Picker]:
    """Instruments by whether they are SF programmes, open from the project's first report
    until 18 months after its last."""
    items: dict[bool, list] = {True: [], False: []}
    for project in projects:
        if project.withdrawn:
            continue
        sent = [v.submitted_on for v in project.report_rows() if v.status != "rejected"]
        opens, closes = min(sent) + days(30), max(sent) + days(540)
        for instrument in project.instruments:
            items[instrument.kind != "other"].append((opens, closes, (project, instrument)))
    return {sf: Picker(found) for sf, found in items.items()}


def change_row(
    rng: random.Random,
    project: Project,
    instrument: Instrument,
    when: date,
    status: str,
    sf_cents: int,
    other_cents: int,
) -> tuple:
    change_type = pick(rng, {"new_projects": 45, "management": 25, "strategic_focus": 30})
    topic = rng.choice(AXES[project.axis])
    if rng.random() < 0.05:
        topic = f'"{topic}"'
    description = CHANGE_FORMS[change_type].format(i=instrument.name, topic=topic)
    description = with_newline(
        rng, description, 0.02, "Evidence: letter of the managing authority."
    )
    report = reported_in(project, when)
    return (
        instrument.instrument_id,
        project.project_id,
        report.report_id,
        change_type,
        description,
        cents(sf_cents),
        cents(other_cents),
        status,
        when if status == "validated" else None,
    )


def write_policy_changes(seed: int, projects: list[Project], scale: int, out: CsvOut) -> None:
    """Validated changes follow CHANGE_MILESTONES; rejected and pending ones come on top."""
    rng = rng_for(seed, "changes")
    pickers = instrument_pickers(projects)
    rows: list[tuple] = []
    # Amounts to the cent: move each milestone's sums off the round MEUR (by < 0.3 MEUR).
    milestones = [CHANGE_MILESTONES[0]]
    for when, n, n_sf, total, total_sf in CHANGE_MILESTONES[1:]:
        jitter_sf, jitter_other = (rng.randint(-15_000_000, 15_000_000) for _ in range(2))
        total_cents = total * 100 + jitter_sf + jitter_other
        milestones.append((when, n, n_sf, total_cents, total_sf * 100 + jitter_sf))
    for before, after in pairwise(milestones):
        n = (after[1] - before[1]) * scale
        n_sf = (after[2] - before[2]) * scale
        sf_flags = [True] * n_sf + [False] * (n - n_sf)
        rng.shuffle(sf_flags)
        drawn = [
            (when, pickers[is_sf].draw(rng, when), is_sf)
            for when, is_sf in zip(spread(rng, before[0], after[0], n), sf_flags, strict=True)
        ]
        sf_weights = [heavy(rng) if is_sf and rng.random() < 0.9 else 0.0 for *_, is_sf in drawn]
        other_weights = [
            (0.3 * heavy(rng) if rng.random() < 0.3 else 0.0)
            if is_sf
            else (heavy(rng) if rng.random() < 0.85 else 0.0)
            for *_, is_sf in drawn
        ]
        sf_total = (after[4] - before[4]) * scale  # cents from here on
        other_total = ((after[3] - before[3]) - (after[4] - before[4])) * scale
        for (when, (project, instrument), _), sf, other in zip(
            drawn,
            apportion(sf_total, sf_weights),
            apportion(other_total, other_weights),
            strict=True,
        ):
            rows.append((when, change_row(rng, project, instrument, when, "validated", sf, other)))
    for status, count, first, last in (
        ("rejected", REJECTED_CHANGES, date(2018, 6, 30), date(2024, 3, 31)),
        ("reported", PENDING_CHANGES, date(2023, 6, 30), date(2024, 4, 30)),
    ):
        for when in spread(rng, first, last, count * scale):
            project, instrument = pickers[rng.random() < 0.5].draw(rng, when)
            sf, other = rng.randint(0, 3_000_000) * 100, rng.randint(0, 500_000) * 100
            rows.append((when, change_row(rng, project, instrument, when, status, sf, other)))
    for project in projects:
        if project.withdrawn and project.instruments:
            last_sent = max(v.submitted_on for v in project.report_rows())
            for status in ("validated", "rejected"):
                when = last_sent + days(rng.randint(60, 200))
                sf, other = rng.randint(100_000, 5_000_000) * 100, rng.randint(0, 800_000) * 100
                instrument = project.instruments[0]
                rows.append((when, change_row(rng, project, instrument, when, status, sf, other)))
    rows.sort(key=lambda r: (r[0], r[1][1]))  # by date, then project; stable otherwise
    for number, (_, row) in enumerate(rows, start=1):
        out.write(f"PC{number:07d}", *row)


# ----------------------------------------------------------------------------- good practices


def write_good_practices(seed: int, projects: list[Project], scale: int, out: CsvOut) -> None:
    """Validated ones follow GOOD_PRACTICE_MILESTONES; rejected and unpublished ones on top."""
    rng = rng_for(seed, "good_practices")
    picker = Picker((p.start + days(90), p.end + days(60), p) for p in projects if not p.withdrawn)
    # (submitted_on, status, validated_on, project or None to draw one)
    events: list[tuple[date, str, date | None, Project | None]] = []
    for (d0, n0), (d1, n1) in pairwise(GOOD_PRACTICE_MILESTONES):
        for validated in spread(rng, d0, d1, (n1 - n0) * scale):
            events.append((validated - days(rng.randint(20, 160)), "validated", validated, None))
    for status, count, first, last in (
        ("rejected", REJECTED_GOOD_PRACTICES, date(2016, 9, 30), date(2024, 3, 31)),
        ("submitted", UNPUBLISHED_GOOD_PRACTICES, date(2016, 12, 31), date(2024, 4, 30)),
    ):
        events += [(when, status, None, None) for when in spread(rng, first, last, count * scale)]
    for project in projects:
        if project.withdrawn:
            last_sent = max(v.submitted_on for v in project.report_rows())
            for status in ("validated", "validated", "rejected", "submitted"):
                sent = project.start + days(
                    rng.randint(90, max(91, (last_sent - project.start).days))
                )
                validated = sent + days(rng.randint(30, 150)) if status == "validated" else None
                events.append((sent, status, validated, project))
    events.sort(key=lambda e: (e[0], e[1]))
    for number, (sent, status, validated, project) in enumerate(events, start=1):
        project = project or picker.draw(rng, sent)
        partner = rng.choice(project.partners)
        practice = rng.choice(PRACTICE_FORMS[project.axis])
        place = partner.region or partner.country
        title = f"{practice}, {place}" if rng.random() < 0.3 else f"{practice} in {place}"
        title = with_newline(rng, title, 0.01, "(transferred from another region)")
        out.write(
            f"GP{number:07d}",
            project.project_id,
            partner.partner_id,
            title,
            partner.country,
            sent,
            status,
            validated,
        )


# ----------------------------------------------------------------------------- the export


def write_projects(projects: list[Project], out: CsvOut) -> None:
    for p in projects:
        out.write(
            p.project_id,
            p.acronym,
            p.title,
            p.axis,
            p.call.no,
            p.status,
            p.approved_on,
            p.start,
            p.end,
            cents(p.budget_cents),
            cents(p.erdf_cents),
            p.website,
        )


def write_manifest(folder: Path, rows: dict[str, int]) -> None:
    files = [
        {
            "name": name,
            "sha256": hashlib.sha256((folder / name).read_bytes()).hexdigest(),
            "rows": rows[name],
        }
        for name in MONITORING.file_names
    ]
    manifest = {
        "schema_version": MONITORING.version,
        "programme_id": PROGRAMME_ID,
        "exported_at": EXPORTED_AT,
        "files": files,
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (folder / "manifest.json").write_text(text, encoding="utf-8", newline="\n")


def generate(out_dir: Path, seed: int = 2014, scale: int = 1) -> None:
    """Write the 10 contract files and manifest.json of a synthetic export into out_dir."""
    if scale < 1:
        raise ValueError(f"scale must be >= 1, not {scale}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    regions = read_programme_area()
    projects = make_projects(seed, scale)
    decks = RegionDecks(rng_for(seed, "regions"), regions)
    rows: dict[str, int] = {}

    def write(name: str, fill) -> None:  # noqa: ANN001 - a callable taking the CsvOut
        out = CsvOut(folder, name)
        try:
            fill(out)
        finally:
            out.close()
        rows[name] = out.rows

    write(
        "programme.csv",
        lambda out: out.write(
            PROGRAMME_ID, PROGRAMME_NAME, "2014-2020", cents(ERDF_BUDGET_CENTS), NUTS_VERSION
        ),
    )
    write("eligible_regions.csv", lambda out: [out.write(*region) for region in regions])
    write("indicators.csv", lambda out: [out.write(*indicator) for indicator in INDICATORS])
    write("partners.csv", lambda out: write_partners(seed, projects, decks, out))
    write("policy_instruments.csv", lambda out: write_instruments(seed, projects, out))
    write("progress_reports.csv", lambda out: write_reports(seed, projects, out))
    calibrate_values(seed, projects, scale)
    write("indicator_values.csv", lambda out: write_indicator_values(seed, projects, out))
    write("policy_changes.csv", lambda out: write_policy_changes(seed, projects, scale, out))
    write("good_practices.csv", lambda out: write_good_practices(seed, projects, scale, out))
    write("projects.csv", lambda out: write_projects(projects, out))
    write_manifest(folder, rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="folder to write the export into")
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="multiplies the projects: a whole number (with --wide, any number >= 0.05)",
    )
    parser.add_argument(
        "--wide",
        action="store_true",
        help="write a random export as wide as the contract, for tests (wide_export.py)",
    )
    parser.add_argument(
        "--refresh-regions",
        action="store_true",
        help=f"rebuild {REGIONS_FILE.name} from the shared NUTS files",
    )
    parser.add_argument("--shared-data", type=Path, default=SHARED_DATA)
    args = parser.parse_args(argv)
    if args.wide:
        if not args.out or args.refresh_regions:
            parser.error("--wide takes --out DIR (and --seed, --scale), nothing else")
        if not args.scale >= wide_export.MIN_SCALE:
            parser.error(f"--scale must be at least {wide_export.MIN_SCALE}")
        wide_export.generate(args.out, seed=args.seed, scale=args.scale)
        print(f"{args.out}: wide export, seed {args.seed}, scale {args.scale}")
        return
    if not args.scale.is_integer():
        parser.error("--scale must be a whole number (a fraction only with --wide)")
    args.scale = int(args.scale)
    if not args.out and not args.refresh_regions:
        parser.error("give --out DIR and/or --refresh-regions")
    if args.refresh_regions:
        count = refresh_programme_area(args.shared_data)
        print(f"{REGIONS_FILE}: {count} regions")
    if args.out:
        generate(args.out, seed=args.seed, scale=args.scale)
        print(f"{args.out}: synthetic export, seed {args.seed}, scale {args.scale}")


if __name__ == "__main__":
    main()
