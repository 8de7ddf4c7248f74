"""Painted-style layouts (training/data/painted.py and painted_shapes.py)."""

import re
import time
from pathlib import Path

import numpy as np
import pytest

from training.data.classes import CLASS_NAMES, DIRT, FLOWERS, MOUNTAIN, NUM_CLASSES, ROCK, SNOW
from training.data.painted import (
    MAX_SIDE,
    MIN_SIDE,
    STUDIO_PRESETS,
    TOKEN_PX,
    draw_canvas_size,
    painted_layout,
    painted_scene,
    studio_sizes,
)
from training.data.painted_shapes import ellipse, polygon, rectangle, stroke
from training.data.render import render_from_layout

REPO = Path(__file__).resolve().parents[3]
COVERAGE_SEEDS = range(300)


@pytest.fixture(scope="module")
def layouts():
    # 128 px keeps the 300 layouts quick; shapes are drawn relative to the canvas.
    return [painted_layout(seed, 128, 128) for seed in COVERAGE_SEEDS]


def test_same_seed_same_layout_and_scene():
    assert np.array_equal(painted_layout(77, 256, 256), painted_layout(77, 256, 256))
    a_img, a_lab = painted_scene(77, 192, 128)
    b_img, b_lab = painted_scene(77, 192, 128)
    assert np.array_equal(a_img, b_img) and np.array_equal(a_lab, b_lab)
    assert np.array_equal(a_lab, painted_layout(77, 192, 128))
    assert np.array_equal(a_img, render_from_layout(a_lab, 77))


def test_different_seeds_differ():
    maps = [painted_layout(s, 128, 128) for s in range(20)]
    distinct = {m.tobytes() for m in maps}
    assert len(distinct) >= 19  # a rare pair of single-class canvases of the same class may coincide


def test_types_shapes_and_label_range(layouts):
    for labels in layouts:
        assert labels.shape == (128, 128) and labels.dtype == np.uint8
        assert labels.max() < NUM_CLASSES


@pytest.mark.parametrize("width,height", [(1024, 128), (128, 1024), (1024, 1024), (48, 64), (16, 16)])
def test_any_size(width, height):
    labels = painted_layout(3, width, height)
    assert labels.shape == (height, width) and labels.max() < NUM_CLASSES


def test_every_class_appears_often_and_weak_ones_more(layouts):
    present = np.zeros(NUM_CLASSES)
    for labels in layouts:
        present += np.bincount(labels.reshape(-1), minlength=NUM_CLASSES) > 0
    share = present / len(layouts)
    rare = {CLASS_NAMES[c]: round(share[c], 2) for c in range(NUM_CLASSES) if share[c] < 0.15}
    assert not rare, f"classes in under 15 % of painted layouts: {rare}"
    weak = {CLASS_NAMES[c]: round(share[c], 2) for c in (ROCK, SNOW, DIRT, FLOWERS, MOUNTAIN)}
    assert min(weak.values()) >= 0.3, f"the model's weak classes should appear in at least 30 % of layouts: {weak}"


def test_few_classes_per_layout_and_single_class_canvases(layouts):
    counts = np.array([len(np.unique(labels)) for labels in layouts])
    assert (counts == 1).mean() > 0.03  # "just one" class happens
    assert np.median(counts) <= 5  # people paint a few classes, not the composer's dozen patches


def test_hard_edges_make_flat_regions(layouts):
    """Painted regions are large and flat: far fewer class changes between neighbours than the
    composer's noisy outlines (0.045 of neighbour pairs at 128 px; painted ones 0.014)."""
    changes = np.mean([np.mean(l[:, 1:] != l[:, :-1]) + np.mean(l[1:] != l[:-1]) for l in layouts]) / 2
    assert changes < 0.03


def test_studio_presets_match_the_canvas_menu():
    source = (REPO / "renderer" / "src" / "panels" / "CanvasHeader.tsx").read_text()
    block = re.search(r"CANVAS_PRESETS[^=]*=\s*\[(.*?)\];", source, re.S)
    assert block, "CANVAS_PRESETS not found in CanvasHeader.tsx"
    found = [(int(w), int(h)) for w, h in re.findall(r"width:\s*(\d+),\s*height:\s*(\d+)", block.group(1))]
    assert tuple(found) == STUDIO_PRESETS


def test_canvas_sizes_are_on_the_token_grid_and_cover_every_shape():
    rng = np.random.default_rng(0)
    sizes = [draw_canvas_size(rng) for _ in range(2000)]
    for w, h in sizes:
        assert w % TOKEN_PX == 0 and h % TOKEN_PX == 0
        assert MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE
    assert any(w == h for w, h in sizes) and any(w > h for w, h in sizes) and any(w < h for w, h in sizes)
    assert set(STUDIO_PRESETS) <= set(sizes)  # every menu preset is drawn
    assert len(set(sizes)) > 300  # and custom sizes of the whole grid
    assert set(sizes) <= set(studio_sizes())
    oblong = [draw_canvas_size(rng, max_side=512, shapes="oblong") for _ in range(300)]
    assert all(w != h and max(w, h) <= 512 for w, h in oblong)


def test_bad_arguments():
    with pytest.raises(ValueError, match="seed"):
        painted_layout(-1, 128, 128)
    with pytest.raises(ValueError, match="width"):
        painted_layout(1, 8, 128)
    with pytest.raises(ValueError, match="max_side"):
        draw_canvas_size(np.random.default_rng(0), max_side=500)
    with pytest.raises(ValueError, match="shapes"):
        draw_canvas_size(np.random.default_rng(0), shapes="round")


def test_fast_enough_for_training_sets():
    """At least 200 layouts/s at 256 px, counted in CPU time so a busy machine does not fail it."""
    started = time.process_time()
    for seed in range(100):
        painted_layout(seed, 256, 256)
    assert 100 / (time.process_time() - started) >= 200


# ------------------------------------------------------------------------------- tool shapes
def test_rectangle_covers_exactly_its_pixels_clipped():
    labels = np.zeros((8, 8), np.uint8)
    rectangle(labels, 2, 3, 5, 10, 4)
    assert labels.sum() == 4 * 3 * 5 and labels[3:8, 2:5].min() == 4


def test_stroke_has_round_caps_and_its_width():
    labels = np.zeros((64, 64), np.uint8)
    stroke(labels, np.array([(16.0, 32.0), (48.0, 32.0)]), 20, 1)
    cols = labels.sum(axis=0)
    assert cols[32] == 20  # full width in the middle
    assert 0 < cols[6] < 10 and cols[5] == 0  # the cap rounds off 10 px beyond the end point (x = 16)
    assert labels.sum() == pytest.approx(32 * 20 + np.pi * 10**2, rel=0.05)


def test_ellipse_and_polygon_areas():
    labels = np.zeros((100, 100), np.uint8)
    ellipse(labels, 50, 50, 30, 15, 1)
    assert labels.sum() == pytest.approx(np.pi * 30 * 15, rel=0.03)
    labels[:] = 0
    polygon(labels, np.array([(10.0, 90.0), (50.0, 10.0), (90.0, 90.0)]), 1)
    assert labels.sum() == pytest.approx(0.5 * 80 * 80, rel=0.03)
    labels[:] = 0
    # A non-convex polygon (an L) is filled by the even-odd rule, its notch left empty.
    polygon(labels, np.array([(0.0, 0.0), (60.0, 0.0), (60.0, 20.0), (20.0, 20.0), (20.0, 60.0), (0.0, 60.0)]), 1)
    assert labels.sum() == 60 * 20 + 20 * 40 and labels[40, 40] == 0
