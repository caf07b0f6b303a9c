"""`make bench`'s printed report: the tables and the ratios against the targets.

Only formatting: every figure comes from bench/run.py's results (also written as JSON).
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path

import duckdb

from bench import site, stages

REPO = Path(__file__).resolve().parent.parent
ROW_STAGES = ("parse", "validate", "load", "dbt")  # stages whose rows/s is meaningful


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


def step_table(result: dict) -> str:
    """The pipeline's steps at one scale: seconds, peak memory, rows per second."""
    rows = result["export"]["rows"]
    lines = ["| pipeline step | seconds | peak MB | rows/s |", "|---|---:|---:|---:|"]
    for stage, figures in result["pipeline"]["stages"].items():
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
    keep = next(
        (t for key, t in result["pipeline"]["stage_timings"].items() if "keep" in key), None
    )
    if keep:
        parts = ", ".join(f"{k.removesuffix('_s')} {v:.2f} s" for k, v in keep.items())
        lines += ["", f"keep, of which: {parts}"]
    return "\n".join(lines)


def compared_table(results: list[dict]) -> str:
    """Pipeline / baseline seconds per compared stage (bench/stages.py), every scale."""
    head = "| stage | " + " | ".join(f"scale {r['scale']}: pipeline / baseline" for r in results)
    lines = [head + " |", "|---|" + "---:|" * len(results)]
    for stage in stages.COMPARED:
        cells = []
        for r in results:
            p = r["compared"]["pipeline"][stage]
            b = r["compared"]["baseline"].get(stage)
            cells.append(f"{p:.2f} / " + ("-" if b is None else f"{b:.2f}"))
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    totals = [
        f"**{r['pipeline']['seconds']:.2f} / {r['baseline']['seconds']:.2f}**" for r in results
    ]
    lines.append("| **whole run** | " + " | ".join(totals) + " |")
    return "\n".join(lines)


def summary_table(results: list[dict]) -> str:
    lines = [
        "| scale | projects | partners | rows | pipeline s | baseline s | pipeline / baseline"
        " | CPU s (pipeline / baseline) | peak MB (pipeline / baseline) | unchanged run s"
        " | unchanged / full | with run history s |",
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
            f" | {_mb(r['pipeline']['peak_rss_mb'])} / {_mb(r['baseline']['peak_rss_mb'])}"
            f" | {r['unchanged']['seconds']:.1f} | {r['unchanged_share']:.0%}"
            f" | {history_s} |"
        )
    return "\n".join(lines)


def growth_lines(results: list[dict]) -> list[str]:
    """Scale 100 -> 1,000 (when both ran): time factor and peak memory, and the stage
    that grew the most (the one that breaks first)."""
    by_scale = {r["scale"]: r for r in results}
    if 100 not in by_scale or 1000 not in by_scale:
        return []
    lo, hi = by_scale[100], by_scale[1000]
    factor = hi["pipeline"]["seconds"] / lo["pipeline"]["seconds"]
    peak_gb = hi["pipeline"]["peak_rss_mb"] / 1024
    grown = {
        s: hi["compared"]["pipeline"][s] / lo["compared"]["pipeline"][s]
        for s in stages.COMPARED
        if lo["compared"]["pipeline"][s] > 0.5
    }
    worst = max(grown, key=grown.get) if grown else None
    met = factor <= stages.GROWTH_TARGET and peak_gb <= stages.PEAK_GB_TARGET
    return [
        f"scale 100 -> 1000: the pipeline takes {factor:.1f}x the time (target <="
        f" {stages.GROWTH_TARGET:.0f}x), peak memory {peak_gb:.1f} GB (target <="
        f" {stages.PEAK_GB_TARGET:.0f} GB): {'met' if met else 'NOT met'}"
        + (f"; the stage that grew most: {worst} ({grown[worst]:.1f}x)" if worst else "")
    ]


def target_lines(results: list[dict], floor: dict | None) -> list[str]:
    """The marginal cost, the fixed cost and the unchanged run, against their targets."""
    lines: list[str] = []
    lines += growth_lines(results)
    for low, high in ((1, 100),):  # 1 -> 10 is within the noise
        m = stages.marginal(results, low, high)
        if m is None or m["ratio"] is None:
            continue
        per_stage = ", ".join(
            f"{s} {v['pipeline_s']:+.1f}/{v['baseline_s']:+.1f} s"
            + (f" ({v['ratio']:.1f}x)" if v["ratio"] is not None else "")
            for s, v in m["stages"].items()
        )
        met = "met" if m["ratio"] <= stages.MARGINAL_TARGET else "NOT met"
        lines.append(
            f"marginal cost, scale {low} -> {high}: the pipeline adds {m['pipeline_s']:.1f} s,"
            f" the baseline {m['baseline_s']:.1f} s: {m['ratio']:.2f}x"
            f" (target <= {stages.MARGINAL_TARGET}: {met}); per stage: {per_stage}"
        )
    fixed = stages.fixed_cost(results, floor)
    if fixed:
        lines.append(
            f"fixed cost at scale 1: pipeline - baseline ="
            f" {fixed['pipeline_minus_baseline_s']:.1f} s;"
            f" the stack's floor {fixed['floor_s']:.1f} s + {stages.FIXED_MARGIN_S:.0f} s ="
            f" {fixed['allowed_s']:.1f} s ({'met' if fixed['met'] else 'NOT met'},"
            f" {fixed['over_s']:+.1f} s)"
        )
    for r in results:
        if r["scale"] == 100:
            share = r["unchanged_share"]
            met = "met" if share <= stages.UNCHANGED_TARGET else "NOT met"
            lines.append(
                f"unchanged run at scale 100: {share:.0%} of a full run"
                f" (target <= {stages.UNCHANGED_TARGET:.0%}: {met})"
            )
    return lines


def transform_lines(results: list[dict]) -> list[str]:
    """dbt's step against the same SQL in the baseline: where dbt's time goes."""
    lines = []
    for r in results:
        dbt, same = r["pipeline"].get("dbt_run"), r["baseline"].get("transform")
        step = r["compared"]["pipeline"]["transform"]
        if not dbt or not same:
            continue
        nodes = ", ".join(
            f"{kind} {v['count']} nodes {v['seconds']:.1f} s"
            for kind, v in dbt.items()
            if isinstance(v, dict)
        )
        lines.append(
            f"transform at scale {r['scale']}: dbt's step {step:.1f} s, of which dbt's build"
            f" {dbt['elapsed_s']:.1f} s ({nodes}, summed over its threads); the rest"
            f" {step - dbt['elapsed_s']:.1f} s is dbt's start-up, parse and dagster-dbt."
            f" The same SQL in the baseline: {r['compared']['baseline']['transform']:.1f} s"
            f" (seeds {same['seeds']:.1f}, views {same['views']:.1f},"
            f" tables {same['tables']:.1f}; no tests)"
        )
    return lines


def floor_lines(floor: dict | None, parts: dict[str, float]) -> list[str]:
    lines = []
    if floor:
        lines.append(
            f"The stack's floor (bench/floor.py: one dagster-dbt asset over a one-model"
            f" dbt-duckdb project, as `interreg run` materialises): {floor['seconds']:.2f} s"
            f" (fastest of {floor['tries']}), {floor['cpu_seconds']:.1f} CPU s"
        )
    if parts:
        lines += [
            "",
            "What the pipeline's own fixed cost is made of (fastest of 3 each):",
            "",
            "| part | seconds |",
            "|---|---:|",
            *(f"| {part} | {seconds:.2f} |" for part, seconds in parts.items()),
        ]
    return lines


def report(results: list[dict], info: dict, floor: dict | None, parts: dict) -> str:
    out = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB;"
        f" {info['os']}; Python {info['python']}, DuckDB {info['duckdb']};"
        f" commit {info['commit']}",
        "",
        summary_table(results),
        "",
        "Seconds per stage (bench/stages.py):",
        "",
        compared_table(results),
        "",
        *target_lines(results, floor),
        "",
        *transform_lines(results),
        "",
        *floor_lines(floor, parts),
    ]
    for r in results:
        e = r["export"]
        out += [
            "",
            f"scale {r['scale']}: {e['projects']:,} projects, {e['partners']:,} partners,"
            f" {e['indicator_values']:,} indicator values; {e['rows']:,} rows,"
            f" {e['megabytes']:,} MB of CSV; keep.eu: {e['keep']}",
            "",
            step_table(r),
            "",
            *(site.lines(r["site"]) if r.get("site") else []),
            "marts identical to the baseline's: "
            + ("yes" if r["marts_identical"] else "NO: " + ", ".join(r["marts_differ"]))
            + f" ({r['marts_compared']} marts compared)",
        ]
    return "\n".join(out)
