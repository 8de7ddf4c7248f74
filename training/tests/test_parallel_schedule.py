"""training/parallel_schedule.py, the port of shared/parallel-schedule.ts: the same spans, steps and
feeds (the figures shared/parallel-schedule.test.ts asserts on the TypeScript side); token for token
agreement with the engine is tests/engine/reference-parity.test.ts."""
from __future__ import annotations

import pytest

from training.parallel_schedule import FeedItem, Span, parallel_plan, parallel_spans


def test_spans_match_the_typescript_ones() -> None:
    assert parallel_spans(16, 16) == [Span(0, 16, 0)]
    assert parallel_spans(32, 16) == [Span(0, 16, 0), Span(16, 24, 8), Span(24, 32, 16)]
    assert parallel_spans(21, 15) == [Span(0, 14, 0), Span(14, 21, 6)]


@pytest.mark.parametrize("lead,steps", [(1, 31), (2, 46), (4, 76), (8, 136), (16, 256)])
def test_one_window_grid_takes_width_plus_rows_times_lead_steps(lead: int, steps: int) -> None:
    plan = parallel_plan(16, 16, 16, 16, lead)
    assert len(plan.steps) == plan.forwards == steps
    assert [(c.row, c.col, c.count) for s in plan.steps for c in s.chunks] == [(r, 0, 16) for r in range(16)]


def test_placeholders_and_positions() -> None:
    plan = parallel_plan(16, 16, 16, 16, 2)
    placeholders = [it for s in plan.steps for f in s.feeds for it in f.items if not it.store]
    assert len(placeholders) == 15 and placeholders[0] == FeedItem(256 + 15, "image", 1, False)
    assert plan.positions == 511 + 15
    sequential = parallel_plan(16, 16, 16, 16, 16)
    assert [it.position for s in sequential.steps for f in s.feeds for it in f.items] == list(range(511))


def test_larger_grids() -> None:
    plan = parallel_plan(32, 32, 16, 16, 2)
    assert (len(plan.steps), plan.forwards, plan.positions, len(plan.windows)) == (154, 270, 4628, 9)
    assert sorted(c for s in plan.steps for c in s.cells) == list(range(32 * 32))
    with pytest.raises(ValueError):
        parallel_plan(16, 16, 16, 16, 0)
    with pytest.raises(ValueError):
        parallel_plan(32, 32, 16, 16, 2, "diagonal")


def test_wavefront_matches_the_typescript_figures() -> None:
    # shared/parallel-schedule.test.ts: the same windows and forwards as "bands", W + (H − 1)·lead steps.
    bands, wave = parallel_plan(64, 64, 16, 16, 2, "bands"), parallel_plan(64, 64, 16, 16, 2, "wavefront")
    assert wave.windows == bands.windows and wave.forwards == bands.forwards == 1246
    assert (len(wave.steps), wave.positions) == (64 + 63 * 2, 25102)
    assert sorted(c for s in wave.steps for c in s.cells) == list(range(64 * 64))
    step_of = {c: i for i, s in enumerate(wave.steps) for c in s.cells}
    assert step_of[16 * 64] - step_of[15 * 64] == 2
