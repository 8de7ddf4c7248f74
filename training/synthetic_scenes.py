"""Tiny synthetic layouts and images for tests and the fixture bundle, independent of
training/data (which may change): horizontal bands plus a few blobs, coloured by class."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

FIXTURE_CLASSES: list[dict[str, Any]] = [
    {"id": 0, "name": "fixture-sky", "color": "#7fb2e5"},
    {"id": 1, "name": "fixture-mountain", "color": "#8a7f70"},
    {"id": 2, "name": "fixture-grass", "color": "#5fa845"},
    {"id": 3, "name": "fixture-water", "color": "#2f5fa0"},
    {"id": 4, "name": "fixture-rock", "color": "#d0d0c0"},
]


def synthetic_classes(n: int) -> list[dict[str, Any]]:
    if n <= len(FIXTURE_CLASSES):
        return [dict(c) for c in FIXTURE_CLASSES[:n]]
    extra = [{"id": i, "name": f"fixture-class-{i}", "color": f"#{(i * 2654435761) & 0xFFFFFF:06x}"} for i in range(len(FIXTURE_CLASSES), n)]
    return [dict(c) for c in FIXTURE_CLASSES] + extra


def synthetic_layout(seed: int, height: int, width: int, num_classes: int) -> np.ndarray:
    """A uint8 (H, W) label map: 2-4 wavy horizontal bands and 0-3 elliptical blobs."""
    rng = np.random.default_rng(seed)
    rows = np.arange(height)[:, None]
    cols = np.arange(width)[None, :]
    labels = np.zeros((height, width), dtype=np.uint8)
    bands = int(rng.integers(2, 5))
    edges = np.sort(rng.uniform(0.15, 0.9, size=bands - 1)) * height
    band_classes = rng.integers(0, num_classes, size=bands)
    for b in range(bands):
        phase, amp = rng.uniform(0, 6.3), rng.uniform(0, height / 12)
        top = edges[b - 1] + amp * np.sin(cols / max(width, 1) * 6.3 + phase) if b > 0 else -1
        labels = np.where(rows >= top, band_classes[b], labels).astype(np.uint8)
    for _ in range(int(rng.integers(0, 4))):
        cy, cx = rng.uniform(0, height), rng.uniform(0, width)
        ry, rx = rng.uniform(2, height / 4 + 2), rng.uniform(2, width / 4 + 2)
        inside = ((rows - cy) / ry) ** 2 + ((cols - cx) / rx) ** 2 <= 1
        labels = np.where(inside, rng.integers(0, num_classes), labels).astype(np.uint8)
    return labels


def synthetic_image(labels: np.ndarray, classes: list[dict[str, Any]], seed: int) -> np.ndarray:
    """Class colour + vertical shading + noise, uint8 (H, W, 3)."""
    rng = np.random.default_rng(seed + 7919)
    palette = np.array([[int(c["color"][i : i + 2], 16) for i in (1, 3, 5)] for c in classes], dtype=np.float32)
    img = palette[labels]
    shade = np.linspace(-20, 20, labels.shape[0], dtype=np.float32)[:, None, None]
    img = img + shade + rng.normal(0, 8, size=img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def write_synthetic_dataset(root: str | Path, count: int, height: int, width: int, num_classes: int, seed: int = 0) -> Path:
    """Writes images.npy / labels.npy / meta.json in the layout training/data's CLI produces."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    classes = synthetic_classes(num_classes)
    labels = np.stack([synthetic_layout(seed + i, height, width, num_classes) for i in range(count)])
    images = np.stack([synthetic_image(labels[i], classes, seed + i) for i in range(count)])
    np.save(root / "images.npy", images)
    np.save(root / "labels.npy", labels)
    (root / "meta.json").write_text(json.dumps({"generator": "training.synthetic_scenes", "count": count, "width": width, "height": height, "classes": classes}, indent=1))
    return root
