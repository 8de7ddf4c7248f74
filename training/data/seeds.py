"""The seed-range convention: which seeds are for training and which are held out.

Scene i of a run uses seed `seed_start + i`. Training data comes from seeds
TRAIN_SEED_START .. TRAIN_SEED_END - 1; evaluation (the judge's test set, FID samples, ...)
uses seeds from HELDOUT_SEED_START on, far above, so the two can never overlap by accident.
"""

TRAIN_SEED_START = 0
TRAIN_SEED_END = 1_000_000  # exclusive: training seeds are 0 .. 999_999
HELDOUT_SEED_START = 10_000_000


def seed_split(start: int, count: int) -> str:
    """Which range a run of `count` seeds from `start` falls in: train, heldout, or custom."""
    end = start + count
    if TRAIN_SEED_START <= start and end <= TRAIN_SEED_END:
        return "train"
    if start >= HELDOUT_SEED_START:
        return "heldout"
    return "custom"
