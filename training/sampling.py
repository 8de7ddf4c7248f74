"""One token draw from logits, line for line as shared/sampling.ts (docs/SAMPLING.md).

All arithmetic is float64 in a fixed order so that Python and TypeScript pick the same token from
the same float32 logits. `margin` is a Python-only diagnostic: how far the draw was from flipping,
used by the fixture maker to avoid committing draws that a 1e-6 logit difference could change.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from .prng import Xoshiro128


@dataclass(frozen=True)
class SamplingSettings:
    temperature: float = 1.0  # 0 means greedy (argmax, no random number drawn)
    top_k: int = 0  # 0 disables top-k
    top_p: float = 1.0  # 1 disables top-p

    def __post_init__(self) -> None:
        if not (self.temperature >= 0 and math.isfinite(self.temperature)):
            raise ValueError(f"temperature must be ≥ 0 (got {self.temperature})")
        if self.top_k < 0:
            raise ValueError(f"topK must be ≥ 0 (got {self.top_k})")
        if not (0 < self.top_p <= 1):
            raise ValueError(f"topP must be in (0, 1] (got {self.top_p})")


@dataclass(frozen=True)
class Draw:
    token: int
    entropy: float  # nats, of the distribution after temperature/top-k/top-p
    margin: float  # relative distance to the nearest decision boundary (inf when none)


def argmax(logits: Sequence[float]) -> int:
    """Lowest index wins ties, as in the engine."""
    best, best_value = 0, -math.inf
    for i, v in enumerate(logits):
        if v > best_value:
            best_value, best = v, i
    return best


def draw_token(logits: Sequence[float], settings: SamplingSettings, rng: Xoshiro128) -> Draw:
    """Draws one token from `logits` (already cut to the image codebook, float32 values)."""
    count = len(logits)
    values = [float(v) for v in logits]
    if any(math.isnan(v) for v in values):
        raise ValueError("logits contain NaN")
    if settings.temperature == 0:
        token = argmax(values)
        rest = [v for i, v in enumerate(values) if i != token]
        gap = values[token] - max(rest) if rest else math.inf
        return Draw(token, 0.0, gap)
    p = [v / settings.temperature for v in values]
    maximum = max(p)
    margin = math.inf
    if 0 < settings.top_k < count:
        ordered = sorted(p)
        threshold = ordered[count - settings.top_k]
        # A logit just below the k-th largest would join the kept set if it moved up by this much.
        margin = min(margin, threshold - ordered[count - settings.top_k - 1]) if ordered[count - settings.top_k - 1] < threshold else 0.0
        p = [v if v >= threshold else -math.inf for v in p]
    total = 0.0
    for i in range(count):
        e = math.exp(p[i] - maximum)
        p[i] = e
        total += e
    if settings.top_p < 1:
        order = sorted(range(count), key=lambda i: (-p[i], i))
        keep = settings.top_p * total
        cumulative = 0.0
        cut = len(order)
        for r, index in enumerate(order):
            cumulative += p[index]
            if cumulative >= keep:
                cut = r + 1
                break
        margin = min(margin, abs(cumulative - keep) / total)
        for r in range(cut, len(order)):
            p[order[r]] = 0.0
        total = 0.0
        for i in range(count):
            total += p[i]
    target = rng.next_double() * total
    cumulative = 0.0
    token = -1
    last_kept = 0
    entropy = 0.0
    for i in range(count):
        w = p[i]
        if w <= 0:
            continue
        last_kept = i
        q = w / total
        entropy -= q * math.log(q)
        before = cumulative
        cumulative += w
        if token < 0 and cumulative > target:
            token = i
            margin = min(margin, (target - before) / total, (cumulative - target) / total)
    return Draw(last_kept if token < 0 else token, entropy, margin)
