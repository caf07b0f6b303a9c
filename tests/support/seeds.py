"""The seeds of the generated exports a test session builds (tools/samples/wide_export.py).

Every session draws fresh ones, the same in every pytest-xdist worker (they must collect the
same tests), and a seed fixes its scale, so that a failure reproduces with
`SAMPLE_SEED=<n> make test`. The environment:

* SAMPLE_SEED=<n>[,<n>...]: these seeds instead of fresh ones;
* SAMPLE_SCALE=<s>: this scale for every seed;
* SAMPLE_SEEDS=<k>: the number of fresh seeds, 2 by default (scales 0.05 and 0.2);
  `make test-deep` runs 50, over every scale from 0.05 to 2.
"""

from __future__ import annotations

import os
import random

# A seed's scale: SCALES[seed % len(SCALES)].
SCALES = (0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0)
DEFAULT_SCALES = (0.05, 0.2)  # the fresh seeds of a plain run, in turn


def scale_of(seed: int) -> float:
    if os.environ.get("SAMPLE_SCALE"):
        return float(os.environ["SAMPLE_SCALE"])
    return SCALES[seed % len(SCALES)]


def fresh_seeds(count: int) -> list[int]:
    """`count` seeds never seen before, with scales in turn from DEFAULT_SCALES (two) or
    from SCALES (more). Every pytest-xdist worker of a run draws the same ones."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or os.urandom(16).hex()
    rng = random.Random(run)
    scales = DEFAULT_SCALES if count <= len(DEFAULT_SCALES) else SCALES
    seeds = []
    for i in range(count):
        base = rng.randrange(100_000, 1_000_000) // len(SCALES) * len(SCALES)
        seeds.append(base + SCALES.index(scales[i % len(scales)]))
    return seeds


def seeds() -> list[int]:
    if os.environ.get("SAMPLE_SEED"):
        return [int(s) for s in os.environ["SAMPLE_SEED"].split(",")]
    return fresh_seeds(int(os.environ.get("SAMPLE_SEEDS", "2")))
