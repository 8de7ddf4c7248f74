"""Window placement and the cached sampler's chunk schedule (ports of shared/grid.ts)."""
from __future__ import annotations

import pytest

from training.grid import chunk_schedule, window_placement, window_placement_1d


@pytest.mark.parametrize("i,start", [(0, 0), (8, 0), (9, 1), (23, 15), (24, 16), (25, 16), (31, 16)])
def test_hand_worked_placements_k16_h32(i: int, start: int) -> None:
    got_start, local = window_placement_1d(i, 32, 16)
    assert got_start == start
    assert got_start + local == i and 0 <= local < 16


def test_odd_window_and_full_grid() -> None:
    # k = 5 on n = 5: the window never moves.
    assert [window_placement_1d(i, 5, 5)[0] for i in range(5)] == [0] * 5
    # k = 5 (half 2) on n = 9: pinned start for i ≤ 2, centred, then pinned end when fewer than 3 remain.
    assert [window_placement_1d(i, 9, 5)[0] for i in range(9)] == [0, 0, 0, 1, 2, 3, 4, 4, 4]


def test_placement_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        window_placement_1d(5, 4, 4)
    with pytest.raises(ValueError):
        window_placement_1d(0, 3, 4)


def test_stride_one_chunks_are_exact_windows() -> None:
    rows, cols, kr, kc = 7, 9, 4, 4
    chunks = chunk_schedule(rows, cols, kr, kc, 1)
    assert len(chunks) == rows * cols
    for c in chunks:
        p = window_placement(c.row, c.col, rows, cols, kr, kc)
        assert (c.top, c.left, c.local_row, c.local_col, c.count) == (p.top, p.left, p.local_row, p.local_col, 1)


@pytest.mark.parametrize("stride", [2, 3, 4])
def test_chunks_cover_each_token_once_inside_their_window(stride: int) -> None:
    rows, cols, kr, kc = 6, 11, 4, 4
    covered = []
    for c in chunk_schedule(rows, cols, kr, kc, stride):
        assert 0 <= c.left <= c.col and c.col + c.count <= c.left + kc <= cols
        assert c.local_col == c.col - c.left
        covered += [(c.row, c.col + t) for t in range(c.count)]
    assert covered == [(r, q) for r in range(rows) for q in range(cols)]


def test_stride_must_fit_the_window() -> None:
    with pytest.raises(ValueError, match="stride"):
        chunk_schedule(4, 4, 4, 4, 5)
