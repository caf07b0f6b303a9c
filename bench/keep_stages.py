"""Where the keep.eu stage spends its time: read, validate, convert, load, per input file.

    .venv/bin/python -m bench.keep_stages [FILE ...]     # default: the scale-1 and -100 exports

Runs the keep.eu code in one process, outside Dagster, timing each part: read (the
workbook or CSV into frames), validate (the cells parsed once, the screen, Pandera where
something may fail, the partner -> project references), convert (accepted rows into raw
form), load (into an in-memory DuckDB, as the asset does). Times are CPU seconds of this
process (time.process_time): on a shared machine they are steadier than wall time, and
every part runs on one thread. Nothing is asserted; a development aid for issue #6.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.sources.keep import validate as v
from pipelines.sources.keep.convert import empty_raw, to_raw
from pipelines.sources.keep.extract import KeepInput
from pipelines.sources.keep.read import read_export
from pipelines.warehouse.load import ROW_NUMBER, load_export
from schemas.keep_contract import KEEP

REPO = Path(__file__).resolve().parent.parent
DEFAULT = [
    REPO / "bench" / ".data" / f"keep-scale{n}-seed2014" / "keep_eu_export.xlsx" for n in (1, 100)
]


def stages(path: Path) -> dict[str, float]:
    seconds: dict[str, float] = {}
    item = KeepInput(path.name, 1, path, hashlib.sha256(b"").hexdigest(), "", 0, False)
    start = time.process_time()
    reads = read_export(path, path.name)
    seconds["read"] = time.process_time() - start

    start = time.process_time()
    parsed = [v.parse_cells(read) for read in reads]
    found = [v._failures(read, cells) for read, cells in zip(reads, parsed, strict=True)]
    projects = next((n for n, r in enumerate(reads) if r.sheet.table == "projects"), None)
    for n, read in enumerate(reads):
        if read.sheet.table == "partners" and projects is not None:
            quarantined = v._mask(reads[projects], found[projects])
            more = v.reference_failures(read, reads[projects], quarantined)
            found[n] = pd.concat([found[n], more], ignore_index=True)
    masks = [v._mask(r, f) for r, f in zip(reads, found, strict=True)]
    seconds["validate"] = time.process_time() - start

    start = time.process_time()
    raw: dict[str, list[pd.DataFrame]] = {spec.table: [] for spec in KEEP.files}
    for read, mask, cells in zip(reads, masks, parsed, strict=True):
        raw[read.sheet.table].append(to_raw(read, read.frame[~mask], item, cells))
    tables = {}
    for spec in KEEP.files:
        frames = [f for f in raw[spec.table] if len(f)]
        table = pd.concat(frames, ignore_index=True) if frames else empty_raw(spec.table)
        table.insert(0, ROW_NUMBER, np.arange(1, len(table) + 1, dtype="int64"))
        tables[spec.table] = table
    seconds["convert"] = time.process_time() - start

    start = time.process_time()
    con = duckdb.connect()
    load_export(con, KEEP, tables)
    con.close()
    seconds["load"] = time.process_time() - start

    start = time.process_time()
    validated = v.validate_inputs([item], max_rejected_pct=100)
    seconds["validate_inputs (all but load)"] = time.process_time() - start
    rows = sum(len(r.frame) for r in reads)
    print(f"{path}: {rows:,} records, {len(validated.rejected)} rejected", flush=True)
    return seconds


def main(argv: list[str]) -> None:
    for path in [Path(p) for p in argv] or DEFAULT:
        for name, s in stages(path).items():
            print(f"  {name:32s} {s:7.2f} CPU s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
