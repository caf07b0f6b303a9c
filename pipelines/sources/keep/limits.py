"""Bounds on keep.eu inputs, checked before anything is read.

An XLSX workbook is a zip of XML files. A hostile or broken one can be small on disk and
enormous once inflated (a zip bomb: a long run of the same bytes deflates about 1000:1),
or simply far larger than any keep.eu export. Before a reader inflates a workbook,
`check_workbook` looks at its zip directory (the sizes every member declares) and refuses:

* a file over `max_bytes` (also enforced while landing it, and on the API's answer);
* more than `max_members` members;
* a member declaring more than `max_member_bytes` uncompressed, or all members together
  more than `max_unpacked_bytes`;
* a member over `ratio_floor_bytes` that declares more than `max_ratio` times its
  compressed size (sheet XML deflates about 3-15:1; a run of one byte about 1000:1).

Every refusal is a ContractError naming the file and saying why ("refused as too large",
"compression ratio"). Nothing has been inflated at that point, so it costs no memory.

The declared sizes can lie. `scan_workbook` then inflates each member in 1 MiB pieces
(never more than it declares: Python's zipfile stops there and checks the CRC), so a
member that inflates to more than it declares fails as damaged, still in bounded memory,
before the reader sees it. The same pass refuses a sheet whose cells span more than
`max_cells` from A1 (python-calamine allocates that grid whole: two cells, A1 and
XFD1048576, would make it ask for 550 GB and abort the process), and notes whether a
sheet has error cells (`#N/A`, which calamine reads as empty) or formula cells (which
calamine reads as their cached value, or empty without one) and the workbook's date
system (1900 or 1904).
The defaults pass a whole keep.eu export with room to spare: the benchmark's 26,000-project
workbook is 21 MB on disk and 160 MB inflated, its largest member 135 MB at 7:1.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from pipelines.errors import ContractError

MIB = 1 << 20
DEFAULT_MAX_BYTES = 128 * MIB  # on disk / over the wire
DEFAULT_MAX_UNPACKED_BYTES = 1024 * MIB  # all members, inflated
DEFAULT_MAX_MEMBER_BYTES = 512 * MIB  # one member, inflated
DEFAULT_MAX_RATIO = 100.0
DEFAULT_RATIO_FLOOR_BYTES = 1 * MIB  # small members (styles, themes) may deflate well
DEFAULT_MAX_MEMBERS = 10_000
# calamine holds a sheet as a dense grid from A1 to its last cell: two cells, A1 and
# XFD1048576, in a sheet of 600 bytes make it ask for 550 GB and abort the process.
DEFAULT_MAX_CELLS = 40_000_000  # rows x columns; the benchmark's partner sheet spans 4 M
SCAN_CHUNK = 1 * MIB

# An error cell (`#N/A`, `#VALUE!`): <c r="B2" t="e"><v>#N/A</v></c>
_ERROR_CELL = (b't="e"', b"t='e'")
# A formula cell: <c r="E2"><f>HYPERLINK("http://x","y")</f><v>y</v></c>. Every formula of
# a sheet ends in `</f>` (a shared formula's other cells point at one that does); `:f>`
# catches a prefixed `</x:f>`. A false hit (in text) only sends the workbook to openpyxl.
_FORMULA = (b"</f>", b":f>")
# Patterns start with literal text, which keeps them fast; `r="` matches any attribute
# ending in r as well, which can only make a sheet look larger, never smaller.
_ROW_REF = re.compile(rb'<row[^>]*?r="([0-9]+)"')
# A cell beyond column Z (letters and row), or beyond row 999,999 in columns A..Z (row).
_FAR_REF = re.compile(rb'r="(?:([A-Z]{2,})([0-9]+)|[A-Z]([0-9]{7,}))"')
_DATE_1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](?:1|true)[\"']")


@dataclass(frozen=True)
class WorkbookLimits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    max_ratio: float = DEFAULT_MAX_RATIO
    ratio_floor_bytes: int = DEFAULT_RATIO_FLOOR_BYTES
    max_members: int = DEFAULT_MAX_MEMBERS
    max_cells: int = DEFAULT_MAX_CELLS


DEFAULT_LIMITS = WorkbookLimits()


@dataclass(frozen=True)
class WorkbookFacts:
    """What scanning the workbook found out (nothing of it is kept in memory)."""

    unpacked_bytes: int
    has_error_cells: bool
    date_1904: bool
    has_formulas: bool = False


def check_file_size(path: Path, name: str, limits: WorkbookLimits) -> int:
    """The file's size; ContractError when it is over `max_bytes`."""
    size = Path(path).stat().st_size
    if size > limits.max_bytes:
        raise too_large(name, size, limits.max_bytes)
    return size


def too_large(name: str, size: int, limit: int) -> ContractError:
    return ContractError(
        name,
        f"is refused as too large: {_mib(size)} ({size} bytes), over the limit of"
        f" {_mib(limit)} for a keep.eu export (INTERREG_KEEP_MAX_BYTES)",
    )


def check_workbook(archive: zipfile.ZipFile, name: str, limits: WorkbookLimits) -> int:
    """Refuse a workbook whose zip directory declares too much; returns the total declared."""
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise ContractError(
            name,
            f"is refused: its zip holds {len(members)} members, more than the"
            f" {limits.max_members} a workbook may have",
        )
    total = 0
    for info in members:
        declared, packed = info.file_size, info.compress_size
        if declared > limits.ratio_floor_bytes and declared > limits.max_ratio * max(packed, 1):
            raise ContractError(
                name,
                f"is refused as a likely zip bomb: its member {info.filename!r} declares"
                f" {_mib(declared)} uncompressed from {packed} bytes, a compression ratio of"
                f" {declared / max(packed, 1):,.0f}:1, over the {limits.max_ratio:g}:1 allowed",
            )
        if declared > limits.max_member_bytes:
            raise ContractError(
                name,
                f"is refused as too large: its member {info.filename!r} declares"
                f" {_mib(declared)} uncompressed, over the limit of"
                f" {_mib(limits.max_member_bytes)} per member",
            )
        total += declared
        if total > limits.max_unpacked_bytes:
            raise ContractError(
                name,
                f"is refused as too large: its members declare more than"
                f" {_mib(limits.max_unpacked_bytes)} uncompressed in all, the limit"
                " (INTERREG_KEEP_MAX_UNPACKED_BYTES)",
            )
    return total


def scan_workbook(archive: zipfile.ZipFile, name: str, limits: WorkbookLimits) -> WorkbookFacts:
    """Check the declared sizes, then inflate every member in pieces, as the reader will.

    A member that inflates to other than it declares, or fails its CRC, is damaged:
    ContractError. Returns whether any worksheet has error cells or formulas, and the date
    system.
    """
    total = check_workbook(archive, name, limits)
    has_errors = date_1904 = has_formulas = False
    for info in archive.infolist():
        if info.is_dir():
            continue
        # Every member is looked at as a sheet, not only xl/worksheets/*: the reader finds
        # sheets through the workbook's relationships, which may name any member.
        is_workbook = info.filename.endswith("workbook.xml")
        seen, tail, extent = 0, b"", _Extent()
        try:
            with archive.open(info) as member:
                while chunk := member.read(SCAN_CHUNK):
                    seen += len(chunk)
                    window = tail + chunk
                    tail = chunk[-32:]
                    extent.add(window)
                    if not has_errors:
                        has_errors = any(marker in window for marker in _ERROR_CELL)
                    if not has_formulas:
                        has_formulas = any(marker in window for marker in _FORMULA)
                    if is_workbook and not date_1904:
                        date_1904 = bool(_DATE_1904.search(chunk))
        except (
            zipfile.BadZipFile,
            zlib.error,
            NotImplementedError,
            EOFError,
            OSError,
            RuntimeError,
        ) as exc:
            raise ContractError(
                name, f"is not a readable XLSX workbook: member {info.filename!r}: {exc}"
            ) from None
        if extent.cells > limits.max_cells:
            raise ContractError(
                name,
                f"is refused as too large: its member {info.filename!r} spans"
                f" {extent.rows:,} rows by {extent.columns:,} columns from A1, more than the"
                f" {limits.max_cells:,} cells a keep.eu sheet may span",
            )
        if seen != info.file_size:
            raise ContractError(
                name,
                f"is damaged: its member {info.filename!r} declares {info.file_size} bytes"
                f" and holds {seen}",
            )
    return WorkbookFacts(total, has_errors, date_1904, has_formulas)


class _Extent:
    """How far a sheet's cells reach, as a grid from A1 (what calamine will allocate).

    From the row numbers of `<row r="...">` and the references of cells beyond column Z
    or row 999,999; a sheet of cells in A..Z below row 1,000,000 spans at most 26 million.
    """

    def __init__(self) -> None:
        self.rows, self.columns = 0, 26

    def add(self, xml: bytes) -> None:
        rows = _ROW_REF.findall(xml)
        if rows:
            self.rows = max(self.rows, max(map(int, rows)))
        for letters, row, deep_row in _FAR_REF.findall(xml):
            if letters:
                self.columns = max(self.columns, _column(letters))
            self.rows = max(self.rows, int(row or deep_row))

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _mib(size: int) -> str:
    return f"{size / MIB:,.1f} MiB"
