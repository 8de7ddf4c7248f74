"""PNG output: per-scene example files and a preview grid (Pillow, i.e. Debian's python3-pil)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
from PIL import Image

from .classes import colourise


def example_paths(folder: Path, seed: int) -> dict[str, Path]:
    stem = f"{seed:08d}"
    return {
        "image": folder / f"{stem}_image.png",
        # Palette colours, for people to look at.
        "labels_color": folder / f"{stem}_labels_color.png",
        # One byte per pixel holding the class id (taming-transformers' segmentation format).
        "labels": folder / f"{stem}_labels.png",
    }


def write_example(folder: Path, seed: int, image: np.ndarray, labels: np.ndarray) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = example_paths(folder, seed)
    Image.fromarray(image).save(paths["image"])
    Image.fromarray(colourise(labels)).save(paths["labels_color"])
    Image.fromarray(labels).save(paths["labels"])
    return paths


def preview_grid(
    scenes: Sequence[tuple[np.ndarray, np.ndarray]], columns: int = 4, gap: int = 4
) -> np.ndarray:
    """Tile scenes as `image | coloured labels` pairs, `columns` pairs per row, on dark grey."""
    if not scenes:
        raise ValueError("no scenes to preview")
    h, w = scenes[0][1].shape
    columns = max(1, min(columns, len(scenes)))
    rows = -(-len(scenes) // columns)
    tile_w = 2 * w + gap // 2  # the pair itself is separated by a thin line
    canvas = np.full((rows * (h + gap) + gap, columns * (tile_w + gap) + gap, 3), 40, dtype=np.uint8)
    for i, (image, labels) in enumerate(scenes):
        top = gap + (i // columns) * (h + gap)
        left = gap + (i % columns) * (tile_w + gap)
        canvas[top : top + h, left : left + w] = image
        canvas[top : top + h, left + w + gap // 2 : left + 2 * w + gap // 2] = colourise(labels)
    return canvas


def write_preview(path: Path, scenes: Sequence[tuple[np.ndarray, np.ndarray]], columns: int = 4) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(preview_grid(scenes, columns)).save(path)
