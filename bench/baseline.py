"""The baseline: plain DuckDB computes the marts from the export's CSV files, in one process.

    python -m bench.baseline EXPORT_DIR OUT.duckdb

Runs bench/baseline.sql (hand-written SQL, DuckDB's own CSV reader) into a new database
file and prints one JSON line: {"seconds": ..., "rows_read": ...}. The benchmark starts it
as a child process, like the pipeline, so both are measured the same way (wall time from
start to exit, peak memory of the process).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb

SQL_FILE = Path(__file__).with_name("baseline.sql")


def exported_on(export: Path) -> str:
    """The UTC date of the manifest's exported_at, as the pipeline takes it."""
    stamp = json.loads((export / "manifest.json").read_text(encoding="utf-8-sig"))["exported_at"]
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.date().isoformat()


def baseline_sql(export: Path) -> str:
    folder = str(Path(export).resolve()).replace("'", "''")
    return (
        SQL_FILE.read_text(encoding="utf-8")
        .replace("{export}", folder)
        .replace("{exported_on}", exported_on(Path(export)))
    )


def build(export: Path, database: Path | str) -> dict:
    """Run the baseline into `database` (a path, or ":memory:"); return its figures."""
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    try:
        con.execute(baseline_sql(export))
        rows_read = con.execute(
            "SELECT sum(estimated_size) FROM duckdb_tables() WHERE schema_name = 'raw'"
        ).fetchone()[0]
    finally:
        con.close()
    return {"seconds": time.perf_counter() - started, "rows_read": int(rows_read or 0)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    export, out = Path(args[0]), Path(args[1])
    if out.exists():
        out.unlink()
    print(json.dumps(build(export, out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
