"""Learning-rate schedules shared by the trainers."""
from __future__ import annotations

import math


def warmup_cosine(lr: float, step: int, steps: int, warmup_steps: int = 0, min_lr_ratio: float = 1.0) -> float:
    """Linear warmup, then cosine decay to min_lr_ratio·lr at the last step (min_lr_ratio 1 keeps
    the rate constant after warm-up)."""
    if step < warmup_steps:
        return lr * (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, steps - warmup_steps))
    return lr * (min_lr_ratio + (1 - min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress)))
