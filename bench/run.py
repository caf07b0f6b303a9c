"""`make bench`: the pipeline against plain DuckDB doing the same job, per stage, at scales.

    python -m bench.run [--scales 1,10,100] [--seed 2014] [--repeat 1] [--keep auto|sample]
                        [--no-history]

Once per session, untimed: the dbt project's SQL is compiled (bench/plan.py) for the
baseline. Then the stack's floor (bench/floor.py: a one-asset dagster-dbt location,
materialised as `interreg run` does) and what the pipeline's own fixed cost is made of.
Then for every scale: generate the exports (cached in bench/.data/, rebuilt when a
generator changes), then, in this order and one at a time:

1. the baseline (bench/baseline.py): plain DuckDB in one process reads the same CSV files
   and keep.eu workbook, runs the dbt models' compiled SQL, writes the same exports;
2. `interreg run` as a user runs it, a child process with its own warehouse folder, on the
   export, without DAGSTER_HOME (an in-memory Dagster instance, as in the e2e tests);
3. `interreg run` again on the unchanged export (the weekly run when nothing changed);
4. unless --no-history: `interreg run` with a run history (DAGSTER_HOME, configured as
   dagster_home/ is for `make run`), on a fresh warehouse: what Dagster's storage costs.

Wall time and peak memory are measured from outside (bench/measure.py: the process tree's
summed resident set, sampled every 50 ms); the pipeline's stages come from the run itself
(bench/traced.py: the steps' start and end events, and the timings the raw-table steps
record), the baseline's from its own clock. Both are grouped into the same stages
(bench/stages.py), and the report gives the marginal cost (scale 1 -> 100), the fixed
cost against the floor and the unchanged run against their targets (bench/report.py).
Every published mart is checked row for row against the baseline's (tools/compare_marts.py).
Figures are printed and written to bench/results/<time>.json; nothing is asserted (the
machine is shared and noisy: --repeat N keeps the fastest of N).

keep.eu: with `--keep auto` (the default) and tools/samples/keep.py present, a keep.eu
export is generated from each scaled monitoring export; `--keep sample` takes the bundled
sample (a constant cost, as in a default run). The pipeline and the baseline read the same
file either way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import floor, measure, plan, report, site, stages
from pipelines.config import SAMPLE_KEEP_FILE
from tools import compare_marts

REPO = Path(__file__).resolve().parent.parent
PYTHON = Path(sys.executable)
INTERREG = PYTHON.with_name("interreg")
DATA = REPO / "bench" / ".data"
RESULTS = REPO / "bench" / "results"
DAGSTER_YAML = REPO / "dagster_home" / "dagster.yaml"
MONITORING_GENERATOR = REPO / "tools" / "samples" / "monitoring.py"
KEEP_GENERATOR = REPO / "tools" / "samples" / "keep.py"
STAGES = ("startup", "fetch", "parse", "validate", "load", "dbt", "publish", "page", "keep")
STAGES += ("other",)


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
        ("page", ("report", "site")),  # the results page
        ("publish", ("publish",)),  # the exports, then the release
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


def baseline_run(export: Path, keep: Path, plan_file: Path, work: Path) -> dict:
    """The baseline in a child process, measured from outside; its stages from its output."""
    out = work / "baseline.duckdb"
    log = work / "baseline.log"
    command = [PYTHON, "-m", "bench.baseline", export, out, "--plan", plan_file]
    command += ["--keep", keep, "--exports", work / "baseline-exports"]
    run = measure.run(command, cwd=REPO, log=log)
    if run.returncode != 0:
        raise SystemExit(log.read_text(errors="replace")[-3000:])
    figures = json.loads(log.read_text(encoding="utf-8").strip().splitlines()[-1])
    return {
        "seconds": round(run.seconds, 3),
        "cpu_seconds": round(run.cpu_seconds, 2),
        "peak_rss_mb": round(run.peak_rss_mb, 1),
        "max_process_rss_mb": round(run.max_process_rss_mb, 1),
        "stages": figures["stages"],
        "export_files": figures["export_files"],
        "transform": figures.get("transform"),
        "database": out,
    }


def dbt_breakdown(warehouse: Path) -> dict | None:
    """What dbt's own run_results.json says of its build: its elapsed time, and the summed
    execution time and count of its models, tests and seeds (over dbt's threads). The rest
    of the dbt step is dbt's start-up, its parse and dagster-dbt."""
    found = warehouse / ".dbt" / "target" / "run_results.json"
    if not found.is_file():
        return None
    results = json.loads(found.read_text(encoding="utf-8"))
    kinds: dict[str, dict] = {}
    for node in results.get("results", []):
        kind = kinds.setdefault(node["unique_id"].split(".")[0], {"count": 0, "seconds": 0.0})
        kind["count"] += 1
        kind["seconds"] = round(kind["seconds"] + node.get("execution_time", 0.0), 3)
    return {"elapsed_s": round(results.get("elapsed_time", 0.0), 2), **kinds}


def attempt_runs(
    export: Path, keep: Path | None, plan_file: Path, work: Path, history: bool, first: bool
) -> dict[str, dict]:
    """One of --repeat attempts: the baseline, a full, an unchanged (and a history) run."""
    found: dict[str, dict] = {}
    found["baseline"] = baseline_run(export, keep or SAMPLE_KEEP_FILE, plan_file, work)
    print(f" {found['baseline']['seconds']:.1f} s; pipeline", end="", flush=True)
    found["full"] = pipeline_run(export, keep, work, "full")
    found["full"]["dbt_run"] = dbt_breakdown(work / "warehouse")
    print(f" {found['full']['seconds']:.1f} s; unchanged", end="", flush=True)
    found["unchanged"] = pipeline_run(export, keep, work, "unchanged")
    print(f" {found['unchanged']['seconds']:.1f} s", end="", flush=True)
    database = found["baseline"].pop("database")
    found["differences"] = compare_marts.differences(
        work / "warehouse" / "interreg.duckdb", database
    )
    if first:  # the results site: its build time, first-load bytes and paint
        found["site"] = site.measure_site(work / "warehouse")
        print(f"; site {found['site']['build_s']:.1f} s", end="", flush=True)
    if history:
        shutil.rmtree(work / "warehouse")
        found["history"] = pipeline_run(export, keep, work, "history", history=True)
        print(f"; with run history {found['history']['seconds']:.1f} s", end="", flush=True)
    print(flush=True)
    return found


def measure_scale(scale: int, args: argparse.Namespace, plan_file: Path, work_root: Path) -> dict:
    print(f"scale {scale}:", flush=True)
    started = time.perf_counter()
    export = monitoring_export(scale, args.seed)
    keep = keep_export(export, scale, args.seed) if args.keep == "auto" else None
    generated_s = time.perf_counter() - started
    best: dict[str, dict] = {}
    differences: dict[str, str] = {}
    for attempt in range(args.repeat):
        work = work_root / f"scale{scale}-{attempt}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        print(f"  run {attempt + 1}/{args.repeat}: baseline", end="", flush=True)
        found = attempt_runs(export, keep, plan_file, work, not args.no_history, attempt == 0)
        for mart, text in found.pop("differences").items():
            differences[mart] = differences.get(mart) or text  # a difference in any attempt
        best.setdefault("site", found.pop("site", None))
        for name, result in found.items():
            if name not in best or result["seconds"] < best[name]["seconds"]:
                best[name] = result
    return scale_result(scale, args.seed, export, keep, generated_s, best, differences)


def scale_result(scale, seed, export, keep, generated_s, best, differences) -> dict:  # noqa: ANN001
    """One scale's figures, as the JSON keeps them and the report shows them."""
    size = export_size(export)
    full, baseline = best["full"], best["baseline"]
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
        "baseline": baseline,
        "pipeline": full,
        "unchanged": best["unchanged"],
        "with_history": best.get("history"),
        "compared": {
            "pipeline": stages.pipeline_stages(full["stages"]),
            "baseline": stages.baseline_stages(baseline["seconds"], baseline["stages"]),
        },
        "ratio": round(full["seconds"] / baseline["seconds"], 2),
        "ratio_cpu": round(full["cpu_seconds"] / baseline["cpu_seconds"], 2),
        "unchanged_share": round(best["unchanged"]["seconds"] / full["seconds"], 3),
        "rows_per_s": {
            "pipeline": round(size.rows / full["seconds"]),
            "baseline": round(size.rows / baseline["seconds"]),
        },
        "site": best.get("site"),
        "marts_compared": len(differences),
        "marts_differences": differences,
        "marts_identical": not any(differences.values()),
        "marts_differ": [mart for mart, text in differences.items() if text],
    }


# --- the stack's fixed cost -------------------------------------------------------------------

# What the pipeline's own fixed cost is made of (bench/floor.py measures the stack's floor):
# each part alone, the fastest of three tries; a part that fails is reported as None.
FIXED_PARTS = (
    ("import dagster, dagster_dbt", [PYTHON, "-c", "import dagster, dagster_dbt"]),
    ("load the code location", [PYTHON, "-c", "from pipelines.definitions import defs; defs()"]),
    ("dbt: start, read a parsed project", ["dbt", "parse"]),
    ("dbt: start, parse from nothing", ["dbt", "parse", "--no-partial-parse"]),
)


def fixed_parts(work_root: Path, tries: int = 3) -> dict[str, float | None]:
    target = work_root / "parts-dbt-target"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERREG_", "DBT_"))}
    parts: dict[str, float | None] = {}
    for label, command in FIXED_PARTS:
        if command[0] == "dbt":
            command = [PYTHON.with_name("dbt"), *command[1:], "--quiet", "--profiles-dir", "."]
            command += ["--target-path", target, "--log-path", target / "logs"]
        seconds = []
        for _ in range(tries):
            run = measure.run(command, env=env, cwd=REPO / "dbt_project")
            if run.returncode == 0:
                seconds.append(run.seconds)
        parts[label] = round(min(seconds), 2) if seconds else None
    return parts


def parse_args(argv: list[str] | None) -> argparse.Namespace:
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
    parser.add_argument("--no-floor", action="store_true", help="skip the stack's floor")
    parser.add_argument("--out", type=Path, help="the JSON file (default: bench/results/)")
    parser.add_argument("--keep-work", action="store_true", help="keep warehouses and logs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    info = report.machine()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    work_root = DATA / "runs" / stamp
    results = []
    stack, parts = None, {}
    try:
        print("compiling the dbt project for the baseline (untimed)", flush=True)
        plan_file = work_root / "plan.json"
        plan.make_plan(plan_file)
        if not args.no_floor:
            print("the stack's floor and the parts of the fixed cost", flush=True)
            stack = floor.stack_floor(work_root / "floor")
            parts = fixed_parts(work_root)
        for scale in scales:
            results.append(measure_scale(scale, args, plan_file, work_root))
    finally:
        if not args.keep_work:
            shutil.rmtree(work_root, ignore_errors=True)
    print()
    print(report.report(results, info, stack, parts))
    out = args.out or RESULTS / f"{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "started_at": stamp,
        "machine": info,
        "repeat": args.repeat,
        "stack_floor": stack,
        "fixed_parts_s": parts,
        "marginal": stages.marginal(results),
        "fixed_cost": stages.fixed_cost(results, stack),
        "results": results,
    }
    out.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwritten to {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
