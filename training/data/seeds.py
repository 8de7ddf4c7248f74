"""The seed-range convention: which seeds are for training and which are held out.

Scene i of a run uses seed `seed_start + i`. Training data comes from seeds
TRAIN_SEED_START .. TRAIN_SEED_END - 1; evaluation (the judge's test set, FID samples, ...)
uses seeds from HELDOUT_SEED_START on, far above, so the two can never overlap by accident.

Painted-style layouts (`painted.py`) have a held-out range of their own,
PAINTED_HELDOUT_SEED_START .. PAINTED_HELDOUT_SEED_END - 1, between the two: below every
procedural held-out seed and above every training seed, so a painted held-out seed is never a
training seed of either generator. Painted scenes in a training mix use the dataset's own seeds,
and `check_painted_training_seeds` refuses any that fall in the painted held-out range.
"""

from __future__ import annotations

import numpy as np

TRAIN_SEED_START = 0
TRAIN_SEED_END = 1_000_000  # exclusive: training seeds are 0 .. 999_999
HELDOUT_SEED_START = 10_000_000
PAINTED_HELDOUT_SEED_START = 5_000_000
PAINTED_HELDOUT_SEED_END = 5_100_000  # exclusive: painted held-out seeds are 5_000_000 .. 5_099_999


def seed_split(start: int, count: int) -> str:
    """Which range a run of `count` seeds from `start` falls in: train, heldout, or custom."""
    end = start + count
    if TRAIN_SEED_START <= start and end <= TRAIN_SEED_END:
        return "train"
    if start >= HELDOUT_SEED_START:
        return "heldout"
    return "custom"


def overlaps_painted_heldout(start: int, count: int) -> bool:
    """Whether seeds start .. start + count - 1 share any seed with the painted held-out range."""
    return start < PAINTED_HELDOUT_SEED_END and PAINTED_HELDOUT_SEED_START < start + count


def check_painted_training_seeds(start: int, count: int) -> None:
    """Refuse painted training scenes drawn from the painted held-out range: a model trained on
    them would be scored on layouts it has seen."""
    if overlaps_painted_heldout(start, count):
        raise ValueError(
            f"painted training scenes would use seeds {start}..{start + count - 1}, which overlap the painted "
            f"held-out range {PAINTED_HELDOUT_SEED_START}..{PAINTED_HELDOUT_SEED_END - 1}; choose seeds outside it "
            f"(training seeds are {TRAIN_SEED_START}..{TRAIN_SEED_END - 1})"
        )


def scene_generator(seed: int, stream: int = 0) -> np.random.Generator:
    """The random generator of one scene. Stream 0 is `PCG64(seed)`, what the procedural renderer
    has always used (so its pixels do not change); other streams are independent generators for
    the same seed (a painted layout's shapes, its canvas size), so drawing one thing never shifts
    the random numbers of another."""
    if stream == 0:
        return np.random.Generator(np.random.PCG64(int(seed)))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed), spawn_key=(int(stream),))))
