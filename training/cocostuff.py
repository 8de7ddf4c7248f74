"""The 182 COCO-Stuff classes of the S-FLCKR segmentation model, in label order, with a fixed palette.

Label value = COCO-Stuff category id − 1, as written by the DeepLab-v2 (cocostuff164k) masks that
taming's S-FLCKR model was trained on. There is no "unlabeled" class: the masks have none.

* 0..90 are the COCO "thing" ids 1..91. Eleven of those ids were never used by COCO (12 street sign,
  26 hat, 29 shoe, 30 eye glasses, 45 plate, 66 mirror, 68 window, 69 desk, 71 door, 83 blender,
  91 hair brush). The model still has a channel for each, which no training mask ever set, so they
  keep COCO's original name with the suffix " (unused)": the name stays unique (the manifest
  requires that), says what the slot was, and tells a UI to hide it. Note that toothbrush is label
  89 (id 90) and label 90 is the unused hair brush (id 91).
* 91..181 are the stuff ids 92..182, banner … wood.

The palette is deterministic and fixed: landscape classes (the ones S-FLCKR's masks are made of)
get natural colours chosen by hand; every other class gets a colour from a fixed golden-ratio hue
walk that skips anything too close to a colour already taken, so all 182 are distinct and
distinguishable. `tests/test_convert_cocostuff.py` pins the result, so a change is deliberate.
"""

from __future__ import annotations

import colorsys
from typing import NamedTuple

# COCO-Stuff ids 1..182 in order (label = id − 1).
_THING_NAMES: tuple[str, ...] = (
    "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light",
    "fire hydrant", "street sign", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse", "sheep",
    "cow", "elephant", "bear", "zebra", "giraffe", "hat", "backpack", "umbrella", "shoe", "eye glasses",
    "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove",
    "skateboard", "surfboard", "tennis racket", "bottle", "plate", "wine glass", "cup", "fork", "knife", "spoon",
    "bowl", "banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut",
    "cake", "chair", "couch", "potted plant", "bed", "mirror", "dining table", "window", "desk", "toilet",
    "door", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone", "microwave", "oven", "toaster",
    "sink", "refrigerator", "blender", "book", "clock", "vase", "scissors", "teddy bear", "hair drier", "toothbrush",
    "hair brush",
)
_STUFF_NAMES: tuple[str, ...] = (
    "banner", "blanket", "branch", "bridge", "building-other", "bush", "cabinet", "cage", "cardboard", "carpet",
    "ceiling-other", "ceiling-tile", "cloth", "clothes", "clouds", "counter", "cupboard", "curtain", "desk-stuff", "dirt",
    "door-stuff", "fence", "floor-marble", "floor-other", "floor-stone", "floor-tile", "floor-wood", "flower", "fog", "food-other",
    "fruit", "furniture-other", "grass", "gravel", "ground-other", "hill", "house", "leaves", "light", "mat",
    "metal", "mirror-stuff", "moss", "mountain", "mud", "napkin", "net", "paper", "pavement", "pillow",
    "plant-other", "plastic", "platform", "playingfield", "railing", "railroad", "river", "road", "rock", "roof",
    "rug", "salad", "sand", "sea", "shelf", "sky-other", "skyscraper", "snow", "solid-other", "stairs",
    "stone", "straw", "structural-other", "table", "tent", "textile-other", "towel", "tree", "vegetable", "wall-brick",
    "wall-concrete", "wall-other", "wall-panel", "wall-stone", "wall-tile", "wall-wood", "water-other", "waterdrops", "window-blind", "window-other",
    "wood",
)

# COCO category ids that COCO defined but never annotated.
UNUSED_THING_IDS: frozenset[int] = frozenset({12, 26, 29, 30, 45, 66, 68, 69, 71, 83, 91})
UNUSED_SUFFIX = " (unused)"

NUM_CLASSES = 182


def _names() -> tuple[str, ...]:
    names = []
    for index, name in enumerate(_THING_NAMES + _STUFF_NAMES):
        coco_id = index + 1
        names.append(name + UNUSED_SUFFIX if coco_id in UNUSED_THING_IDS else name)
    return tuple(names)


CLASS_NAMES: tuple[str, ...] = _names()

# Hand-picked natural colours for what landscapes are made of (and a few common neighbours).
_NATURAL_COLOURS: dict[str, str] = {
    "sky-other": "#87ceeb",
    "clouds": "#dfe6ee",
    "fog": "#b9c0c8",
    "mountain": "#7a6a5e",
    "hill": "#8fa35b",
    "rock": "#8c8680",
    "stone": "#a89f92",
    "sea": "#1e5b8c",
    "water-other": "#3f8fc9",
    "river": "#4aa3b5",
    "waterdrops": "#a9d9f2",
    "snow": "#fafcff",
    "sand": "#e2cd98",
    "dirt": "#8b6842",
    "mud": "#5b4330",
    "gravel": "#c4baa5",
    "ground-other": "#a07f5a",
    "grass": "#5ea83a",
    "playingfield": "#3f8f46",
    "moss": "#6c8a32",
    "tree": "#2d6a29",
    "bush": "#4b7a30",
    "leaves": "#7cbf45",
    "plant-other": "#69a05a",
    "flower": "#e05a9f",
    "branch": "#3e2f1c",
    "wood": "#b47c44",
    "straw": "#d9c06c",
    "house": "#b8664e",
    "roof": "#8a3a2b",
    "building-other": "#9e9ea8",
    "skyscraper": "#63788c",
    "road": "#575757",
    "pavement": "#85899c",
    "person": "#dc143c",
}

# Minimum Euclidean RGB distance between any two palette colours: far enough apart to tell by eye.
_MIN_DISTANCE = 24.0


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    return float(sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5)


def _palette() -> tuple[str, ...]:
    taken: list[tuple[int, int, int]] = [_rgb(c) for c in _NATURAL_COLOURS.values()]
    colours: list[str] = []
    # A golden-ratio hue walk over three saturation/value tiers: neighbours in label order get far
    # apart hues, and the tiers give room for 182 distinct colours.
    tiers = ((0.75, 0.90), (0.50, 0.70), (0.90, 0.60), (0.35, 0.95), (0.65, 0.45), (1.00, 0.85), (0.25, 0.60), (0.80, 0.30))
    step = 0
    for name in CLASS_NAMES:
        chosen = _NATURAL_COLOURS.get(name)
        if chosen is None:
            while True:
                if step > 100_000:
                    raise RuntimeError("palette: no room left for another distinct colour; lower _MIN_DISTANCE")
                hue = (step * 0.6180339887498949) % 1.0
                saturation, value = tiers[step % len(tiers)]
                step += 1
                r, g, b = colorsys.hsv_to_rgb(hue, saturation, value)
                candidate = (round(r * 255), round(g * 255), round(b * 255))
                if all(_distance(candidate, other) >= _MIN_DISTANCE for other in taken):
                    break
            taken.append(candidate)
            chosen = _hex(candidate)
        colours.append(chosen)
    return tuple(colours)


PALETTE: tuple[str, ...] = _palette()


class CocoStuffClass(NamedTuple):
    id: int  # the label value (COCO-Stuff id − 1)
    name: str
    color: str  # #rrggbb


def is_unused(label: int) -> bool:
    """Whether a label is one of the 11 COCO thing ids that no mask ever contains."""
    return (label + 1) in UNUSED_THING_IDS


def cocostuff_classes() -> list[CocoStuffClass]:
    """All 182 classes in label order."""
    return [CocoStuffClass(i, name, PALETTE[i]) for i, name in enumerate(CLASS_NAMES)]


def manifest_classes() -> list[dict[str, object]]:
    """The classes as the bundle manifest's `classes` array wants them."""
    return [{"id": c.id, "name": c.name, "color": c.color} for c in cocostuff_classes()]


assert len(CLASS_NAMES) == NUM_CLASSES, len(CLASS_NAMES)
