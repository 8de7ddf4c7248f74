"""Writes the example layouts shipped in assets/examples/ (label maps in the model's palette).

    /usr/bin/python3 -m training.make_examples [--out assets/examples]

Five are label maps of held-out renders (seeds from HELDOUT_SEED_START + 900_000, disjoint from the
500 held-out scenes `training/evaluate.py` measures on), one is composed by hand from simple shapes
(the kind of layout a person paints), and one is the grayscale-index form (one byte per pixel = the
class id, taming's format) of the first. Everything is deterministic.
"""
from __future__ import annotations

from . import cpu_setup  # noqa: F401

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

from .data import CLASSES, colourise, render_scene
from .data.classes import CLOUD, DIRT, FLOWERS, FOREST, GRASS, MOUNTAIN, ROCK, SAND, SKY, SNOW, WATER
from .data.generate import HELDOUT_SEED_START

EXAMPLE_SEED_BASE = HELDOUT_SEED_START + 900_000

# (file stem, seed offset, width, height)
RENDERED = [
    ("lake-mountains-256x256", 1, 256, 256),
    ("lake-meadow-512x256", 3, 512, 256),
    ("tall-valley-256x512", 14, 256, 512),
    ("snowfield-384x384", 0, 384, 384),
    ("alpine-river-512x512", 10, 512, 512),
]


def hand_composed(width: int = 384, height: int = 384) -> np.ndarray:
    """A painted-looking layout: flat sky with two clouds, a mountain with a snow cap, a forest band,
    a lake with a sand shore, a meadow with a flower patch, a dirt path and two rocks."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    u, v = x / width, y / height
    lab = np.full((height, width), SKY, dtype=np.uint8)
    for cx, cy, rx, ry in ((0.22, 0.12, 0.12, 0.04), (0.7, 0.08, 0.09, 0.03)):
        lab[((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2 <= 1] = CLOUD
    ridge = 0.42 - 0.22 * np.clip(1 - np.abs(u - 0.55) / 0.35, 0, 1) - 0.06 * np.clip(1 - np.abs(u - 0.15) / 0.2, 0, 1)
    lab[v >= ridge] = MOUNTAIN
    lab[(v >= ridge) & (v < 0.27) & (np.abs(u - 0.55) < 0.14)] = SNOW
    lab[v >= 0.42] = FOREST
    lab[v >= 0.47] = GRASS
    lake = ((u - 0.35) / 0.26) ** 2 + ((v - 0.6) / 0.08) ** 2
    lab[lake <= 1.25] = SAND
    lab[lake <= 1] = WATER
    lab[((u - 0.75) / 0.12) ** 2 + ((v - 0.82) / 0.07) ** 2 <= 1] = FLOWERS
    path = np.abs(u - (0.55 + 0.25 * (v - 0.7))) < 0.02 + 0.03 * (v - 0.7)
    lab[(v > 0.7) & path] = DIRT
    for cx, cy, r in ((0.15, 0.85, 0.035), (0.9, 0.6, 0.025)):
        lab[((u - cx) ** 2 + (v - cy) ** 2) <= r * r] = ROCK
    return lab


def main() -> int:
    p = argparse.ArgumentParser(prog="python3 -m training.make_examples")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "assets" / "examples")
    args = p.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    index = []
    first_labels = None
    for stem, offset, w, h in RENDERED:
        seed = EXAMPLE_SEED_BASE + offset
        _, labels = render_scene(seed, w, h)
        Image.fromarray(colourise(labels)).save(out / f"{stem}.png")
        index.append({"file": f"{stem}.png", "width": w, "height": h, "form": "palette", "source": f"render_scene(seed={seed}, width={w}, height={h}) label map"})
        if first_labels is None:
            first_labels = (stem, labels)
    lab = hand_composed(384, 384)
    Image.fromarray(colourise(lab)).save(out / "hand-composed-384x384.png")
    index.append({"file": "hand-composed-384x384.png", "width": 384, "height": 384, "form": "palette", "source": "training/make_examples.py hand_composed()"})
    stem, labels = first_labels
    Image.fromarray(labels, mode="L").save(out / f"{stem}-index.png")
    index.append({"file": f"{stem}-index.png", "width": labels.shape[1], "height": labels.shape[0], "form": "grayscale-index",
                  "source": f"the class ids of {stem}.png, one byte per pixel"})
    (out / "examples.json").write_text(json.dumps({"classes": CLASSES, "examples": index}, indent=2) + "\n")
    for e in index:
        print(e["file"], f"{e['width']}x{e['height']}", e["form"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
