"""The 182 COCO-Stuff classes the converter ships: order, names, and a fixed, distinct palette."""
from __future__ import annotations

import hashlib
import re
from itertools import combinations

from training.cocostuff import CLASS_NAMES, NUM_CLASSES, PALETTE, UNUSED_THING_IDS, cocostuff_classes, is_unused, manifest_classes


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_label_order_is_cocostuff_id_minus_one() -> None:
    assert len(CLASS_NAMES) == NUM_CLASSES == 182
    expected = {
        0: "person", 1: "bicycle", 79: "toaster", 89: "toothbrush", 90: "hair brush (unused)", 91: "banner", 95: "building-other",
        96: "bush", 105: "clouds", 118: "flower", 123: "grass", 126: "hill", 134: "mountain", 147: "river", 149: "rock",
        153: "sand", 154: "sea", 156: "sky-other", 158: "snow", 168: "tree", 177: "water-other", 181: "wood",
    }
    for label, name in expected.items():
        assert CLASS_NAMES[label] == name, label


def test_the_eleven_unused_thing_ids_are_named_and_marked() -> None:
    unused = [label for label in range(NUM_CLASSES) if is_unused(label)]
    assert len(unused) == 11 and [label + 1 for label in unused] == sorted(UNUSED_THING_IDS)
    assert all(CLASS_NAMES[label].endswith(" (unused)") for label in unused)
    assert sum(name.endswith(" (unused)") for name in CLASS_NAMES) == 11


def test_names_and_colours_are_unique_and_well_formed() -> None:
    assert len(set(CLASS_NAMES)) == NUM_CLASSES and all(1 <= len(n) <= 64 for n in CLASS_NAMES)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in PALETTE)
    assert len(set(PALETTE)) == NUM_CLASSES
    closest = min(sum((a - b) ** 2 for a, b in zip(_rgb(x), _rgb(y))) ** 0.5 for x, y in combinations(PALETTE, 2))
    assert closest >= 24  # far enough apart to tell by eye


def test_palette_and_names_are_pinned() -> None:
    # Bundles and saved label maps depend on these exact colours: change them only on purpose.
    assert hashlib.sha256(",".join(PALETTE).encode()).hexdigest() == "eb7fdc5e0a9b6df907f8cd61f5e331764a36b33055f08995227f4cb5d4b5e973"
    assert hashlib.sha256(",".join(CLASS_NAMES).encode()).hexdigest() == "d08b3735fc7143dd96a2f613118d3f29f88f8e7b26488144a359c377a236aa5b"


def test_landscape_classes_have_natural_colours() -> None:
    colour = {c.name: _rgb(c.color) for c in cocostuff_classes()}
    for blue in ("sky-other", "sea", "water-other", "river"):
        r, g, b = colour[blue]
        assert b > r and b >= g, blue
    for green in ("grass", "tree", "bush", "leaves", "hill", "moss"):
        r, g, b = colour[green]
        assert g > r and g > b, green
    for light in ("snow", "clouds"):
        assert min(colour[light]) > 200, light
    for earthy in ("sand", "dirt", "mud", "wood", "ground-other"):
        r, g, b = colour[earthy]
        assert r > b and g >= b, earthy
    for grey in ("rock", "mountain", "stone", "gravel"):
        assert max(colour[grey]) - min(colour[grey]) < 40, grey


def test_manifest_classes_shape() -> None:
    classes = manifest_classes()
    assert [c["id"] for c in classes] == list(range(NUM_CLASSES))
    assert classes[156] == {"id": 156, "name": "sky-other", "color": PALETTE[156]}
