"""`make bench`: the pipeline against plain DuckDB, per stage, at several scales.

    python -m bench.run [--scales 1,10,100] [--seed 2014] [--repeat 1] [--keep auto|sample]
                        [--no-history]

For every scale: generate the exports (cached in bench/.data/, rebuilt when a generator
changes), then, in this order and one at a time:

1. the baseline (bench/baseline.py): plain DuckDB computes the four monitoring marts from
   the same CSV files with hand-written SQL in one process: the floor on this machine;
2. `interreg run` as a user runs it, a child process with its own warehouse folder, on the
   export, without DAGSTER_HOME (an in-memory Dagster instance, as in the e2e tests);
3. `interreg run` again on the unchanged export (the weekly run when nothing changed);
4. unless --no-history: `interreg run` with a run history (DAGSTER_HOME, configured as
   dagster_home/ is for `make run`), on a fresh warehouse: what Dagster's storage costs.

Wall time and peak memory are measured from outside (bench/measure.py: the process tree's
summed resident set, sampled every 50 ms); the stages come from the run itself
(bench/traced.py: the steps' start and end events, and the parse/validate/load timings the
monitoring step records). The published marts are checked against the baseline's, so both
did the same work. Figures are printed and written to bench/results/<time>.json; nothing
is asserted (the machine is shared and noisy: --repeat N keeps the fastest of N).

keep.eu: with `--keep auto` (the default) and tools/samples/keep.py present, a keep.eu
export is generated from each scaled monitoring export and the pipeline reads it; its
steps are the stage "keep". The baseline has no XLSX reader (DuckDB's needs a download)
and leaves keep out: compare the monitoring stages, or use `--keep sample` (the bundled
keep.eu sample, a constant cost, as in a default run).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from bench import measure, site

REPO = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
INTERREG = PYTHON.with_name("interreg")
DATA = REPO / "bench" / ".data"
RESULTS = REPO / "bench" / "results"
DAGSTER_YAML = REPO / "dagster_home" / "dagster.yaml"
MONITORING_GENERATOR = REPO / "tools" / "samples" / "monitoring.py"
KEEP_GENERATOR = REPO / "tools" / "samples" / "keep.py"
MARTS = ("headline_results", "policy_changes", "regional_coverage", "projects")
STAGES = ("startup", "fetch", "parse", "validate", "load", "dbt", "publish", "keep", "other")
ROW_STAGES = ("parse", "validate", "load", "dbt")  # stages whose rows/s is meaningful


# --- the exports -------------------------------------------------------------------------


def _fingerprint(*files: Path, extra: str = "") -> str:
    digest = hashlib.sha256(extra.encode())
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _cached(folder: Path, fingerprint: str, make) -> Path:  # noqa: ANN001 - a callable
    stamp = folder / ".fingerprint"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    make(folder)
    stamp.write_text(fingerprint)
    return folder


def monitoring_export(scale: int, seed: int) -> Path:
    def make(folder: Path) -> None:
        print(f"  generating the monitoring export, scale {scale} ...", flush=True)
        subprocess.run(
            [PYTHON, "-m", "tools.samples.monitoring", "--out", folder]
            + ["--scale", str(scale), "--seed", str(seed)],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    return _cached(
        DATA / f"monitoring-scale{scale}-seed{seed}",
        _fingerprint(MONITORING_GENERATOR, extra=f"{scale}/{seed}"),
        make,
    )


def keep_export(monitoring: Path, scale: int, seed: int) -> Path | None:
    if not KEEP_GENERATOR.exists():
        return None

    def make(folder: Path) -> None:
        print(f"  generating the keep.eu export, scale {scale} ...", flush=True)
        subprocess.run(
            [PYTHON, "-m", "tools.samples.keep", "--out", folder / "keep_eu_export.xlsx"]
            + ["--monitoring", monitoring, "--scale", str(scale), "--seed", str(seed)],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    folder = _cached(
        DATA / f"keep-scale{scale}-seed{seed}",
        _fingerprint(KEEP_GENERATOR, MONITORING_GENERATOR, extra=f"{scale}/{seed}"),
        make,
    )
    return folder / "keep_eu_export.xlsx"


@dataclass
class ExportSize:
    rows: int  # records over every file (the manifest's)
    bytes: int
    projects: int
    partners: int
    indicator_values: int


def export_size(folder: Path) -> ExportSize:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    rows = {f["name"]: int(f["rows"]) for f in manifest["files"]}
    return ExportSize(
        rows=sum(rows.values()),
        bytes=sum((folder / name).stat().st_size for name in rows),
        projects=rows.get("projects.csv", 0),
        partners=rows.get("partners.csv", 0),
        indicator_values=rows.get("indicator_values.csv", 0),
    )


# --- the runs ------------------------------------------------------------------------------


def pipeline_env(export: Path, keep: Path | None, work: Path, *, history: bool) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("INTERREG_", "DAGSTER_HOME", "DBT_"))
    }
    env |= {
        "INTERREG_MONITORING_URL": str(export),
        "INTERREG_WAREHOUSE_DIR": str(work / "warehouse"),
    }
    if history:
        home = work / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        if DAGSTER_YAML.exists():
            shutil.copy(DAGSTER_YAML, home / "dagster.yaml")
        env["DAGSTER_HOME"] = str(home)
    if keep is not None:
        env["INTERREG_KEEP_FILES"] = str(keep)
    return env


def stage_of(step_key: str) -> str:
    key = step_key.lower()
    for stage, words in (
        ("keep", ("keep",)),
        ("dbt", ("dbt",)),
        ("publish", ("publish", "report", "site")),  # the file, then the results page
        ("fetch", ("export", "extract", "fetch", "landed")),
    ):
        if any(word in key for word in words):
            return stage
    return "other"


@dataclass
class Step:
    key: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def stages_of_run(run: measure.Measured, trace: dict) -> dict[str, dict]:
    """Seconds and peak memory (MiB) per stage; the stages add up to the run's wall time."""
    seconds = dict.fromkeys(STAGES, 0.0)
    windows: dict[str, list[tuple[float, float]]] = {s: [] for s in STAGES}
    steps = [
        Step(key, step["start"], step["end"])
        for key, step in trace.get("steps", {}).items()
        if "start" in step and "end" in step
    ]
    if not steps:  # no events: the whole run is one stage
        seconds["other"] = run.seconds
        windows["other"].append((run.started_at, run.ended_at))
    else:
        first = min(s.start for s in steps)
        seconds["startup"] = first - run.started_at
        windows["startup"].append((run.started_at, first))
        for step in steps:
            timings = trace.get("stage_timings", {}).get(step.key)
            if timings and "parse_s" in timings and "load_s" in timings:  # the monitoring step
                parse, validate, load = timings["parse_s"], timings["validate_s"], timings["load_s"]
                seconds["parse"] += parse
                seconds["validate"] += validate
                # The step's own work besides: the build copy, audit tables, the manifest.
                seconds["load"] += max(step.seconds - parse - validate, load)
                shared = (timings["validate_started_at"], timings["validate_ended_at"])
                windows["parse"].append(shared)
                windows["validate"].append(shared)
                windows["load"].append((timings["load_started_at"], step.end))
                continue
            stage = stage_of(step.key)
            if stage == "other" and "raw" in step.key:
                stage = "load"  # a raw-tables step that recorded no timings: all of it
            seconds[stage] += step.seconds
            windows[stage].append((step.start, step.end))
        # Dagster between and after the steps, the headline printed at the end.
        seconds["other"] += run.seconds - sum(seconds.values())
        windows["other"].append((max(s.end for s in steps), run.ended_at))
    result = {}
    for stage in STAGES:
        peaks = [p for w in windows[stage] if (p := run.peak_between(*w)) is not None]
        result[stage] = {
            "seconds": round(seconds[stage], 3),
            "peak_rss_mb": round(max(peaks), 1) if peaks else None,
        }
    return result


def pipeline_run(
    export: Path, keep: Path | None, work: Path, label: str, *, history: bool = False
) -> dict:
    env = pipeline_env(export, keep, work, history=history)
    trace_file = work / f"{label}.trace.json"
    run = measure.run(
        [PYTHON, "-m", "bench.traced", trace_file, "run"],
        env=env,
        cwd=REPO,
        log=work / f"{label}.log",
    )
    if run.returncode != 0:
        tail = (work / f"{label}.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"interreg run failed ({label}); the end of its output:\n{tail}")
    trace = json.loads(trace_file.read_text(encoding="utf-8")) if trace_file.exists() else {}
    return {
        "seconds": round(run.seconds, 3),
        "cpu_seconds": round(run.cpu_seconds, 2),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "max_process_rss_mb": round(run.max_process_rss_mb, 1),
        "dagster_events": trace.get("events"),
        "stages": stages_of_run(run, trace),
        "stage_timings": trace.get("stage_timings", {}),
    }


def baseline_run(export: Path, work: Path) -> dict:
    out = work / "baseline.duckdb"
    run = measure.run(
        [PYTHON, "-m", "bench.baseline", export, out], cwd=REPO, log=work / "baseline.log"
    )
    if run.returncode != 0:
        raise SystemExit((work / "baseline.log").read_text(errors="replace")[-3000:])
    return {
        "seconds": round(run.seconds, 3),
        "cpu_seconds": round(run.cpu_seconds, 2),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "max_process_rss_mb": round(run.max_process_rss_mb, 1),
        "database": out,
    }


def marts_differ(published: Path, baseline: Path) -> list[str]:
    """The marts (columns the baseline computes) whose rows differ between the two files."""
    con = duckdb.connect()
    try:
        con.execute(f"ATTACH '{published}' AS pipeline (READ_ONLY)")
        con.execute(f"ATTACH '{baseline}' AS baseline (READ_ONLY)")
        differ = []
        for mart in MARTS:
            columns = ", ".join(
                f'"{name}"'
                for (name,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_catalog ="
                    " 'baseline' AND table_schema = 'marts' AND table_name = ?"
                    " ORDER BY ordinal_position",
                    [mart],
                ).fetchall()
            )
            a = f"SELECT {columns} FROM pipeline.marts.{mart}"
            b = f"SELECT {columns} FROM baseline.marts.{mart}"
            if con.execute(
                f"SELECT (SELECT count(*) FROM ({a} EXCEPT ALL {b}))"
                f" + (SELECT count(*) FROM ({b} EXCEPT ALL {a}))"
            ).fetchone()[0]:
                differ.append(mart)
        return differ
    finally:
        con.close()


def measure_scale(
    scale: int, seed: int, repeat: int, keep_mode: str, history: bool, work_root: Path
) -> dict:
    print(f"scale {scale}:", flush=True)
    started = time.perf_counter()
    export = monitoring_export(scale, seed)
    keep = keep_export(export, scale, seed) if keep_mode == "auto" else None
    generated_s = time.perf_counter() - started
    size = export_size(export)

    best: dict[str, dict] = {}
    for attempt in range(repeat):
        work = work_root / f"scale{scale}-{attempt}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        print(f"  run {attempt + 1}/{repeat}: baseline", end="", flush=True)
        baseline = baseline_run(export, work)
        print(f" {baseline['seconds']:.1f} s; pipeline", end="", flush=True)
        full = pipeline_run(export, keep, work, "full")
        print(f" {full['seconds']:.1f} s; unchanged", end="", flush=True)
        unchanged = pipeline_run(export, keep, work, "unchanged")
        print(f" {unchanged['seconds']:.1f} s", end="", flush=True)
        differ = marts_differ(work / "warehouse" / "interreg.duckdb", baseline.pop("database"))
        if attempt == 0:  # the results site: its build time, first-load bytes and paint
            best["site"] = site.measure_site(work / "warehouse")
            print(f"; site {best['site']['build_s']:.1f} s", end="", flush=True)
        runs = [("baseline", baseline), ("full", full), ("unchanged", unchanged)]
        if history:
            shutil.rmtree(work / "warehouse")
            with_history = pipeline_run(export, keep, work, "history", history=True)
            print(f"; with run history {with_history['seconds']:.1f} s", end="", flush=True)
            runs.append(("history", with_history))
        print(flush=True)
        for name, result in runs:
            if name not in best or result["seconds"] < best[name]["seconds"]:
                best[name] = result
        best.setdefault("marts_differ", differ)
        if differ:
            best["marts_differ"] = differ
    return {
        "scale": scale,
        "seed": seed,
        "export": {
            "rows": size.rows,
            "megabytes": round(size.bytes / measure.MB, 1),
            "projects": size.projects,
            "partners": size.partners,
            "indicator_values": size.indicator_values,
            "keep": str(keep.relative_to(REPO)) if keep else "bundled sample",
        },
        "generate_s": round(generated_s, 1),
        "baseline": best["baseline"],
        "pipeline": best["full"],
        "unchanged": best["unchanged"],
        "with_history": best.get("history"),
        "ratio": round(best["full"]["seconds"] / best["baseline"]["seconds"], 2),
        "ratio_cpu": round(best["full"]["cpu_seconds"] / best["baseline"]["cpu_seconds"], 2),
        "unchanged_share": round(best["unchanged"]["seconds"] / best["full"]["seconds"], 3),
        "rows_per_s": {
            "pipeline": round(size.rows / best["full"]["seconds"]),
            "baseline": round(size.rows / best["baseline"]["seconds"]),
        },
        "site": best.get("site"),
        "marts_identical": not best["marts_differ"],
        "marts_differ": best["marts_differ"],
    }


# --- the stack's fixed cost -------------------------------------------------------------------

# What any `interreg run` pays before it reads a row, whatever the export's size: the
# fastest of three tries of each. Compared with the baseline, it is the best ratio the
# design card's stack (Dagster, dagster-dbt, dbt) can reach at a scale.
FLOOR_PARTS = (
    ("import dagster, dagster_dbt", [PYTHON, "-c", "import dagster, dagster_dbt"]),
    ("load the code location", [PYTHON, "-c", "from pipelines.definitions import defs; defs()"]),
    ("dbt: start, read a parsed project", ["dbt", "parse"]),
    ("dbt: start, parse from nothing", ["dbt", "parse", "--no-partial-parse"]),
)
FIRST_RUN_FLOOR = (  # a run on a new warehouse: the location, then dbt parses from nothing
    "load the code location",
    "dbt: start, parse from nothing",
)


def stack_floor(work_root: Path, tries: int = 3) -> dict[str, float]:
    target = work_root / "floor-dbt-target"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERREG_", "DBT_"))}
    floor = {}
    for label, command in FLOOR_PARTS:
        if command[0] == "dbt":
            command = [PYTHON.with_name("dbt"), *command[1:], "--quiet", "--profiles-dir", "."]
            command += ["--target-path", target]
        seconds = []
        for _ in range(tries):
            run = measure.run(command, env=env, cwd=REPO / "dbt_project")
            if run.returncode != 0:
                raise SystemExit(f"{label}: {' '.join(map(str, command))} failed")
            seconds.append(run.seconds)
        floor[label] = round(min(seconds), 2)
    return floor


def floor_lines(floor: dict[str, float], results: list[dict]) -> list[str]:
    first_run = sum(floor[part] for part in FIRST_RUN_FLOOR)
    lines = [
        "The stack's fixed cost (fastest of 3; paid by every run, whatever the size):",
        "",
        "| part | seconds |",
        "|---|---:|",
        *(f"| {part} | {seconds:.2f} |" for part, seconds in floor.items()),
        "",
    ]
    for r in results:
        lines.append(
            f"scale {r['scale']}: loading the code location and dbt's first parse alone take"
            f" {first_run / r['baseline']['seconds']:.1f}x the baseline's whole run"
        )
    return lines


# --- the report -----------------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    git = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
    )
    return {
        "cpu": model or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory / (1 << 30), 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "commit": git.stdout.strip() or None,
    }


def _mb(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def stage_table(result: dict) -> str:
    rows = result["export"]["rows"]
    stages = result["pipeline"]["stages"]
    lines = [
        "| stage | seconds | peak MB | rows/s |",
        "|---|---:|---:|---:|",
    ]
    for stage in STAGES:
        figures = stages[stage]
        if not figures["seconds"] and figures["peak_rss_mb"] is None:
            continue
        rate = (
            f"{rows / figures['seconds']:,.0f}"
            if stage in ROW_STAGES and figures["seconds"] > 0
            else ""
        )
        lines.append(
            f"| {stage} | {figures['seconds']:.2f} | {_mb(figures['peak_rss_mb'])} | {rate} |"
        )
    pipeline, baseline = result["pipeline"], result["baseline"]
    lines.append(
        f"| **pipeline** | **{pipeline['seconds']:.2f}** | **{_mb(pipeline['peak_rss_mb'])}** |"
        f" {result['rows_per_s']['pipeline']:,} |"
    )
    lines.append(
        f"| baseline (plain DuckDB) | {baseline['seconds']:.2f} | {_mb(baseline['peak_rss_mb'])} |"
        f" {result['rows_per_s']['baseline']:,} |"
    )
    keep = next(
        (t for key, t in result["pipeline"]["stage_timings"].items() if "keep" in key), None
    )
    if keep:
        parts = ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in keep.items())
        lines += ["", f"keep, of which: {parts}"]
    return "\n".join(lines)


def summary_table(results: list[dict]) -> str:
    lines = [
        "| scale | projects | partners | rows | pipeline s | baseline s | pipeline / baseline"
        " | CPU s (pipeline / baseline) | peak MB | unchanged run s | unchanged / full"
        " | with run history s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        e = r["export"]
        history = r.get("with_history")
        history_s = f"{history['seconds']:.1f}" if history else ""
        lines.append(
            f"| {r['scale']} | {e['projects']:,} | {e['partners']:,} | {e['rows']:,}"
            f" | {r['pipeline']['seconds']:.1f} | {r['baseline']['seconds']:.1f}"
            f" | {r['ratio']:.1f}x"
            f" | {r['pipeline']['cpu_seconds']:.1f} / {r['baseline']['cpu_seconds']:.1f}"
            f" | {_mb(r['pipeline']['peak_rss_mb'])}"
            f" | {r['unchanged']['seconds']:.1f} | {r['unchanged_share']:.0%}"
            f" | {history_s} |"
        )
    return "\n".join(lines)


def scaling_lines(results: list[dict]) -> list[str]:
    by_scale = {r["scale"]: r for r in results}
    lines = []
    for low, high in ((1, 10), (10, 100)):
        if low in by_scale and high in by_scale:
            factor = by_scale[high]["pipeline"]["seconds"] / by_scale[low]["pipeline"]["seconds"]
            base = by_scale[high]["baseline"]["seconds"] / by_scale[low]["baseline"]["seconds"]
            lines.append(
                f"scale {low} -> {high}: the pipeline takes {factor:.1f}x the time"
                f" (the baseline {base:.1f}x)"
            )
    return lines


def report(results: list[dict], info: dict, floor: dict[str, float]) -> str:
    out = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB;"
        f" {info['os']}; Python {info['python']}, DuckDB {info['duckdb']};"
        f" commit {info['commit']}",
        "",
        summary_table(results),
        "",
        *scaling_lines(results),
    ]
    if floor:
        out += ["", *floor_lines(floor, results)]
    for r in results:
        e = r["export"]
        out += [
            "",
            f"scale {r['scale']}: {e['projects']:,} projects, {e['partners']:,} partners,"
            f" {e['indicator_values']:,} indicator values; {e['rows']:,} rows,"
            f" {e['megabytes']:,} MB of CSV; keep.eu: {e['keep']}",
            "",
            stage_table(r),
            "",
            *(site.lines(r["site"]) if r.get("site") else []),
            "marts identical to the baseline's: "
            + ("yes" if r["marts_identical"] else "NO: " + ", ".join(r["marts_differ"])),
        ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,100", help="comma-separated, e.g. 1,10,100")
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of N runs")
    parser.add_argument(
        "--keep",
        choices=("auto", "sample"),
        default="auto",
        help="auto: a keep.eu export at each scale when its generator exists; "
        "sample: the bundled keep.eu sample",
    )
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="skip the run with a Dagster run history (DAGSTER_HOME, as `make run`)",
    )
    parser.add_argument("--out", type=Path, help="the JSON file (default: bench/results/)")
    parser.add_argument("--keep-work", action="store_true", help="keep warehouses and logs")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]

    info = machine()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work_root = DATA / "runs" / stamp
    results = []
    try:
        print("the stack's fixed cost", flush=True)
        floor = stack_floor(work_root)
        for scale in scales:
            results.append(
                measure_scale(
                    scale, args.seed, args.repeat, args.keep, not args.no_history, work_root
                )
            )
    finally:
        if not args.keep_work:
            shutil.rmtree(work_root, ignore_errors=True)
    text = report(results, info, floor)
    print()
    print(text)
    out = args.out or RESULTS / f"{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "started_at": stamp,
                "machine": info,
                "repeat": args.repeat,
                "stack_floor_s": floor,
                "results": results,
            },
            indent=2,
            default=str,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwritten to {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
