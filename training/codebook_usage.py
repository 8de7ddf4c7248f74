"""Codebook health: perplexity and share of codes used, measured on held-out data."""
from __future__ import annotations

import math

import numpy as np


def codebook_usage(indices: np.ndarray, n_embed: int) -> dict[str, float]:
    """`perplexity` = exp(entropy of the code histogram) (n_embed if all codes are used equally);
    `used_fraction` = share of the codebook that occurs at least once."""
    flat = np.asarray(indices).reshape(-1).astype(np.int64)
    counts = np.bincount(flat, minlength=n_embed).astype(np.float64)
    total = counts.sum()
    if total == 0:
        return {"perplexity": 0.0, "used_fraction": 0.0, "used_codes": 0.0}
    probs = counts[counts > 0] / total
    entropy = float(-(probs * np.log(probs)).sum())
    used = int((counts > 0).sum())
    return {"perplexity": math.exp(entropy), "used_fraction": used / n_embed, "used_codes": float(used)}
