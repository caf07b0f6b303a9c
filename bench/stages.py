"""The pipeline's and the baseline's seconds per comparable stage, and what they grow by.

The pipeline's run is cut into the steps Dagster reports (bench/run.py: stages_of_run);
the baseline reports its own stages (bench/baseline.py). Both are grouped here into the
stages that do the same job on both sides:

| stage     | pipeline                                         | baseline                  |
|-----------|--------------------------------------------------|---------------------------|
| startup   | process start to the first step                  | wall time minus stages    |
| load      | fetch, parse, validate, load (monitoring files)  | DuckDB read_csv, typed    |
| keep      | the keep.eu steps                                | the streamed workbook     |
| transform | dbt build (models, seeds, tests)                 | dbt's compiled SQL        |
| exports   | the publish step (exports, then the release)     | write_exports             |
| page      | the results page                                 | (none: the pipeline's own)|
| other     | Dagster between and after the steps              | (none)                    |

Marginal cost: (pipeline at the high scale - at the low) / (baseline at high - at low),
for the whole run and per stage; a stage the baseline does not have has no ratio.
"""

from __future__ import annotations

COMPARED = ("startup", "load", "keep", "transform", "exports", "page", "other")
PIPELINE_PARTS = {
    "startup": ("startup",),
    "load": ("fetch", "parse", "validate", "load"),
    "keep": ("keep",),
    "transform": ("dbt",),
    "exports": ("publish",),
    "page": ("page",),
    "other": ("other",),
}
MARGINAL_TARGET = 2.5
FIXED_MARGIN_S = 3.0
UNCHANGED_TARGET = 0.15
GROWTH_TARGET = 10.0  # scale 100 -> 1,000: at most 10x the time
PEAK_GB_TARGET = 6.0  # ... with peak memory at most 6 GB


def pipeline_stages(stages: dict[str, dict]) -> dict[str, float]:
    """Seconds per compared stage, from bench.run's per-step stages of a pipeline run."""
    return {
        stage: round(sum(stages.get(part, {}).get("seconds", 0.0) for part in parts), 3)
        for stage, parts in PIPELINE_PARTS.items()
    }


def baseline_stages(wall_seconds: float, stages: dict[str, float]) -> dict[str, float]:
    """Seconds per compared stage of a baseline run: its own, and start-up the rest."""
    own = {stage: float(stages.get(stage, 0.0)) for stage in ("load", "keep", "exports")}
    own["transform"] = float(stages.get("transform", 0.0))
    startup = max(wall_seconds - sum(own.values()), 0.0)
    return {"startup": round(startup, 3), **{k: round(v, 3) for k, v in own.items()}}


def marginal(results: list[dict], low: int = 1, high: int = 100) -> dict | None:
    """The marginal ratios between two measured scales (None unless both were run)."""
    by_scale = {r["scale"]: r for r in results}
    if low not in by_scale or high not in by_scale:
        return None
    lo, hi = by_scale[low], by_scale[high]
    pipeline = hi["pipeline"]["seconds"] - lo["pipeline"]["seconds"]
    baseline = hi["baseline"]["seconds"] - lo["baseline"]["seconds"]
    per_stage = {}
    for stage in COMPARED:
        p = hi["compared"]["pipeline"][stage] - lo["compared"]["pipeline"][stage]
        b = hi["compared"]["baseline"].get(stage, 0.0) - lo["compared"]["baseline"].get(stage, 0.0)
        per_stage[stage] = {
            "pipeline_s": round(p, 2),
            "baseline_s": round(b, 2),
            "ratio": round(p / b, 2) if stage in hi["compared"]["baseline"] and b > 0 else None,
        }
    return {
        "low": low,
        "high": high,
        "pipeline_s": round(pipeline, 2),
        "baseline_s": round(baseline, 2),
        "ratio": round(pipeline / baseline, 2) if baseline > 0 else None,
        "target": MARGINAL_TARGET,
        "stages": per_stage,
    }


def fixed_cost(results: list[dict], floor: dict | None, scale: int = 1) -> dict | None:
    """Pipeline minus baseline at `scale`, against the stack's floor + FIXED_MARGIN_S."""
    found = next((r for r in results if r["scale"] == scale), None)
    if found is None or not floor:
        return None
    extra = found["pipeline"]["seconds"] - found["baseline"]["seconds"]
    allowed = floor["seconds"] + FIXED_MARGIN_S
    return {
        "scale": scale,
        "pipeline_minus_baseline_s": round(extra, 2),
        "floor_s": floor["seconds"],
        "allowed_s": round(allowed, 2),
        "over_s": round(extra - allowed, 2),
        "met": extra <= allowed,
    }
