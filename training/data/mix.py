"""A training set mixing procedural scenes with painted-style ones (`generate --painted-share`).

Scene i of a run still uses seed `seed_start + i`; a share of the scenes is drawn by the painted
generator instead of the composer. Which ones follows from (seed, share) alone, spread evenly
(seed s is painted when floor((s + 1) * share) > floor(s * share)), so a run split into pieces,
or regenerated, paints the same scenes, and any run of n seeds holds floor or ceil of n * share
painted ones. The share is kept in parts per million to make that rule exact integer arithmetic
(0.29 * 100 is 28.999... in floating point).
"""

from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

from .painted import painted_scene
from .render import check_seed, check_size, iter_jobs, render_scene
from .seeds import check_painted_training_seeds

PPM = 1_000_000


def share_ppm(share: float) -> int:
    """A share in [0, 1] as parts per million, refusing anything else with the reason."""
    if isinstance(share, bool) or not isinstance(share, (int, float)) or not np.isfinite(share) or not 0.0 <= share <= 1.0:
        raise ValueError(f"painted share must be a number from 0 to 1, got {share!r}")
    return int(round(float(share) * PPM))


def painted_flags(seeds: Sequence[int], share: float) -> list[bool]:
    """For each seed, whether its scene is painted-style: a `share` of them, evenly spread."""
    ppm = share_ppm(share)
    return [(int(s) + 1) * ppm // PPM > int(s) * ppm // PPM for s in seeds]


def _render_job(job: tuple[int, int, int, bool]) -> tuple[np.ndarray, np.ndarray]:
    seed, width, height, painted = job
    return painted_scene(seed, width, height) if painted else render_scene(seed, width, height)


def iter_mixed(
    seeds: Sequence[int], width: int, height: int, painted: Sequence[bool], workers: int = 1, chunksize: int = 8
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (image, labels) per seed, in order: painted-style where `painted[i]`, else procedural.

    Refuses painted scenes whose seeds reach into the painted held-out range."""
    if len(painted) != len(seeds):
        raise ValueError(f"painted has {len(painted)} flags for {len(seeds)} seeds")
    check_size(width, height)
    seeds = [int(s) for s in seeds]
    for s in seeds:
        check_seed(s)
    for s, p in zip(seeds, painted):
        if p:
            check_painted_training_seeds(s, 1)
    jobs = [(s, width, height, bool(p)) for s, p in zip(seeds, painted)]
    yield from iter_jobs(_render_job, jobs, workers, chunksize)
