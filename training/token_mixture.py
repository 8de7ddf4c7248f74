"""GPT training windows drawn from several token datasets at once (train_gpt --tokens A B --tokens-share …).

Why: a token dataset holds grids of one size, and the procedural renderer draws a whole landscape
at whatever size it is asked for. Windows cropped from 256 px scenes (32×32 tokens) show the GPT
half a landscape at 256 px scale; a 128 px layout in the studio is a whole landscape in one 16×16
window, at half that scale, which the GPT never saw. Mixing datasets rendered at several sizes
shows it both. Every source must come from the same VQGAN codebooks, so one GPT can learn from all.

Each batch is split between the sources in fixed proportions (largest remainder), so every step
sees the same mixture; each source keeps its own held-out scenes and its own class balance.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Sequence

import numpy as np
import torch

from .class_balance import ClassBalance
from .token_dataset import TokenDataset, sample_windows


@dataclass
class TokenSource:
    path: str
    tokens: TokenDataset
    share: float
    train_idx: np.ndarray
    held_idx: np.ndarray
    balance: Optional[ClassBalance]

    @property
    def label(self) -> str:
        h, w = self.tokens.grid
        return f"{h}x{w}"


def _codebooks(meta: dict[str, Any]) -> tuple[Any, ...]:
    return (
        meta.get("image_vocab"),
        meta.get("cond_vocab"),
        meta.get("grid_factor"),
        (meta.get("image_vqgan") or {}).get("codebook"),
        (meta.get("seg_vqgan") or {}).get("codebook"),
        [c["name"] if isinstance(c, dict) else c for c in meta.get("classes") or []],
    )


def batch_counts(shares: Sequence[float], batch: int) -> list[int]:
    """Windows per source in a batch of `batch`: proportional to the shares, rounded by largest
    remainder (ties to the earlier source), every source with a share > 0 getting at least one
    when the batch has room."""
    total = float(sum(shares))
    exact = [batch * s / total for s in shares]
    counts = [int(np.floor(x)) for x in exact]
    order = sorted(range(len(shares)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: batch - sum(counts)]:
        counts[i] += 1
    for i, share in enumerate(shares):
        if share > 0 and counts[i] == 0 and batch >= sum(1 for s in shares if s > 0):
            donor = max(range(len(counts)), key=lambda j: counts[j])
            counts[donor] -= 1
            counts[i] += 1
    return counts


@dataclass
class TokenMixture:
    sources: list[TokenSource]

    @property
    def meta(self) -> dict[str, Any]:
        """The first source's metadata: vocabularies and codebooks are the same in all of them."""
        return self.sources[0].tokens.meta

    @staticmethod
    def load(paths: Sequence[str | Path], shares: Optional[Sequence[float]], train: Any, window: tuple[int, int]) -> "TokenMixture":
        if not paths:
            raise ValueError("no token dataset given: pass --tokens FILE (made by python3 -m training.encode_tokens)")
        if shares is None:
            shares = [1.0] * len(paths)
        if len(shares) != len(paths):
            raise ValueError(f"--tokens-share has {len(shares)} values for {len(paths)} --tokens files: give one share per file")
        if any(not np.isfinite(s) or s <= 0 for s in shares):
            raise ValueError(f"--tokens-share values must be positive numbers, got {list(shares)}")
        if train.batch_size < len(paths):
            raise ValueError(f"a batch of {train.batch_size} windows cannot hold windows of all {len(paths)} token datasets")
        sources: list[TokenSource] = []
        for path, share in zip(paths, shares):
            tokens = TokenDataset.load(path)
            h, w = tokens.grid
            if h < window[0] or w < window[1]:
                raise ValueError(f"{path}: token grids are {h}x{w}, smaller than the {window[0]}x{window[1]} window: encode larger images")
            if sources and _codebooks(tokens.meta) != _codebooks(sources[0].tokens.meta):
                raise ValueError(
                    f"{path} was encoded with other VQGANs, vocabularies or classes than {sources[0].path}: "
                    "every --tokens file must come from the same image and segmentation VQGAN checkpoints"
                )
            train_idx, held_idx = tokens.split()
            if held_idx.size == 0:
                held_idx = train_idx
            # Class balance shapes the training batches only; each source's own class shares.
            balance = ClassBalance.for_run(tokens, path, train_idx, train)
            sources.append(TokenSource(str(path), tokens, float(share), train_idx, held_idx, balance))
        return TokenMixture(sources)

    def record(self) -> Optional[list[dict[str, Any]]]:
        """What a checkpoint records of the mixture; None for one source, so that single-dataset
        checkpoints from before mixtures still resume."""
        if len(self.sources) == 1:
            return None
        return [{"grid": source.label, "share": source.share} for source in self.sources]

    def sample(self, batch: int, rows: int, cols: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        """(cond windows, image windows, per-token weights or None) for one training batch."""
        if len(self.sources) == 1:  # the draws of single-dataset runs, unchanged
            return self._sample_source(self.sources[0], batch, rows, cols, rng)
        parts = [self._sample_source(source, count, rows, cols, rng) for source, count in zip(self.sources, batch_counts([s.share for s in self.sources], batch)) if count]
        conds, images, weights = zip(*parts)
        if all(w is None for w in weights):
            merged = None
        else:  # a source without token weights counts each token once
            merged = torch.cat([torch.ones(c.shape, dtype=torch.float32) if w is None else w for c, w in zip(conds, weights)])
        return torch.cat(conds), torch.cat(images), merged

    @staticmethod
    def _sample_source(source: TokenSource, count: int, rows: int, cols: int, rng: np.random.Generator) -> tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        if source.balance is None:
            cond, image = sample_windows(source.tokens, source.train_idx, count, rows, cols, rng)
            return cond, image, None
        return source.balance.sample(source.tokens, source.train_idx, count, rows, cols, rng)
