"""Rendering label maps the composer did not make (render.render_from_layout, label_fields.py)."""

import numpy as np
import pytest

from training.data.classes import CLASS_NAMES, GRASS, MOUNTAIN, NUM_CLASSES, ROCK, SAND, SKY, WATER
from training.data.label_fields import estimate_horizon, run_bounds, soft_interior
from training.data.render import render_from_layout, render_scene


def _features(image: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per sampled pixel: the 5x5 mean colour and local roughness (a texture's grain), and its class.

    A nearest-class-mean rule on these is a crude stand-in for the judge: it says whether a
    class looks like itself, colour and grain, wherever it is painted."""
    img = image.astype(np.float32)
    H, W = labels.shape
    pad = np.pad(img, ((2, 2), (2, 2), (0, 0)), mode="edge")
    windows = [pad[dy : dy + H, dx : dx + W] for dy in range(5) for dx in range(5)]
    mean = sum(windows) / 25
    spread = np.sqrt(np.maximum(sum(w * w for w in windows) / 25 - mean * mean, 0)).mean(-1, keepdims=True)
    feats = np.concatenate([mean, 2 * spread], -1)
    return feats[2::4, 2::4].reshape(-1, 4), labels[2::4, 2::4].reshape(-1)


def _table(scenes):
    parts = [_features(image, labels) for image, labels in scenes]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


@pytest.fixture(scope="module")
def class_means():
    x, y = _table(render_scene(seed, 128, 128) for seed in range(24))
    return np.stack([x[y == c].mean(0) for c in range(NUM_CLASSES)])


def _accuracy(class_means, scenes) -> np.ndarray:
    x, y = _table(scenes)
    pred = np.argmin(((x[:, None] - class_means[None]) ** 2).sum(-1), axis=1)
    return np.array([np.mean(pred[y == c] == c) if (y == c).any() else np.nan for c in range(NUM_CLASSES)])


def _unusual_layout(k: int) -> np.ndarray:
    """Every class takes every role over k = 0..10: top band, middle band, a block, bottom band
    (so water lies above mountains, flowers above sky, a rock block in snow...)."""
    labels = np.empty((128, 128), np.uint8)
    labels[:40] = k
    labels[40:88] = (k + 3) % NUM_CLASSES
    labels[52:80, 20:70] = (k + 6) % NUM_CLASSES
    labels[88:] = (k + 8) % NUM_CLASSES
    return labels


def test_every_class_keeps_its_texture_wherever_it_is_painted(class_means):
    procedural = _accuracy(class_means, [render_scene(seed, 128, 128) for seed in range(100, 116)])
    scenes = [(render_from_layout(_unusual_layout(k), seed), _unusual_layout(k)) for k in range(NUM_CLASSES) for seed in (1, 2)]
    painted = _accuracy(class_means, scenes)
    worse = {CLASS_NAMES[c]: (round(painted[c], 2), round(procedural[c], 2)) for c in range(NUM_CLASSES) if painted[c] < 0.6 * procedural[c]}
    assert not worse, f"classes that no longer look like themselves when painted out of place (painted, procedural): {worse}"


def test_water_above_mountains_is_still_water():
    labels = np.full((128, 128), GRASS, np.uint8)
    labels[:48] = WATER
    labels[48:96] = MOUNTAIN
    image = render_from_layout(labels, 3).astype(np.float32)
    water = image[:48].reshape(-1, 3)
    r, g, b = water.mean(0)
    assert b > r + 40 and b > g + 10  # deep blue, not the black of unpainted pixels or grey rock
    assert water.min(0).max() > 0 and water.std(0).mean() > 5  # textured (ripples), nothing left black
    # Ripples are horizontal streaks: colour changes faster down a column than along a row.
    assert np.abs(np.diff(image[:48], axis=0)).mean() > np.abs(np.diff(image[:48], axis=1)).mean()


def test_a_lone_rock_in_sand_is_a_shaded_boulder():
    labels = np.full((128, 128), SAND, np.uint8)
    yy, xx = np.mgrid[:128, :128]
    labels[((yy - 64) / 20.0) ** 2 + ((xx - 64) / 30.0) ** 2 <= 1] = ROCK
    image = render_from_layout(labels, 5).astype(np.float32).mean(-1)
    rock = labels == ROCK
    # Lit from the upper left: its upper-left half is brighter than its lower-right half.
    upper_left = rock & (yy + xx < 128)
    lower_right = rock & (yy + xx >= 128)
    assert image[upper_left].mean() > image[lower_right].mean() + 5


def test_procedural_and_odd_label_maps_render_deterministically():
    _, labels = render_scene(8, 96, 64)
    a = render_from_layout(labels, 4)
    assert a.shape == (64, 96, 3) and a.dtype == np.uint8
    assert np.array_equal(a, render_from_layout(labels, 4))
    assert not np.array_equal(a, render_from_layout(labels, 5))
    for labels in (np.full((32, 48), SKY, np.uint8), np.full((32, 48), WATER, np.int64), _unusual_layout(4)):
        image = render_from_layout(labels, 0)
        assert image.shape == (*labels.shape, 3)


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.zeros((32, 32, 3), np.uint8), "2-D"),
        (np.zeros((32, 32), np.float32), "integer class ids"),
        (np.full((32, 32), NUM_CLASSES, np.uint8), f"class id {NUM_CLASSES}"),
        (np.full((32, 32), -1, np.int16), "class id -1"),
        (np.zeros((8, 32), np.uint8), "height must be between"),
    ],
)
def test_bad_label_maps_are_refused_with_the_reason(labels, message):
    with pytest.raises(ValueError, match=message):
        render_from_layout(labels, 0)
    with pytest.raises(ValueError, match="seed"):
        render_from_layout(np.zeros((32, 32), np.uint8), -3)


def test_horizon_run_bounds_and_soft_interior():
    labels = np.full((100, 10), GRASS, np.uint8)
    labels[:30] = SKY
    labels[30:45] = MOUNTAIN
    assert estimate_horizon(labels) == 45
    assert estimate_horizon(np.full((10, 10), WATER, np.uint8)) == 0  # no sky at all

    mask = np.zeros((8, 2), bool)
    mask[2:5, 0] = True
    start, end = run_bounds(mask)
    assert start[2:5, 0].tolist() == [2, 2, 2] and end[2:5, 0].tolist() == [5, 5, 5]

    square = np.zeros((64, 64), bool)
    square[8:56, 8:56] = True
    inside = soft_interior(square, 4)
    assert inside[~square].max() == 0 and inside[32, 32] == pytest.approx(1.0)
    assert inside[8, 32] < 0.2 < inside[14, 32]  # rises from the outline inwards
