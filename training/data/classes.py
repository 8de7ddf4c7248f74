"""The semantic classes of the procedural landscape dataset and their palette.

`CLASSES` has exactly the shape the bundle manifest uses (`classes: [{id, name, color}]`), so the
toolkit can copy it into a manifest unchanged. Ids are the uint8 values stored in label maps and
must stay 0..N-1 without gaps: the segmentation VQGAN one-hot encodes them into N channels.

The palette colours are for *label maps* (painting UIs, coloured label PNGs), not the rendered
image: they are chosen to be distinct at a glance and to hint at the material (sky light blue,
water deep blue, grass green, ...). Changing an id or adding a class changes what every trained
model means by its channels, so bump `RENDERER_VERSION` in `render.py` when editing this list.
"""

from __future__ import annotations

import numpy as np

CLASSES: list[dict] = [
    {"id": 0, "name": "sky", "color": "#8ecbf0"},
    {"id": 1, "name": "cloud", "color": "#d4d4dc"},
    {"id": 2, "name": "mountain", "color": "#7a74a8"},
    {"id": 3, "name": "rock", "color": "#6b5e55"},
    {"id": 4, "name": "snow", "color": "#ffffff"},
    {"id": 5, "name": "grass", "color": "#62c03c"},
    {"id": 6, "name": "forest", "color": "#1c5e2a"},
    {"id": 7, "name": "water", "color": "#1f4fc0"},
    {"id": 8, "name": "sand", "color": "#ecd48a"},
    {"id": 9, "name": "flowers", "color": "#e05cc0"},
    {"id": 10, "name": "dirt", "color": "#8b5a2b"},
]

NUM_CLASSES = len(CLASSES)
CLASS_NAMES: list[str] = [c["name"] for c in CLASSES]

# Named ids so the renderer reads as `SKY` rather than a magic 0.
SKY, CLOUD, MOUNTAIN, ROCK, SNOW, GRASS, FOREST, WATER, SAND, FLOWERS, DIRT = range(NUM_CLASSES)


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    """'#rrggbb' -> (r, g, b)."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


# uint8 (N, 3) lookup table: `PALETTE[labels]` turns a label map into a coloured image.
PALETTE: np.ndarray = np.array([hex_to_rgb(c["color"]) for c in CLASSES], dtype=np.uint8)
PALETTE.setflags(write=False)


def colourise(labels: np.ndarray) -> np.ndarray:
    """Label map (H, W) of class ids -> palette-coloured RGB image (H, W, 3) uint8."""
    return PALETTE[labels]
