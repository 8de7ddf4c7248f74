"""Scene composition: decides which class owns every pixel (the label map) before any colour.

The scene is built back to front like a painter would (sky, clouds, mountain ranges, ground,
sea / lake / river, hills and forests, paths, flower patches, boulders); each step overwrites
the label map with a hard-edged mask, so labels are pixel-exact by construction. The texture
stage (`textures.py`) then colours each pixel from its label alone, which keeps image and
label map consistent.

Scale: vertical composition (horizon height, mountain heights) is a fraction of the canvas
height, and object sizes are in `unit = height / 256` so shapes keep their proportions; the
horizontal *frequency* of outlines is in units too, so a wider canvas shows more peaks and
more of the shore rather than stretched ones. Fine textures live in `textures.py` in plain
pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .classes import CLOUD, DIRT, FLOWERS, FOREST, GRASS, MOUNTAIN, ROCK, SAND, SKY, SNOW, WATER
from .noise import F32, fbm, fbm_1d, ridged_1d, value_noise


@dataclass
class Layout:
    """Everything the texture stage needs besides the random generator.

    `haze` is the aerial-perspective amount per pixel (0 = none, blend towards the horizon
    colour). The float maps in `shape` are only meaningful on their class's pixels:
    "cloud" = cloud thickness, "relief" = depth below the mountain crest (0 at the crest, 1 at
    the range's foot), "dome" = boulder height (1 at the top, 0 at the outline).
    """

    labels: np.ndarray
    haze: np.ndarray
    horizon: int
    unit: float
    shape: dict[str, np.ndarray] = field(default_factory=dict)
    land_kind: int = GRASS


def _rows(height: int) -> np.ndarray:
    """Row coordinates as a column vector, for broadcasting against per-column outlines."""
    return np.arange(height, dtype=F32)[:, None]


def skyline_facing(climb: np.ndarray, relief: np.ndarray, unit: float) -> np.ndarray:
    """Which way a mountain face looks, from its crest's climb (pixels up per pixel right) and
    its depth below the crest (`relief`, 0..1): where the skyline climbs to the right the slope
    faces left, into the light (positive); the effect fades with depth below the crest. Shared
    by procedural ranges and painted mountains (`label_fields.py`)."""
    climb = climb / F32(max(unit, 0.5))
    return np.tanh(climb * F32(1.2)) * np.exp(-relief * F32(2.5))


def ground_haze(rows: int, width: int, strength: float) -> np.ndarray:
    """Aerial perspective on the `rows` rows of ground below the horizon: `strength` at the
    horizon, gone by mid-ground. A read-only (rows, width) view."""
    distance = 1.0 - (_rows(rows) / F32(max(rows, 1)))
    return np.broadcast_to(F32(strength) * distance**3, (rows, width))


def build_layout(rng: np.random.Generator, height: int, width: int) -> Layout:
    H, W = height, width
    unit = H / 256.0
    labels = np.full((H, W), SKY, dtype=np.uint8)
    haze = np.zeros((H, W), dtype=F32)
    horizon = int(round(H * rng.uniform(0.34, 0.62)))
    horizon = min(max(horizon, 2), H - 2)
    lay = Layout(labels=labels, haze=haze, horizon=horizon, unit=unit)
    for name in ("cloud", "relief", "facet", "dome"):
        lay.shape[name] = np.zeros((H, W), dtype=F32)

    _add_clouds(rng, lay)
    _add_mountains(rng, lay)
    _add_ground(rng, lay)
    water = rng.choice(4, p=[0.3, 0.25, 0.2, 0.25])  # sea, lake, river, none
    if water == 0:
        _add_sea(rng, lay)
    _add_far_hills(rng, lay)
    if water == 1:
        _add_lake(rng, lay)
    elif water == 2:
        _add_river(rng, lay)
    _add_forests(rng, lay)
    if lay.land_kind == GRASS:
        _add_dirt(rng, lay)
        _add_flowers(rng, lay)
    _add_rocks(rng, lay)
    return lay


def _add_clouds(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    band = lay.horizon
    if rng.random() < 0.22 or band < 4:
        return
    cell_x = rng.uniform(45, 110) * lay.unit
    cell_y = cell_x * rng.uniform(0.28, 0.5)  # clouds are wider than tall
    density = fbm(rng, band, W, cell_y, cell_x, octaves=5, gain=0.55)
    # Thresholding higher near the horizon thins clouds there, as perspective flattens them.
    threshold = rng.uniform(0.5, 0.64) + F32(0.08) * (_rows(band) / F32(band))
    thickness = density - threshold
    mask = thickness > 0
    lay.labels[:band][mask] = CLOUD
    lay.shape["cloud"][:band] = np.maximum(thickness, F32(0))


def _add_mountains(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    ranges = int(rng.choice(4, p=[0.12, 0.33, 0.35, 0.2]))
    if ranges == 0:
        return
    snow_altitude = H * rng.uniform(0.1, 0.28)  # pixels above the horizon where snow starts
    rows = _rows(horizon)
    altitude = F32(horizon) - rows
    for k in range(ranges):
        near = k / (ranges - 1) if ranges > 1 else 0.6  # 0 = farthest range, 1 = nearest
        peak = H * rng.uniform(0.14, 0.38) * (1.0 - 0.45 * near)
        skyline = ridged_1d(rng, W, rng.uniform(90, 220) * lay.unit, octaves=7)
        skyline = (skyline - skyline.min()) / F32(max(float(np.ptp(skyline)), 1e-6))
        tops = F32(peak) * (F32(0.18) + F32(0.82) * skyline)  # height above horizon per column
        tops = np.minimum(tops, F32(horizon - 1))
        mask = altitude <= tops[None, :]
        lay.labels[:horizon][mask] = MOUNTAIN
        lay.haze[:horizon][mask] = F32(0.45 - 0.3 * near)
        relief = np.clip((tops[None, :] - altitude) / F32(peak), 0, 1)
        lay.shape["relief"][:horizon][mask] = relief[mask]
        facing = skyline_facing(np.gradient(tops), relief, lay.unit)
        lay.shape["facet"][:horizon][mask] = facing[mask]
        if peak > snow_altitude * 0.9:
            # Snow reaches down gullies: vertical streak noise perturbs the snow line.
            streaks = fbm(rng, horizon, W, 22 * lay.unit, 4 * lay.unit, octaves=3)
            line = F32(snow_altitude) + (streaks - F32(0.5)) * F32(0.35 * peak)
            snow = mask & (altitude > line)
            lay.labels[:horizon][snow] = SNOW


def _add_ground(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    lay.land_kind = int(rng.choice([GRASS, SAND, DIRT, SNOW], p=[0.74, 0.1, 0.07, 0.09]))
    lay.labels[horizon:] = lay.land_kind
    lay.haze[horizon:] = ground_haze(H - horizon, W, rng.uniform(0.12, 0.3))


def _add_sea(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    depth = H - horizon
    shore = horizon + depth * rng.uniform(0.15, 0.65) + (fbm_1d(rng, W, 90 * lay.unit) - F32(0.5)) * F32(depth * 0.3)
    rows = _rows(H)
    water = (rows >= horizon) & (rows < shore[None, :])
    lay.labels[water] = WATER
    if rng.random() < 0.75 and lay.land_kind != SAND:
        beach = F32(depth * rng.uniform(0.05, 0.2)) * (F32(0.5) + fbm_1d(rng, W, 60 * lay.unit))
        sand = (rows >= shore[None, :]) & (rows < (shore + beach)[None, :])
        lay.labels[sand] = SAND


def _add_far_hills(rng: np.random.Generator, lay: Layout) -> None:
    """Low hills on the horizon, in front of the mountains: grassy or forested."""
    H, W = lay.labels.shape
    if rng.random() > 0.45:
        return
    horizon = lay.horizon
    kind = FOREST if rng.random() < 0.6 else GRASS
    if lay.land_kind == SNOW and kind == GRASS:
        kind = SNOW
    heights = F32(H * rng.uniform(0.02, 0.09)) * (F32(0.2) + F32(0.8) * fbm_1d(rng, W, 120 * lay.unit))
    if kind == FOREST:
        heights += _treetops(rng, W, lay.unit * 0.6)
    top = F32(horizon) - heights
    bottom = horizon + int(round(H * 0.03))
    rows = _rows(bottom)
    mask = rows >= top[None, :]
    if np.any(lay.labels[min(horizon, H - 1)] == WATER):
        # Over the sea the hills are a far coast: they stand on the horizon, not in the water.
        mask &= rows < horizon
    region = lay.labels[:bottom]
    region[mask] = kind
    lay.haze[:bottom][mask] = F32(0.28)


def _treetops(rng: np.random.Generator, width: int, scale: float) -> np.ndarray:
    """Jagged conifer silhouette added on top of a treeline (pixels, per column)."""
    spacing = rng.uniform(4.0, 7.0) * max(scale, 0.75)
    spikes = ridged_1d(rng, width, spacing, octaves=1) ** 3
    return spikes * F32(rng.uniform(3.0, 7.0) * max(scale, 0.75))


def _is_land(labels: np.ndarray) -> np.ndarray:
    return (labels == GRASS) | (labels == DIRT) | (labels == SAND) | (labels == SNOW) | (labels == FLOWERS)


def _add_lake(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    depth = H - horizon
    cy = horizon + depth * rng.uniform(0.15, 0.6)
    cx = W * rng.uniform(0.05, 0.95)
    a = rng.uniform(50, 170) * lay.unit
    b = min(a * rng.uniform(0.12, 0.28), depth * 0.45)
    rim = rng.uniform(0.08, 0.3) if rng.random() < 0.7 else 0.0
    y0 = max(horizon + 1, int(cy - b * 1.6))
    y1 = min(H, int(cy + b * 1.6) + 1)
    if y1 <= y0:
        return
    rows = _rows(y1 - y0) + F32(y0)
    cols = np.arange(W, dtype=F32)[None, :]
    wobble = fbm(rng, y1 - y0, W, 30 * lay.unit, 30 * lay.unit, octaves=3, y0=y0)
    r2 = ((cols - F32(cx)) / F32(a)) ** 2 + ((rows - F32(cy)) / F32(b)) ** 2 + (wobble - F32(0.5)) * F32(0.9)
    region = lay.labels[y0:y1]
    if rim > 0:
        bank = SAND if rng.random() < 0.6 else DIRT
        ring = (r2 < 1 + rim) & _is_land(region)
        region[ring] = bank
    region[r2 < 1] = WATER


def _add_river(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    depth = H - horizon
    start = horizon + 1
    rows = np.arange(start, H, dtype=F32)
    near = (rows - F32(horizon)) / F32(depth)  # 0 at the horizon, 1 at the bottom edge
    meander = (fbm_1d(rng, H - start, rng.uniform(25, 60) * lay.unit, octaves=3) - F32(0.5)) * F32(2)
    centre = F32(W * rng.uniform(0.2, 0.8)) + meander * F32(W * 0.35) * (F32(0.15) + near)
    half = F32(lay.unit) * (F32(1.0) + near**1.4 * F32(rng.uniform(20, 60)))
    bank = F32(lay.unit) * (F32(0.5) + near * F32(rng.uniform(2, 10)))
    cols = np.arange(W, dtype=F32)[None, :]
    offset = np.abs(cols - centre[:, None])
    region = lay.labels[start:]
    if rng.random() < 0.7:
        banks = (offset < (half + bank)[:, None]) & _is_land(region)
        region[banks] = SAND if rng.random() < 0.5 else DIRT
    region[offset < half[:, None]] = WATER


def _add_forests(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    depth = H - horizon
    cols = np.arange(W, dtype=F32)
    if rng.random() < 0.4:
        # A belt of woodland across the middle ground, possibly rising above the horizon.
        top_base = horizon + depth * rng.uniform(0.0, 0.35)
        thickness = depth * rng.uniform(0.08, 0.3)
        near = (top_base - horizon) / depth
        top = (
            F32(top_base)
            - fbm_1d(rng, W, 70 * lay.unit) * F32(thickness * 0.6)
            - _treetops(rng, W, lay.unit * (0.7 + 1.5 * near))
        )
        bottom = F32(top_base + thickness * 0.4) + fbm_1d(rng, W, 50 * lay.unit) * F32(thickness)
        _paint_woods(lay, top, bottom)
    if rng.random() < 0.3:
        # A forest edge along one side of the view, drawn in perspective: its floor edge runs
        # from far up the frame towards the bottom corner, and the canopy rises towards us.
        extent = W * rng.uniform(0.15, 0.45)
        from_left = rng.random() < 0.5
        dist = cols if from_left else (F32(W - 1) - cols)
        reach = np.clip(F32(1) - dist / F32(extent), 0, 1)
        rise = F32(H * rng.uniform(0.06, 0.28)) * reach**0.8
        rise *= F32(0.8) + F32(0.4) * fbm_1d(rng, W, 40 * lay.unit)
        floor = horizon + depth * rng.uniform(0.0, 0.15)
        top = F32(floor) - rise - _treetops(rng, W, lay.unit * (0.6 + 1.2 * float(rng.uniform(0.5, 1))))
        top = np.where(reach > 0, top, F32(H + 1))
        # Column `dist` is forest from `top` down to where the floor edge crosses it.
        bottom_reach = rng.uniform(0.0, 0.5)
        edge_slope = (H - floor) / max(extent * (1 - bottom_reach), 1.0)
        bottom = F32(floor) + (F32(extent) - dist) * F32(edge_slope)
        # Trees along the edge stand at uneven distances: wobble the edge by a few units.
        bottom += (fbm_1d(rng, W, 25 * lay.unit) - F32(0.5)) * F32(90 * lay.unit)
        bottom = np.where(dist < extent * bottom_reach, F32(H), bottom)
        _paint_woods(lay, top, np.minimum(bottom, F32(H)))


def _paint_woods(lay: Layout, top: np.ndarray, bottom: np.ndarray) -> None:
    H, W = lay.labels.shape
    y0 = int(max(0, np.floor(top.min())))
    y1 = int(min(H, np.ceil(bottom.max())))
    if y1 <= y0:
        return
    rows = _rows(y1 - y0) + F32(y0)
    mask = (rows >= top[None, :]) & (rows < bottom[None, :])
    region = lay.labels[y0:y1]
    # Trees stand on land; above the horizon they hide sky and mountains, but only where the
    # column's horizon is land (never trees growing out of the sea).
    horizon_row = min(lay.horizon + 1, H - 1)
    land_below = _is_land(lay.labels[horizon_row])
    above = rows < lay.horizon
    allowed = np.where(above, land_below[None, :], _is_land(region))
    mask &= allowed
    region[mask] = FOREST
    lay.haze[y0:y1][mask & above] = F32(0.2)


def _add_dirt(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    depth = H - horizon
    if rng.random() < 0.3:
        # A winding footpath from the middle distance to the viewer.
        start = horizon + int(depth * rng.uniform(0.05, 0.4))
        if start < H - 2:
            rows = np.arange(start, H, dtype=F32)
            near = (rows - F32(horizon)) / F32(depth)
            meander = (fbm_1d(rng, H - start, 40 * lay.unit, octaves=3) - F32(0.5)) * F32(2)
            centre = F32(W * rng.uniform(0.15, 0.85)) + meander * F32(W * 0.3) * near
            half = F32(lay.unit) * (F32(0.6) + near**1.5 * F32(rng.uniform(6, 18)))
            offset = np.abs(np.arange(W, dtype=F32)[None, :] - centre[:, None])
            region = lay.labels[start:]
            region[(offset < half[:, None]) & (region == GRASS)] = DIRT
    if rng.random() < 0.3:
        patches = fbm(rng, depth, W, 50 * lay.unit, 70 * lay.unit, octaves=4, y0=horizon)
        region = lay.labels[horizon:]
        region[(patches > rng.uniform(0.62, 0.7)) & (region == GRASS)] = DIRT


def _add_flowers(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    depth = H - horizon
    if rng.random() > 0.65:
        return
    # Patches thin out towards the horizon, where blossoms would shrink to sub-pixel specks.
    patches = fbm(rng, depth, W, 40 * lay.unit, 60 * lay.unit, octaves=4, y0=horizon)
    near = _rows(depth) / F32(max(depth, 1))
    fade_until = rng.uniform(0.15, 0.45)
    threshold = rng.uniform(0.48, 0.62) + F32(0.4) * np.clip(F32(1) - near / F32(fade_until), 0, 1)
    region = lay.labels[horizon:]
    region[(patches > threshold) & (region == GRASS)] = FLOWERS


def _add_rocks(rng: np.random.Generator, lay: Layout) -> None:
    H, W = lay.labels.shape
    horizon = lay.horizon
    depth = H - horizon
    rate = rng.choice([0.3, 1.5, 4.0], p=[0.4, 0.4, 0.2]) * (W / H)
    count = int(rng.poisson(rate))
    dome_map = lay.shape["dome"]
    for _ in range(count):
        near = rng.uniform(0.08, 1.0) ** 0.6  # more rocks close to the viewer, where they show
        cy = horizon + near * depth
        r = lay.unit * (2.0 + 20.0 * near**1.6) * rng.uniform(0.5, 1.3)
        aspect = rng.uniform(1.0, 1.8)  # boulders are wider than tall
        cx = W * rng.uniform(-0.05, 1.05)
        y0, y1 = max(0, int(cy - r) - 1), min(H, int(cy + r * 0.4) + 1)
        x0, x1 = max(0, int(cx - r * aspect) - 1), min(W, int(cx + r * aspect) + 2)
        if y1 - y0 < 2 or x1 - x0 < 2:
            continue
        ys = np.arange(y0, y1, dtype=F32)[:, None]
        xs = np.arange(x0, x1, dtype=F32)[None, :]
        lumps = value_noise(rng, y1 - y0, x1 - x0, max(r * 0.5, 1.5), max(r * 0.6, 1.5))
        dist = np.sqrt(((xs - F32(cx)) / F32(r * aspect)) ** 2 + ((ys - F32(cy)) / F32(r)) ** 2)
        dist = dist + (lumps - F32(0.5)) * F32(0.45)
        # Half-buried: the flat bottom at cy + 0.35 r is where the boulder meets the ground.
        inside = (dist < 1) & (ys <= F32(cy + r * 0.35))
        dome = np.sqrt(np.clip(F32(1) - dist * dist, 0, 1))
        lay.labels[y0:y1, x0:x1][inside] = ROCK
        dome_map[y0:y1, x0:x1][inside] = dome[inside]
        lay.haze[y0:y1, x0:x1][inside] *= F32(0.5)
