"""Which keep.eu layout a file is in, recognised from the file itself (never its name).

* a workbook (zip bytes) by its sheets: `Search results, projects` / `Search results,
  partners` is the current layout; `Projects (lead partners)` / `Partners` / `Calls` the
  legacy one;
* a CSV (text) by its header: the sheet of either layout whose required columns it has
  (in practice the legacy `;`-separated partner list).

Names are compared ignoring case, runs of spaces and the apostrophe's style (' or ’).
Anything else fails with a message that lists the sheets or the header found.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipelines.errors import ContractError
from schemas.keep_contract import LAYOUTS, SHEETS, Sheet

XLSX, CSV = "xlsx", "csv"
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the pre-2007 .xls format


def normalise_name(text: object) -> str:
    """A header or sheet name for comparison: case, spacing and apostrophes ignored."""
    plain = str(text).replace("\u2019", "'").replace("\u2018", "'").replace("\u00a0", " ")
    return " ".join(plain.split()).casefold()


def file_kind(head: bytes, name: str) -> str:
    """XLSX or CSV, from the file's first bytes."""
    if head.startswith(_ZIP):
        return XLSX
    if head.startswith(_OLE2):
        raise ContractError(
            name, "is an old binary .xls workbook; save it as .xlsx (or export it again)"
        )
    return CSV


def workbook_sheets(sheet_names: Iterable[str], name: str) -> list[tuple[Sheet, str]]:
    """The layout's sheets this workbook has, with their names as the workbook spells them."""
    names = list(sheet_names)
    by_name = {normalise_name(n): n for n in names}
    found = {
        layout: [
            (s, by_name[normalise_name(s.sheet)])
            for s in sheets
            if normalise_name(s.sheet) in by_name
        ]
        for layout, sheets in LAYOUTS.items()
    }
    layouts = [layout for layout, sheets in found.items() if sheets]
    if not layouts:
        raise ContractError(
            name,
            f"is not in a keep.eu layout this pipeline knows: its sheets are {_listed(names)};"
            f" expected {_expected_sheets()}",
        )
    if len(layouts) > 1:
        raise ContractError(
            name, f"mixes the sheets of both keep.eu layouts ({_listed(names)}); which is it?"
        )
    return found[layouts[0]]


def csv_sheet(header: list[str], name: str) -> Sheet:
    """The sheet whose required columns the CSV header has (the best match if several)."""
    present = {normalise_name(h) for h in header}
    candidates = []
    for sheet in SHEETS:
        if all(normalise_name(h) in present for h in sheet.required_headers):
            known = [f.header for f in sheet.fields] + list(sheet.ignored)
            candidates.append((sum(normalise_name(h) in present for h in known), sheet))
    if not candidates:
        raise ContractError(
            name,
            f"is a CSV file in no keep.eu layout this pipeline knows: its header is"
            f" {_listed(header)}; the legacy partner list starts with Programme, Acronym,"
            " Project Partner, Lead Partner",
        )
    return max(candidates, key=lambda c: c[0])[1]


def _listed(values: Iterable[object]) -> str:
    shown = [repr(str(v)) for v in values]
    return ", ".join(shown[:40]) + (f" and {len(shown) - 40} more" if len(shown) > 40 else "")


def _expected_sheets() -> str:
    return "; or ".join(
        f"{' and '.join(repr(s.sheet) for s in sheets)} ({layout} layout)"
        for layout, sheets in LAYOUTS.items()
    )
