"""Class-balanced GPT training (train.class_balanced_fraction and train.class_weight_power).

Layout fidelity is a mean IoU over classes, so a class that covers 1 % of the token cells (rock in
the procedural landscapes) weighs as much as sky at 30 %. Trained on plain random windows with
plain cross-entropy, the GPT spends little of its capacity on rare classes, and its samples get
them wrong most (2.0.0: rock IoU 0.13, sky 0.90). Two levers, usable together:
- anchored windows: a share of the windows are drawn by class (a class uniformly, then a cell of
  it, then a window holding the cell), the rare-class sampling of segmentation training. With
  16x16 windows on 32x32 grids this moves exposure only ~2x, since windows are large;
- token weights: each image token's loss term is scaled by its cell's class share**-power.
Both depend only on the layout, which the GPT sees as its condition, so the best model for each
condition stays the same; only where the capacity and the gradient go moves.

Each token cell's class is the majority label of its f×f pixels, stored in tokens.npz as
`cell_classes` (training.encode_tokens writes it; `python3 -m training.class_balance` adds it to a
token file made before).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import numpy as np
import torch

from .token_dataset import TokenDataset, WindowPositions, crop_windows, window_positions


def cell_classes(labels: np.ndarray, factor: int, num_classes: int, chunk: int = 256) -> np.ndarray:
    """(N, H, W) label maps → (N, H/f, W/f) uint8: each f×f cell's most frequent class (lowest id on ties)."""
    n, height, width = labels.shape
    h, w = height // factor, width // factor
    out = np.empty((n, h, w), dtype=np.uint8)
    for start in range(0, n, chunk):
        block = np.asarray(labels[start : start + chunk, : h * factor, : w * factor])
        cells = block.reshape(len(block), h, factor, w, factor)
        counts = np.stack([(cells == c).sum(axis=(2, 4)) for c in range(num_classes)], axis=1)
        out[start : start + len(block)] = counts.argmax(axis=1)
    return out


@dataclass
class ClassAnchors:
    """For every class present, the flat (scene, row, col) indices of its cells in the given scenes."""

    by_class: list[np.ndarray]  # one int64 array per class that has cells
    grid: tuple[int, int]

    @staticmethod
    def build(classes: np.ndarray, indices: np.ndarray) -> "ClassAnchors":
        n, h, w = classes.shape
        chosen = np.zeros(n, dtype=bool)
        chosen[indices] = True
        flat = classes.reshape(-1)
        in_scenes = np.repeat(chosen, h * w)
        by_class = [np.flatnonzero((flat == c) & in_scenes) for c in np.unique(flat[in_scenes])]
        return ClassAnchors(by_class, (h, w))

    def positions(self, count: int, rows: int, cols: int, rng: np.random.Generator) -> WindowPositions:
        """(scenes, tops, lefts) of `count` windows, each holding a cell of a uniformly drawn class."""
        h, w = self.grid
        klass = rng.integers(0, len(self.by_class), size=count)
        cells = np.array([self.by_class[k][rng.integers(0, len(self.by_class[k]))] for k in klass], dtype=np.int64)
        scenes, rest = np.divmod(cells, h * w)
        r, c = np.divmod(rest, w)
        # Any window position that still contains the cell, uniformly.
        tops = rng.integers(np.maximum(0, r - rows + 1), np.minimum(r, h - rows) + 1)
        lefts = rng.integers(np.maximum(0, c - cols + 1), np.minimum(c, w - cols) + 1)
        return scenes, tops, lefts


def require_cell_classes(tokens: TokenDataset, tokens_path: str | Path) -> np.ndarray:
    if tokens.cell_classes is None:
        raise ValueError(
            f"{tokens_path} has no cell classes, which class-balanced training (train.class_balanced_fraction, train.class_weight_power) needs: add them with "
            f"python3 -m training.class_balance --tokens {tokens_path} --data <the dataset it was encoded from>"
        )
    return tokens.cell_classes


def balanced_positions(
    tokens: TokenDataset, indices: np.ndarray, anchors: ClassAnchors, fraction: float, batch: int, rows: int, cols: int, rng: np.random.Generator
) -> WindowPositions:
    """Window positions as token_dataset.window_positions draws them, but a `fraction` of them
    class-anchored."""
    scenes, tops, lefts = window_positions(tokens, indices, batch, rows, cols, rng)
    anchored = rng.random(batch) < fraction
    count = int(anchored.sum())
    if count:
        scenes[anchored], tops[anchored], lefts[anchored] = anchors.positions(count, rows, cols, rng)
    return scenes, tops, lefts


def class_token_weights(classes: np.ndarray, indices: np.ndarray, num_classes: int, power: float) -> np.ndarray:
    """Per-class loss weights share**-power (0: plain cross-entropy, 1: every class weighs the
    same in total), scaled so that the average token of the given scenes weighs 1. Classes with no
    cells get 0."""
    share = np.bincount(classes[indices].reshape(-1), minlength=num_classes)[:num_classes] / classes[indices].size
    weights = np.zeros(num_classes, dtype=np.float64)
    present = share > 0
    weights[present] = share[present] ** -power
    return (weights / float((share * weights).sum())).astype(np.float32)


@dataclass
class ClassBalance:
    """What a GPT run with class balance switched on draws its batches with."""

    anchors: Optional[ClassAnchors]
    fraction: float
    weights: Optional[np.ndarray]  # per class
    classes: np.ndarray

    @staticmethod
    def for_run(tokens: TokenDataset, tokens_path: str | Path, indices: np.ndarray, train: Any) -> Optional["ClassBalance"]:
        """None when the run's config switches neither lever on."""
        if train.class_balanced_fraction <= 0 and train.class_weight_power <= 0:
            return None
        classes = require_cell_classes(tokens, tokens_path)
        num_classes = len(tokens.meta.get("classes") or []) or int(classes.max()) + 1
        return ClassBalance(
            ClassAnchors.build(classes, indices) if train.class_balanced_fraction > 0 else None,
            float(train.class_balanced_fraction),
            class_token_weights(classes, indices, num_classes, train.class_weight_power) if train.class_weight_power > 0 else None,
            classes,
        )

    def sample(
        self, tokens: TokenDataset, indices: np.ndarray, batch: int, rows: int, cols: int, rng: np.random.Generator
    ) -> tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        """(cond windows, image windows, per-token loss weights or None)."""
        if self.anchors is None:
            positions = window_positions(tokens, indices, batch, rows, cols, rng)
        else:
            positions = balanced_positions(tokens, indices, self.anchors, self.fraction, batch, rows, cols, rng)
        cond = torch.from_numpy(crop_windows(tokens.cond_tokens, positions, rows, cols))
        image = torch.from_numpy(crop_windows(tokens.image_tokens, positions, rows, cols))
        weights = None if self.weights is None else torch.from_numpy(self.weights[crop_windows(self.classes, positions, rows, cols)])
        return cond, image, weights


def add_cell_classes(tokens_path: str | Path, data: str | Path) -> TokenDataset:
    """Adds `cell_classes` to a token file from the dataset it was encoded from (its first N scenes)."""
    from .datasets import LandscapeDataset

    tokens = TokenDataset.load(tokens_path)
    dataset = LandscapeDataset.load(data)
    n, h, w = tokens.image_tokens.shape
    factor = int(tokens.meta["grid_factor"])
    if len(dataset) < n or dataset.labels.shape[1] // factor != h or dataset.labels.shape[2] // factor != w:
        raise ValueError(
            f"{data} ({len(dataset)} scenes of {dataset.labels.shape[2]}x{dataset.labels.shape[1]} px) cannot be the dataset "
            f"{tokens_path} was encoded from ({n} scenes of {w}x{h} tokens at f{factor})"
        )
    if tokens.meta.get("classes") and [c["name"] for c in tokens.meta["classes"]] != [c["name"] for c in dataset.classes]:
        raise ValueError(f"{data} has other classes than {tokens_path} was encoded with")
    tokens.cell_classes = cell_classes(dataset.labels[:n], factor, dataset.num_classes)
    tokens.save(tokens_path)
    return tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m training.class_balance", description="Add per-token-cell classes to a tokens.npz made before encode_tokens wrote them.")
    parser.add_argument("--tokens", required=True, help="token dataset (.npz) to update in place (atomically)")
    parser.add_argument("--data", required=True, help="the procedural dataset folder the tokens were encoded from")
    parser.add_argument("--if-missing", action="store_true", help="leave a token file that already has cell classes as it is")
    args = parser.parse_args(argv)
    try:
        if args.if_missing and TokenDataset.load(args.tokens).cell_classes is not None:
            print(f"{args.tokens} already has cell classes")
            return 0
        tokens = add_cell_classes(args.tokens, args.data)
    except (ValueError, FileNotFoundError) as exc:
        parser.exit(2, f"error: {exc}\n")
    share = np.bincount(tokens.cell_classes.reshape(-1), minlength=len(tokens.meta.get("classes") or [])) / tokens.cell_classes.size
    names = [c["name"] for c in tokens.meta.get("classes") or []] or [str(i) for i in range(len(share))]
    print(f"cell classes added to {args.tokens}: " + ", ".join(f"{name} {100 * s:.1f}%" for name, s in zip(names, share)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
