"""Token-grid maths, a port of shared/grid.ts (windowPlacement, chunkSchedule, cropWindow)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WindowPlacement:
    top: int
    left: int
    local_row: int
    local_col: int


@dataclass(frozen=True)
class Chunk:
    """`count` consecutive tokens of one row decoded with one KV prefix (the cached sampler)."""

    row: int
    col: int
    count: int
    top: int
    left: int
    local_row: int  # position of the chunk's first token inside the window
    local_col: int


def window_placement_1d(i: int, n: int, k: int) -> tuple[int, int]:
    """Taming's rule: (window start, local offset) of token i in a length-n axis, window length k."""
    if not (n >= k >= 1 and 0 <= i < n):
        raise ValueError(f"window placement needs 0 ≤ i < n and n ≥ k (i={i}, n={n}, k={k})")
    half = k // 2
    if i <= half:
        local = i
    elif n - i < k - half:
        local = k - (n - i)
    else:
        local = half
    return i - local, local


def window_placement(row: int, col: int, rows: int, cols: int, window_rows: int, window_cols: int) -> WindowPlacement:
    top, local_row = window_placement_1d(row, rows, window_rows)
    left, local_col = window_placement_1d(col, cols, window_cols)
    return WindowPlacement(top, left, local_row, local_col)


def chunk_schedule(rows: int, cols: int, window_rows: int, window_cols: int, stride: int) -> list[Chunk]:
    """Rows cut into chunks of `stride` tokens; each chunk's window is the exact placement of its
    middle token, shifted just enough to hold the whole chunk (stride 1 gives taming's windows)."""
    if not isinstance(stride, int) or stride < 1 or stride > window_cols:
        raise ValueError(f"stride must be an integer between 1 and the window width {window_cols} (got {stride})")
    chunks = []
    for row in range(rows):
        top, local_row = window_placement_1d(row, rows, window_rows)
        for col in range(0, cols, stride):
            count = min(stride, cols - col)
            middle = col + (count - 1) // 2
            centred, _ = window_placement_1d(middle, cols, window_cols)
            left = min(col, max(col + count - window_cols, centred))
            chunks.append(Chunk(row, col, count, top, left, local_row, col - left))
    return chunks


def crop_window(tokens: np.ndarray, top: int, left: int, window_rows: int, window_cols: int) -> np.ndarray:
    """The window block of a (..., rows, cols) grid, flattened in raster order: (..., window_rows*window_cols)."""
    block = tokens[..., top : top + window_rows, left : left + window_cols]
    return block.reshape(*block.shape[:-2], window_rows * window_cols)
