"""Build variants of a monitoring export for tests: same data, other bytes, or broken."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

from pipelines.config import SAMPLE_MONITORING_DIR
from schemas.monitoring_contract import MONITORING

Rows = list[dict[str, str]]


def read_rows(path: Path) -> tuple[list[str], Rows]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def sample_rows(name: str) -> Rows:
    """The rows of one file of the bundled sample export."""
    return read_rows(SAMPLE_MONITORING_DIR / name)[1]


def write_rows(
    path: Path, header: list[str], rows: Rows, *, bom: bool = False, crlf: bool = False
) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\r\n" if crlf else "\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8"))


def write_export(folder: Path, files: dict[str, Rows]) -> tuple[dict[str, Path], dict[str, int]]:
    """Every file of the contract from its rows, with no manifest: the paths and record
    counts that validate_export takes. A file's header is the contract's columns its rows
    have (all of them for no rows), then any others, in the rows' order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, counts = {}, {}
    for spec in MONITORING.files:
        records = files[spec.name]
        keys = dict.fromkeys(k for r in records for k in r) if records else spec.column_names
        header = [c for c in spec.column_names if c in keys]
        header += [k for k in keys if k not in spec.column_names]
        paths[spec.name] = folder / spec.name
        write_rows(paths[spec.name], header, records)
        counts[spec.name] = len(records)
    return paths, counts


def copy_export(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def rewrite_manifest(export: Path, **overrides) -> None:
    """Recompute every file's sha256 and row count, as an honest exporter would.

    A file that is not UTF-8 CSV (a test's broken variant) keeps the row count it had.
    """
    manifest = json.loads((export / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        path = export / entry["name"]
        entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
        with contextlib.suppress(UnicodeError, csv.Error):
            entry["rows"] = len(read_rows(path)[1])
    manifest.update(overrides)
    write_manifest(export, manifest)


def read_manifest(export: Path) -> dict:
    return json.loads((export / "manifest.json").read_text(encoding="utf-8"))


def write_manifest(export: Path, manifest: dict) -> None:
    (export / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


EXTRA_COLUMN = "exporter_note"  # a column the contract does not know: drift, not an error


def reshape(export: Path) -> None:
    """The same data in another byte shape, in place: a BOM, CRLF line ends, columns in
    another order, and an extra column (EXTRA_COLUMN) in projects.csv; the manifest's hashes
    follow."""

    def reorder_and_extend(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        for row in rows:
            row[EXTRA_COLUMN] = 'free text, with "quotes"\nand a newline'
        return [*reversed(header), EXTRA_COLUMN], rows

    edit_file(export, "projects.csv", reorder_and_extend, bom=True, crlf=True)
    edit_file(export, "partners.csv", lambda h, r: (h, r), crlf=True)
    edit_file(export, "policy_changes.csv", lambda h, r: (list(reversed(h)), r), bom=True)
    rewrite_manifest(export)


def edit_file(
    export: Path,
    name: str,
    edit: Callable[[list[str], Rows], tuple[list[str], Rows]],
    **write_options: bool,
) -> None:
    header, rows = read_rows(export / name)
    header, rows = edit(header, rows)
    write_rows(export / name, header, rows, **write_options)
