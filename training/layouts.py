"""Reading layout (label map) images with clear errors: corrupt files, unknown colours, class ids
out of range, sizes that are not a multiple of the grid factor."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError


class LayoutError(ValueError):
    pass


def read_layout(path: str | Path, classes: list[dict[str, Any]], grid_factor: int | None = None) -> np.ndarray:
    """A (H, W) uint8 label map from a PNG: grey/palette images hold class ids directly; RGB images
    are matched exactly against the class colours (colours identify classes, see shared/manifest.ts)."""
    path = Path(path)
    if not path.is_file():
        raise LayoutError(f"layout {path} does not exist")
    try:
        with Image.open(path) as img:
            img.load()
            mode = img.mode
            data = np.asarray(img)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise LayoutError(f"layout {path} is not a readable image ({exc})") from exc
    if mode in ("L", "P", "I", "I;16"):
        labels = data.astype(np.int64)
        high = int(labels.max()) if labels.size else 0
        if high >= len(classes) or int(labels.min()) < 0:
            ys, xs = np.nonzero((labels >= len(classes)) | (labels < 0))
            raise LayoutError(f"layout {path} has class {int(labels[ys[0], xs[0]])} at x={xs[0]}, y={ys[0]}, but the model has {len(classes)} classes (ids 0..{len(classes) - 1})")
        labels = labels.astype(np.uint8)
    elif mode in ("RGB", "RGBA"):
        rgb = data[..., :3].astype(np.int64)
        packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
        lookup = {int(c["color"][1:], 16): int(c["id"]) for c in classes}
        labels = np.full(packed.shape, 255, dtype=np.uint8)
        for colour, class_id in lookup.items():
            labels[packed == colour] = class_id
        unknown = labels == 255
        if unknown.any():
            ys, xs = np.nonzero(unknown)
            raise LayoutError(
                f"layout {path} has colour #{int(packed[ys[0], xs[0]]):06x} at x={xs[0]}, y={ys[0]} that is no class colour "
                f"({int(unknown.sum())} such pixels; paint with the class colours exactly, no anti-aliasing)"
            )
    else:
        raise LayoutError(f"layout {path} has image mode {mode}; use a greyscale label map or an RGB image in class colours")
    if grid_factor is not None:
        h, w = labels.shape
        if h % grid_factor or w % grid_factor:
            raise LayoutError(f"layout {path} is {w}x{h} px, not a multiple of the grid factor {grid_factor} (try {w - w % grid_factor}x{h - h % grid_factor})")
    return labels
