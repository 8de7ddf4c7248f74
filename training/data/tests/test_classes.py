import re

import numpy as np

from training.data.classes import CLASSES, NUM_CLASSES, PALETTE, colourise, hex_to_rgb

REQUIRED = {"sky", "cloud", "mountain", "rock", "snow", "grass", "forest", "water", "sand", "flowers"}


def test_manifest_shape_ids_names_colours():
    assert 10 <= NUM_CLASSES <= 16
    assert [c["id"] for c in CLASSES] == list(range(NUM_CLASSES))
    for c in CLASSES:
        assert set(c) == {"id", "name", "color"}
        assert re.fullmatch(r"#[0-9a-f]{6}", c["color"])
    assert len({c["name"] for c in CLASSES}) == NUM_CLASSES
    assert len({c["color"] for c in CLASSES}) == NUM_CLASSES
    assert REQUIRED <= {c["name"] for c in CLASSES}


def test_palette_colours_are_readable_and_distinct():
    rgb = PALETTE.astype(float)
    d = np.sqrt(((rgb[:, None] - rgb[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    assert d.min() > 40  # painting UIs must tell every pair apart at a glance


def test_colourise_uses_palette():
    labels = np.arange(NUM_CLASSES, dtype=np.uint8).reshape(1, -1)
    coloured = colourise(labels)
    assert coloured.shape == (1, NUM_CLASSES, 3) and coloured.dtype == np.uint8
    for c in CLASSES:
        assert tuple(coloured[0, c["id"]]) == hex_to_rgb(c["color"])
