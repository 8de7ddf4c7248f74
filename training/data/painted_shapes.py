"""The studio's painting tools as numpy rasterisers on a label map: hard-edged, one class each.

Each function paints one tool action into `labels` in place, the way the studio's tools do
(renderer/src/tools): pixels are either the class or untouched, never blended, because a layout
holds one class per pixel. Pixel (x, y) is covered when its centre (x + 0.5, y + 0.5) is inside
the shape, as the brush snaps pointer positions to pixel centres. Work is limited to each shape's
bounding box, so small shapes on big canvases stay cheap.
"""

from __future__ import annotations

import numpy as np

F64 = np.float64


def _box(labels: np.ndarray, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int] | None:
    """The pixel box [ya, yb) x [xa, xb) whose centres may lie in [x0, x1] x [y0, y1]."""
    H, W = labels.shape
    xa, xb = max(0, int(np.floor(x0 - 0.5))), min(W, int(np.ceil(x1 + 0.5)))
    ya, yb = max(0, int(np.floor(y0 - 0.5))), min(H, int(np.ceil(y1 + 0.5)))
    if xb <= xa or yb <= ya:
        return None
    return xa, ya, xb, yb


def _centres(xa: int, ya: int, xb: int, yb: int) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(xa, xb, dtype=F64)[None, :] + 0.5, np.arange(ya, yb, dtype=F64)[:, None] + 0.5


def fill_canvas(labels: np.ndarray, cls: int) -> None:
    """A new document's background class, or the fill tool on an empty canvas."""
    labels[...] = cls


def rectangle(labels: np.ndarray, x0: int, y0: int, x1: int, y1: int, cls: int) -> None:
    """The rectangle tool: the pixels of columns x0..x1-1 and rows y0..y1-1, clipped to the map."""
    H, W = labels.shape
    labels[max(0, y0) : min(H, y1), max(0, x0) : min(W, x1)] = cls


def ellipse(labels: np.ndarray, cx: float, cy: float, rx: float, ry: float, cls: int) -> None:
    box = _box(labels, cx - rx, cy - ry, cx + rx, cy + ry)
    if box is None or rx <= 0 or ry <= 0:
        return
    xa, ya, xb, yb = box
    xs, ys = _centres(*box)
    inside = ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1.0
    labels[ya:yb, xa:xb][inside] = cls


def polygon(labels: np.ndarray, points: np.ndarray, cls: int) -> None:
    """Any simple polygon, (N, 2) vertices as (x, y), filled by the even-odd rule."""
    points = np.asarray(points, dtype=F64)
    box = _box(labels, points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max())
    if box is None or len(points) < 3:
        return
    xa, ya, xb, yb = box
    xs, ys = _centres(*box)
    inside = np.zeros((yb - ya, xb - xa), dtype=bool)
    # Crossing test per edge, vectorised over the box: a ray to the right from each pixel centre
    # crosses the edge when the edge spans the centre's row and meets the row right of the centre.
    for (xi, yi), (xj, yj) in zip(points, np.roll(points, -1, axis=0)):
        if yi == yj:
            continue
        spans = (yi > ys) != (yj > ys)
        cross_x = xi + (xj - xi) * (ys - yi) / (yj - yi)
        inside ^= spans & (xs < cross_x)
    labels[ya:yb, xa:xb][inside] = cls


def stroke(labels: np.ndarray, points: np.ndarray, width: float, cls: int) -> None:
    """The brush (and line) tool: a polyline of the given width with round caps and joints,
    i.e. one capsule per segment; the eraser is this with the background class."""
    points = np.asarray(points, dtype=F64)
    r = max(width / 2.0, 0.5)
    if len(points) == 1:
        points = np.repeat(points, 2, axis=0)
    for a, b in zip(points[:-1], points[1:]):
        box = _box(labels, min(a[0], b[0]) - r, min(a[1], b[1]) - r, max(a[0], b[0]) + r, max(a[1], b[1]) + r)
        if box is None:
            continue
        xa, ya, xb, yb = box
        xs, ys = _centres(*box)
        d = b - a
        length2 = float(d @ d)
        # Distance from each centre to the segment: project onto it, clamp to the end points.
        t = np.zeros((1, 1)) if length2 == 0 else np.clip(((xs - a[0]) * d[0] + (ys - a[1]) * d[1]) / length2, 0.0, 1.0)
        dx, dy = xs - (a[0] + t * d[0]), ys - (a[1] + t * d[1])
        labels[ya:yb, xa:xb][dx * dx + dy * dy <= r * r] = cls


def fill_below(labels: np.ndarray, edge: np.ndarray, cls: int, region: np.ndarray | None = None) -> None:
    """Paint every pixel whose centre is below `edge` (one row coordinate per column): a band
    painted from a hand-drawn edge down to the bottom, as a fill below a line does. With
    `region`, only pixels where region is True (the fill tool stops at other classes)."""
    H = labels.shape[0]
    top = max(0, int(np.floor(float(edge.min()))))
    if top >= H:
        return
    rows = np.arange(top, H, dtype=F64)[:, None] + 0.5
    mask = rows >= edge[None, :]
    if region is not None:
        mask &= region[top:]
    labels[top:][mask] = cls
