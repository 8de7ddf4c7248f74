"""The parallel sampler's plan, a line-for-line port of shared/parallel-schedule.ts (docs/SAMPLING.md,
"parallel"): rows cut into bands and columns into segments that share a window, rows decoded at once
once the row above is `lead` columns ahead, and per step one feed per window (the positions to run,
which of them are stored in the window's cache, and which logits draw which token)."""
from __future__ import annotations

from dataclasses import dataclass, field

from .grid import Chunk


@dataclass
class Span:
    start: int
    end: int
    offset: int


@dataclass(frozen=True)
class ParallelWindow:
    top: int
    left: int


@dataclass(frozen=True)
class FeedItem:
    position: int  # position in the window sequence and the cache slot it fills
    source: str  # "cond" or "image"
    cell: int  # row * cols + col of the cond or image grid
    store: bool  # False: a placeholder, fed for its logits only


@dataclass(frozen=True)
class ParallelQuery:
    cell: int  # the image cell drawn from this query's logits
    item: int  # index into the feed's items


@dataclass
class ParallelFeed:
    window: int
    items: list[FeedItem]
    queries: list[ParallelQuery]


@dataclass
class ParallelStep:
    feeds: list[ParallelFeed]
    cells: list[int]  # drawn at this step, rows ascending: the draw order
    chunks: list[Chunk]
    release: list[int] = field(default_factory=list)


@dataclass
class ParallelPlan:
    windows: list[ParallelWindow]
    steps: list[ParallelStep]
    forwards: int
    positions: int


def parallel_spans(n: int, k: int) -> list[Span]:
    """Blocks of max(1, k//2) cells placed at the end of their window (offset clamp(end − k, 0, n − k)),
    consecutive blocks with the same offset merged."""
    if not (n >= k >= 1):
        raise ValueError(f"parallel spans need n ≥ k ≥ 1 (n={n}, k={k})")
    block = max(1, k // 2)
    spans: list[Span] = []
    for start in range(0, n, block):
        end = min(n, start + block)
        offset = min(n - k, max(0, end - k))
        if spans and spans[-1].offset == offset:
            spans[-1].end = end
        else:
            spans.append(Span(start, end, offset))
    return spans


PARALLEL_ORDERS = ("bands", "wavefront")


def parallel_plan(rows: int, cols: int, window_rows: int, window_cols: int, lead: int, order: str = "bands") -> ParallelPlan:
    """`order`: "bands" (2.x's: a band starts when the band above is complete) or "wavefront" (the lead
    rule holds across band borders too; shared/parallel-schedule.ts says why)."""
    if not isinstance(lead, int) or lead < 1:
        raise ValueError(f"lead must be an integer ≥ 1 (got {lead})")
    if order not in PARALLEL_ORDERS:
        raise ValueError(f"order must be one of {', '.join(PARALLEL_ORDERS)} (got {order!r})")
    H, W, kr, kc = rows, cols, window_rows, window_cols
    n = kr * kc
    bands = parallel_spans(H, kr)
    segments = parallel_spans(W, kc)
    segment_of = [0] * W
    for i, s in enumerate(segments):
        for c in range(s.start, s.end):
            segment_of[c] = i
    windows = [ParallelWindow(b.offset, s.offset) for b in bands for s in segments]
    valid = [bytearray(2 * n) for _ in windows]
    last_use = [-1] * len(windows)
    done = [0] * H
    steps: list[ParallelStep] = []
    forwards = positions = 0
    band_of = [0] * H
    for i, band in enumerate(bands):
        for r in range(band.start, band.end):
            band_of[r] = i
    # "bands": one pass per band; "wavefront": one pass over every row.
    passes = bands if order == "bands" else [Span(0, H, 0)]
    for span in passes:
        while True:
            active = [r for r in range(span.start, span.end) if done[r] < W and (r == span.start or done[r - 1] >= min(W, done[r] + lead))]
            if not active:
                break
            by_window: dict[int, list[tuple[int, int, int, int | None]]] = {}
            for r in active:
                c = done[r]
                w = band_of[r] * len(segments) + segment_of[c]
                top, left = windows[w].top, windows[w].left
                q = n + (r - top) * kc + (c - left) - 1
                placeholder = None
                if c == left and r > top:
                    above, end = r - 1, left + kc - 1
                    if done[above] <= end:
                        placeholder = above * W + done[above] - 1
                by_window.setdefault(w, []).append((r, c, q, placeholder))
            feeds: list[ParallelFeed] = []
            for w in sorted(by_window):
                queries = by_window[w]
                top, left = windows[w].top, windows[w].left
                slots = valid[w]
                max_q = max(x[2] for x in queries)
                placeholders = {x[2]: x[3] for x in queries if x[3] is not None}
                items: list[FeedItem] = []
                item_at: dict[int, int] = {}
                last_placeholder = -1
                for s in range(max_q + 1):
                    if s in placeholders:
                        item_at[s] = len(items)
                        items.append(FeedItem(s, "image", placeholders[s], False))
                        last_placeholder = s
                        continue
                    if slots[s]:
                        continue
                    local = s if s < n else s - n
                    row, col = top + local // kc, left + local % kc
                    if s >= n and col >= done[row]:
                        continue
                    if last_placeholder >= 0:
                        raise RuntimeError(f"parallel plan: stored position {s} after a placeholder at {last_placeholder}")
                    item_at[s] = len(items)
                    items.append(FeedItem(s, "cond" if s < n else "image", row * W + col, True))
                planned = []
                for r, c, q, _ in queries:
                    if q not in item_at:
                        raise RuntimeError(f"parallel plan: query position {q} of window {w} is neither fed nor a placeholder")
                    planned.append(ParallelQuery(r * W + c, item_at[q]))
                for it in items:
                    if it.store:
                        slots[it.position] = 1
                feeds.append(ParallelFeed(w, items, planned))
                last_use[w] = len(steps)
                forwards += 1
                positions += len(items)
            chunks, cells = [], []
            for r in active:
                c = done[r]
                cells.append(r * W + c)
                done[r] = c + 1
                seg, band = segments[segment_of[c]], bands[band_of[r]]
                if c + 1 == seg.end:
                    chunks.append(Chunk(r, seg.start, seg.end - seg.start, band.offset, seg.offset, r - band.offset, seg.start - seg.offset))
            steps.append(ParallelStep(feeds, cells, chunks))
    for w, step in enumerate(last_use):
        if step >= 0:
            steps[step].release.append(w)
    return ParallelPlan(windows, steps, forwards, positions)
