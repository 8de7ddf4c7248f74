"""Lattice value noise, fractal sums of it, and 1-D profiles, all vectorised with numpy.

Every feature size is given in *pixels* (`cell` = distance between lattice points), so a larger
canvas shows more landscape at the same texture grain instead of a zoomed-in copy.

Value noise is cheap here because the interpolation is separable: the lattice (a few hundred
values) is first interpolated along x for every lattice row, then the (rows x W) result is
gathered and blended along y. That costs about five full-frame float32 operations per octave,
which is what makes 20k scenes in minutes possible without compiled code.

All functions draw their randomness from the `numpy.random.Generator` they are given and from
nothing else, so a scene rendered from the same seed is bit-identical in any process.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

F32 = np.float32


def _axis(n: int, start: float, cell: float) -> tuple[np.ndarray, np.ndarray]:
    """Lattice index and smoothstep-eased fraction for n consecutive pixels along one axis."""
    pos = (np.arange(n, dtype=np.float64) + start) / cell
    index = np.floor(pos)
    frac = (pos - index).astype(F32)
    # Smoothstep hides the lattice grid that plain linear interpolation shows as creases.
    frac = frac * frac * (F32(3) - F32(2) * frac)
    return index.astype(np.intp), frac


def value_noise(
    rng: np.random.Generator,
    height: int,
    width: int,
    cell_y: float,
    cell_x: float | None = None,
    y0: int = 0,
) -> np.ndarray:
    """Smooth noise in [0, 1), shape (height, width), features about `cell` pixels apart.

    `cell_x != cell_y` gives anisotropic noise (horizontal ripples, vertical grass blades).
    `y0` says which canvas row the first output row is, so a band of rows can be computed
    alone (e.g. only the sky) at a fraction of the cost.
    """
    cell_x = cell_y if cell_x is None else cell_x
    # A random sub-cell offset keeps lattice lines of different octaves from lining up.
    off_y, off_x = rng.random(2)
    iy, fy = _axis(height, y0 + off_y * cell_y, cell_y)
    ix, fx = _axis(width, off_x * cell_x, cell_x)
    iy -= iy[0]
    lattice = rng.random((int(iy[-1]) + 2, int(ix[-1]) + 2), dtype=F32)
    left = lattice[:, ix]
    rows = left + (lattice[:, ix + 1] - left) * fx  # (lattice rows, width)
    top = rows[iy]
    return top + (rows[iy + 1] - top) * fy[:, None]


def _octave_sum(
    cell_y: float,
    cell_x: float,
    octaves: int,
    gain: float,
    octave: Callable[[np.float32, float, float], np.ndarray],
) -> np.ndarray:
    """The fractal sum every noise here shares: octave k has cells `cell / 2**k` and weight
    `gain**k`; `octave(weight, cy, cx)` returns its weighted layer. Normalised by the total
    weight. Octaves finer than a pixel are skipped (they would only alias); the first is always
    computed, at least one pixel per cell, so very small canvases still work."""
    total: np.ndarray | None = None
    weight_sum = 0.0
    weight = 1.0
    for k in range(octaves):
        cy, cx = cell_y / 2**k, cell_x / 2**k
        if k > 0 and min(cy, cx) < 1.0:
            break
        cy, cx = max(cy, 1.0), max(cx, 1.0)  # tiny canvases still get one (pixel-sized) octave
        layer = octave(F32(weight), cy, cx)
        if total is None:
            total = layer
        else:
            total += layer
        weight_sum += weight
        weight *= gain
    assert total is not None  # the first octave always runs (octaves >= 1)
    return total * F32(1.0 / weight_sum)


def fbm(
    rng: np.random.Generator,
    height: int,
    width: int,
    cell_y: float,
    cell_x: float | None = None,
    octaves: int = 4,
    gain: float = 0.5,
    y0: int = 0,
) -> np.ndarray:
    """Fractal sum of value noise: octave k has cells `cell / 2**k` and weight `gain**k`.

    Normalised by the total weight so the result stays in [0, 1) (mean ~0.5). Octaves whose
    cells would be finer than a pixel are skipped: they would only alias. The first octave is
    always computed (at least one pixel per cell), so very small canvases still work.
    """
    cell_x = cell_y if cell_x is None else cell_x
    return _octave_sum(cell_y, cell_x, octaves, gain, lambda w, cy, cx: w * value_noise(rng, height, width, cy, cx, y0))


def ridged(
    rng: np.random.Generator,
    height: int,
    width: int,
    cell_y: float,
    cell_x: float | None = None,
    octaves: int = 4,
    gain: float = 0.5,
    y0: int = 0,
) -> np.ndarray:
    """Ridged multifractal-style noise in [0, 1]: sharp crests where each octave crosses 0.5.

    Folding |2n - 1| turns smooth hills into creases, the look of eroded rock and ridgelines.
    """
    cell_x = cell_y if cell_x is None else cell_x

    def octave(w: np.float32, cy: float, cx: float) -> np.ndarray:
        crest = F32(1) - np.abs(F32(2) * value_noise(rng, height, width, cy, cx, y0) - F32(1))
        return w * crest * crest

    return _octave_sum(cell_y, cell_x, octaves, gain, octave)


def noise_1d(rng: np.random.Generator, n: int, cell: float) -> np.ndarray:
    """Smooth 1-D value noise in [0, 1), length n, features `cell` samples apart."""
    index, frac = _axis(n, rng.random() * cell, cell)
    lattice = rng.random(int(index[-1]) + 2, dtype=F32)
    a = lattice[index]
    return a + (lattice[index + 1] - a) * frac


def fbm_1d(rng: np.random.Generator, n: int, cell: float, octaves: int = 5, gain: float = 0.5) -> np.ndarray:
    """1-D fractal noise in [0, 1): outlines of shores, treelines, meanders."""
    return _octave_sum(cell, cell, octaves, gain, lambda w, c, _: w * noise_1d(rng, n, c))


def ridged_1d(rng: np.random.Generator, n: int, cell: float, octaves: int = 5, gain: float = 0.5) -> np.ndarray:
    """1-D ridged noise in [0, 1]: mountain skylines with sharp peaks and rounded valleys."""

    def octave(w: np.float32, c: float, _: float) -> np.ndarray:
        crest = F32(1) - np.abs(F32(2) * noise_1d(rng, n, c) - F32(1))
        return w * crest * crest

    return _octave_sum(cell, cell, octaves, gain, octave)


def stretch(field: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Map [lo, hi] linearly onto [0, 1], clipping outside: turns soft noise into shapes."""
    return np.clip((field - F32(lo)) * F32(1.0 / (hi - lo)), F32(0), F32(1))
