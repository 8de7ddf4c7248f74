"""The texture stage's inputs for a label map it did not compose: horizon, haze and shape fields.

`textures.paint` colours pixels from their class plus a few per-pixel fields that the procedural
composer (`layout.py`) records while it builds a scene: the horizon row, aerial haze, cloud
thickness, mountain relief and facing, boulder domes. A label map painted by a person (or by
`painted.py`) comes without them, and may break every convention of the composer: water above
mountains, a rock alone in sand, snow next to flowers, no sky at all. This module derives the
same fields from the labels alone, per connected run of pixels rather than per position in the
frame, so each class gets its own texture wherever it is painted.

Fields are made from masks with separable box blurs (cumulative sums): a few full-frame numpy
operations per class, so deriving them costs less than the texturing itself.
"""

from __future__ import annotations

import numpy as np

from .classes import CLOUD, FOREST, MOUNTAIN, ROCK, SKY, SNOW
from .layout import Layout, ground_haze, skyline_facing
from .noise import F32, fbm, stretch

# Classes that stand above the horizon in an eye-level view: the horizon is below them.
_ABOVE_HORIZON = (SKY, CLOUD, MOUNTAIN)


def estimate_horizon(labels: np.ndarray) -> int:
    """The row below the lowest row that is mostly sky, cloud or mountain (0 when none is).

    Textures use it for the sky's gradient, the perspective of grass blades and the depth
    colour of water. For a painted banded landscape it is the band edge under the mountains;
    for an unusual arrangement it is a rough guess that only shifts those gradients.
    """
    upper = np.isin(labels, _ABOVE_HORIZON).mean(axis=1) >= 0.5
    rows = np.flatnonzero(upper)
    return int(rows[-1]) + 1 if rows.size else 0


def _box_blur_axis(field: np.ndarray, radius: int, axis: int) -> np.ndarray:
    """Mean over a window of 2*radius+1 pixels along `axis`, the edge value repeated outside."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (radius + 1, radius)
    padded = np.pad(field, pad, mode="edge")
    sums = np.cumsum(padded, axis=axis, dtype=np.float64)
    n = field.shape[axis]
    hi = np.take(sums, np.arange(2 * radius + 1, 2 * radius + 1 + n), axis=axis)
    lo = np.take(sums, np.arange(0, n), axis=axis)
    return ((hi - lo) / (2 * radius + 1)).astype(F32)


def soft_interior(mask: np.ndarray, radius: int) -> np.ndarray:
    """0 on and outside a region's outline, rising to 1 about `radius` pixels inside it.

    Two box blurs approximate a Gaussian; on a straight edge the blurred mask is 0.5, so
    2 * blur - 1 starts at 0 there. Regions thinner than 2 * radius never reach 1.
    """
    out = np.zeros(mask.shape, dtype=F32)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return out
    # Only the region's bounding box, grown by the blur's reach (twice the window): outside it
    # the blurred mask is exactly 0, so a small shape on a big canvas costs a small crop.
    reach = 2 * (2 * radius + 1)
    y0, y1 = max(0, rows[0] - reach), min(mask.shape[0], rows[-1] + 1 + reach)
    x0, x1 = max(0, cols[0] - reach), min(mask.shape[1], cols[-1] + 1 + reach)
    crop = mask[y0:y1, x0:x1]
    blur = crop.astype(F32)
    for _ in range(2):
        blur = _box_blur_axis(_box_blur_axis(blur, radius, 0), radius, 1)
    out[y0:y1, x0:x1] = np.where(crop, np.clip(F32(2) * blur - F32(1), 0, 1), F32(0))
    return out


def run_bounds(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pixel, the first row and one past the last row of its column's vertical run
    of `mask` pixels (meaningful on mask pixels only)."""
    H = mask.shape[0]
    rows = np.arange(H, dtype=np.int32)[:, None]  # int32: half the memory traffic of intp
    start = np.maximum.accumulate(np.where(mask, np.int32(0), rows + 1), axis=0)
    end = np.minimum.accumulate(np.where(mask, np.int32(H), rows)[::-1], axis=0)[::-1]
    return start, end


def _crest_climb(start: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """How fast the crest above each mountain pixel climbs to the right (pixels per pixel):
    central differences of the run starts of the neighbouring columns at the same row, one-sided
    at the flanks of a painted shape, 0 where the pixel has no mountain neighbour."""
    crest = start.astype(F32)
    left_ok = np.zeros_like(mask)
    right_ok = np.zeros_like(mask)
    left_ok[:, 1:] = mask[:, :-1]
    right_ok[:, :-1] = mask[:, 1:]
    left = np.empty_like(crest)
    right = np.empty_like(crest)
    left[:, 1:], left[:, 0] = crest[:, :-1], crest[:, 0]
    right[:, :-1], right[:, -1] = crest[:, 1:], crest[:, -1]
    # Rows grow downwards, altitude upwards: the crest climbs where its row number falls.
    both = (left - right) * F32(0.5)
    one_sided = np.where(left_ok, left - crest, np.where(right_ok, crest - right, F32(0)))
    return np.where(left_ok & right_ok, both, one_sided)


def layout_from_labels(labels: np.ndarray, rng: np.random.Generator) -> Layout:
    """A `Layout` for any label map, so `textures.paint` can render it."""
    H, W = labels.shape
    horizon = estimate_horizon(labels)
    lay = Layout(labels=labels, haze=np.zeros((H, W), dtype=F32), horizon=horizon, unit=H / 256.0)
    for name in ("cloud", "relief", "facet", "dome"):
        lay.shape[name] = np.zeros((H, W), dtype=F32)
    if horizon < H:
        lay.haze[horizon:] = ground_haze(H - horizon, W, rng.uniform(0.12, 0.3))
    above = np.arange(H)[:, None] < horizon

    cloud = labels == CLOUD
    if cloud.any():
        # Thickness like the composer's (density over threshold, up to ~0.25): thin at the
        # outline, so the cloud's top is lit and its underside grey. Inside a large painted
        # cloud, wide billows vary it the same way, or it would be a flat grey that reads as snow.
        y0, y1 = _row_band(cloud)
        cell_x = float(rng.uniform(45, 100))
        billows = stretch(fbm(rng, y1 - y0, W, cell_x * 0.35, cell_x, octaves=5, gain=0.55, y0=y0), 0.3, 0.75)
        lay.shape["cloud"][y0:y1] = F32(0.24) * soft_interior(cloud[y0:y1], 6) * (F32(0.1) + F32(0.9) * billows)

    # Snow is shaded with the mountain relief wherever it is painted (on a peak or as a field).
    relief_mask = (labels == MOUNTAIN) | (labels == SNOW)
    band = np.flatnonzero(relief_mask.any(axis=1))
    if band.size:
        # Only the rows that hold mountain or snow: runs never leave them.
        y0, y1 = int(band[0]), int(band[-1]) + 1
        mask = relief_mask[y0:y1]
        start, end = run_bounds(mask)
        depth = np.arange(y1 - y0, dtype=F32)[:, None] - start.astype(F32)
        peak = F32(max(int((end - start)[mask].max()), 1))
        relief = np.where(mask, np.clip(depth / peak, 0, 1), F32(0))
        lay.shape["relief"][y0:y1] = relief
        facing = skyline_facing(_crest_climb(start, mask), relief, lay.unit)
        lay.shape["facet"][y0:y1] = np.where(mask, facing, F32(0))
        # Distant ranges fade into the horizon's colour, as in the composer's scenes.
        far = relief_mask & above
        lay.haze[far] = F32(rng.uniform(0.15, 0.4))

    forest_far = (labels == FOREST) & above
    lay.haze[forest_far] = F32(0.2)

    rock = labels == ROCK
    if rock.any():
        lay.shape["dome"] = rock_domes(rng, rock, lay.unit)
        lay.haze[rock] *= F32(0.5)
    return lay


def _row_band(mask: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[0]), int(rows[-1]) + 1


def rock_domes(rng: np.random.Generator, rock: np.ndarray, unit: float) -> np.ndarray:
    """Boulder height (1 at a top, 0 at an outline) for painted rock: what the rock texture
    shades (lit upper-left faces, dark contact shadows) and what makes rock read as boulders
    rather than as dirt. A small painted shape is one boulder; a large area is a heap of them,
    one dome around each jittered point of a grid of `cell` px (Worley-style), wider than tall.
    """
    H, W = rock.shape
    y0, y1 = _row_band(rock)
    cols = np.flatnonzero(rock.any(axis=0))
    x0, x1 = int(cols[0]), int(cols[-1]) + 1
    box = rock[y0:y1, x0:x1]
    cell = float(rng.uniform(18, 32)) * max(unit, 0.5)
    out = np.zeros((H, W), dtype=F32)
    if max(y1 - y0, x1 - x0) <= 2.5 * cell:
        # One boulder: a dome over the painted outline, rising over a third of its size.
        interior = soft_interior(box, max(2, int(max(y1 - y0, x1 - x0) / 6)))
        out[y0:y1, x0:x1] = np.sqrt(np.clip(F32(1) - (F32(1) - interior) ** 2, 0, 1))
        return out
    rows, cols_n = int((y1 - y0) / cell) + 3, int((x1 - x0) / cell) + 3
    # One boulder centre per grid cell (one cell of margin around the box), with its own size.
    cy = (np.arange(rows)[:, None] - 1 + rng.uniform(0.2, 0.8, (rows, cols_n))) * cell
    cx = (np.arange(cols_n)[None, :] - 1 + rng.uniform(0.2, 0.8, (rows, cols_n))) * cell
    radius = cell * rng.uniform(0.55, 0.85, (rows, cols_n))
    ys = np.arange(y1 - y0, dtype=F32)[:, None] + F32(0.5)
    xs = np.arange(x1 - x0, dtype=F32)[None, :] + F32(0.5)
    iy = (ys / F32(cell)).astype(np.intp) + 1
    ix = (xs / F32(cell)).astype(np.intp) + 1
    dome = np.zeros(box.shape, dtype=F32)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            j, i = iy + dy, ix + dx
            ny = (ys - cy[j, i].astype(F32)) / radius[j, i].astype(F32)
            nx = (xs - cx[j, i].astype(F32)) / (F32(1.4) * radius[j, i].astype(F32))
            dome = np.maximum(dome, np.sqrt(np.clip(F32(1) - ny * ny - nx * nx, 0, 1)))
    # The painted outline is an outline of boulders too.
    edge = soft_interior(box, 3)
    out[y0:y1, x0:x1] = np.where(box, dome * np.sqrt(edge), F32(0))
    return out
