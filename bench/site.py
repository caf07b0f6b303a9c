"""`make bench`'s figures of the results site, on a warehouse a bench run published:

* the seconds to build the whole site (every country page and every project's data), as
  `interreg report` does, in a child process (measured from outside), and its CPU
  seconds (user + system of the process tree: steadier than wall time on a shared
  machine), with the site's files and bytes;
* the bytes of the main page's first load (every file Chromium asks for until the tables
  show their first rows) and its time to first contentful paint, in headless Chromium.

    python -m bench.site WAREHOUSE_DIR
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from bench import measure

PYTHON = Path(sys.executable)
INTERREG = PYTHON.with_name("interreg")


def build(warehouse: Path) -> dict:
    """`interreg report` in a child process: wall and CPU seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERREG_")}
    env["INTERREG_WAREHOUSE_DIR"] = str(warehouse)
    run = measure.run([INTERREG, "report"], env=env, log=warehouse / "bench-site.log")
    if run.returncode != 0:
        raise SystemExit((warehouse / "bench-site.log").read_text(errors="replace")[-3000:])
    return {"build_s": round(run.seconds, 2), "build_cpu_s": round(run.cpu_seconds, 2)}


def site_size(site: Path) -> dict:
    """The site's files and bytes, and how many projects its project page shows (the
    projects table's row count on the main page)."""
    files = [p for p in site.rglob("*") if p.is_file()] if site.is_dir() else []
    index = site / "index.html"
    found = re.search(r'data-set="projects"[^>]*data-rows="(\d+)"', index.read_text("utf-8"))
    return {
        "site_files": len(files),
        "site_bytes": sum(p.stat().st_size for p in files),
        "projects": int(found[1]) if found else 0,
    }


def first_load(index: Path) -> dict:
    """Bytes of the first load and milliseconds to first contentful paint (None when
    there is no Chromium: the figure is left out, not guessed)."""
    from tools.browser import Browser, find_chromium

    if find_chromium() is None:
        return {"first_load_bytes": None, "first_paint_ms": None}
    with Browser.launch() as browser:
        page = browser.open(index, width=1280)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not page.evaluate(
            "document.querySelectorAll('.lazy-table tbody tr').length > 0"
        ):
            time.sleep(0.05)
        files = {u for u in page.requested_urls() if u.startswith("file://")}
        paint = page.evaluate(
            "(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null"
        )
    total = sum(Path(unquote(urlparse(u).path)).stat().st_size for u in files)
    return {"first_load_bytes": total, "first_paint_ms": round(paint) if paint else None}


def measure_site(warehouse: Path) -> dict:
    timing = build(warehouse)
    site = warehouse / "site"
    return {**timing, **site_size(site), **first_load(site / "index.html")}


def lines(result: dict) -> list[str]:
    size, paint = result["first_load_bytes"], result["first_paint_ms"]
    shown = "no Chromium" if size is None else f"first load {size / 1e6:.2f} MB"
    if paint is not None:
        shown += f", first contentful paint {paint} ms"
    cpu = result.get("build_cpu_s")
    files = result.get("site_files")
    return [
        f"results site: built in {result['build_s']:.1f} s"
        + (f" ({cpu:.1f} CPU s)" if cpu is not None else "")
        + f", {result.get('projects', 0):,} projects"
        + (f", {files:,} files, {result['site_bytes'] / 1e6:,.0f} MB" if files else "")
        + f"; {shown}"
    ]


if __name__ == "__main__":
    print(json.dumps(measure_site(Path(sys.argv[1])), indent=2))
