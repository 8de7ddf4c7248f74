"""Training data: the landscape dataset folder written by training/data's CLI (images.npy,
labels.npy, meta.json), validated up front so bad data fails with a message instead of a crash
hours into a run; plus random crops for the VQGANs.

Class list: meta.json's "classes" when present, otherwise training.data.classes.CLASSES.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


class DatasetError(ValueError):
    pass


def load_classes_fallback() -> list[dict[str, Any]]:
    try:
        from .data.classes import CLASSES  # the colleague's procedural landscape classes
    except ImportError as exc:
        raise DatasetError("meta.json has no \"classes\" and training.data.classes could not be imported") from exc
    return [dict(c) for c in CLASSES]


def validate_classes(classes: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    if not classes:
        raise DatasetError(f"{where}: the class list is empty")
    out = []
    for c in classes:
        try:
            out.append({"id": int(c["id"]), "name": str(c["name"]), "color": str(c["color"]).lower()})
        except (KeyError, TypeError, ValueError) as exc:
            raise DatasetError(f"{where}: class entry {c!r} needs id, name and color") from exc
    ids = sorted(c["id"] for c in out)
    if ids != list(range(len(out))):
        raise DatasetError(f"{where}: class ids must be 0..{len(out) - 1} without gaps (got {ids})")
    return sorted(out, key=lambda c: c["id"])


def _load_npy(path: Path, what: str) -> np.ndarray:
    if not path.is_file():
        raise DatasetError(f"{what}: missing {path}")
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except Exception as exc:  # truncated, not .npy, or an object array
        raise DatasetError(f"{what}: {path} is corrupt or not a .npy array ({exc})") from exc


def check_label_values(labels: np.ndarray, num_classes: int, where: str, chunk: int = 256) -> None:
    """Finds the first label map holding a class id ≥ num_classes (in chunks: the array is memory-mapped)."""
    for start in range(0, labels.shape[0], chunk):
        block = np.asarray(labels[start : start + chunk])
        high = block.reshape(block.shape[0], -1).max(axis=1)
        bad = np.nonzero(high >= num_classes)[0]
        if bad.size:
            index = start + int(bad[0])
            raise DatasetError(
                f"{where}: label map {index} contains class {int(high[bad[0]])}, but the dataset has {num_classes} classes (ids 0..{num_classes - 1})"
            )


@dataclass
class LandscapeDataset:
    images: np.ndarray  # (N, H, W, 3) uint8
    labels: np.ndarray  # (N, H, W) uint8
    classes: list[dict[str, Any]]
    meta: dict[str, Any]
    root: Path

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    def __len__(self) -> int:
        return int(self.images.shape[0])

    @staticmethod
    def load(root: str | Path) -> "LandscapeDataset":
        root = Path(root)
        if not root.is_dir():
            raise DatasetError(f"dataset folder {root} does not exist")
        meta_path = root / "meta.json"
        if not meta_path.is_file():
            # training.data writes meta.json last: without it the folder is not (yet) a complete dataset.
            raise DatasetError(f"{meta_path} not found: not a dataset folder, or its generation did not finish")
        try:
            meta = json.loads(meta_path.read_text())
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{meta_path} is not valid JSON ({exc})") from exc
        classes = validate_classes(meta["classes"], str(meta_path)) if meta.get("classes") else validate_classes(load_classes_fallback(), "training.data.classes")
        images = _load_npy(root / "images.npy", str(root))
        labels = _load_npy(root / "labels.npy", str(root))
        if images.dtype != np.uint8 or images.ndim != 4 or images.shape[-1] != 3:
            raise DatasetError(f"{root}/images.npy must be uint8 (N, H, W, 3); got {images.dtype} {images.shape}")
        if labels.dtype != np.uint8 or labels.ndim != 3:
            raise DatasetError(f"{root}/labels.npy must be uint8 (N, H, W); got {labels.dtype} {labels.shape}")
        if images.shape[:3] != labels.shape:
            raise DatasetError(f"{root}: images {images.shape[:3]} and labels {labels.shape} do not match")
        if images.shape[0] == 0:
            raise DatasetError(f"{root}: the dataset is empty")
        check_label_values(labels, len(classes), f"{root}/labels.npy")
        return LandscapeDataset(images, labels, classes, meta, root)

    def split(self, holdout_fraction: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
        """(train indices, held-out indices): the last images are held out, at least one when N > 1."""
        n = len(self)
        held = max(1, int(round(n * holdout_fraction))) if n > 1 else 0
        return np.arange(n - held), np.arange(n - held, n)


def random_crops(
    dataset: LandscapeDataset, indices: np.ndarray, batch: int, crop: int, rng: np.random.Generator, flip: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Aligned image/label crops: (B, crop, crop, 3) uint8 and (B, crop, crop) uint8."""
    _, height, width = dataset.labels.shape
    if crop > height or crop > width:
        raise DatasetError(f"crop {crop} is larger than the dataset images ({width}x{height})")
    picks = rng.choice(indices, size=batch)
    tops = rng.integers(0, height - crop + 1, size=batch)
    lefts = rng.integers(0, width - crop + 1, size=batch)
    flips = rng.random(batch) < 0.5 if flip else np.zeros(batch, dtype=bool)
    images = np.empty((batch, crop, crop, 3), dtype=np.uint8)
    labels = np.empty((batch, crop, crop), dtype=np.uint8)
    for b in range(batch):
        i, t, l = int(picks[b]), int(tops[b]), int(lefts[b])
        img = np.asarray(dataset.images[i, t : t + crop, l : l + crop])
        lab = np.asarray(dataset.labels[i, t : t + crop, l : l + crop])
        if flips[b]:  # landscapes are left-right symmetric; never flip vertically (sky is up)
            img, lab = img[:, ::-1], lab[:, ::-1]
        images[b], labels[b] = img, lab
    return images, labels


def images_to_tensor_range(images: np.ndarray) -> "np.ndarray":
    """uint8 (B, H, W, 3) → float32 (B, 3, H, W) in [-1, 1], the VQGAN convention."""
    return (images.astype(np.float32) / 127.5 - 1.0).transpose(0, 3, 1, 2).copy()
