import { describe, expect, it } from 'vitest';
import type { GridSize, WindowSize } from './grid.ts';
import { parallelPlan, parallelSpans, type ParallelOrder, type ParallelPlan } from './parallel-schedule.ts';

const W16: WindowSize = { rows: 16, cols: 16 };

/**
 * Replays a plan and returns every broken invariant the samplers rely on (plain checks, not one
 * `expect` per position: a replay visits hundreds of thousands of them).
 */
function replay(grid: GridSize, window: WindowSize, lead: number, plan: ParallelPlan, order: ParallelOrder = 'bands'): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: () => string): void => {
    if (!ok && problems.length < 10) problems.push(`${grid.rows}×${grid.cols} window ${window.rows}×${window.cols} lead ${lead}: ${what()}`);
  };
  const n = window.rows * window.cols;
  const bands = parallelSpans(grid.rows, window.rows);
  const done = new Int32Array(grid.rows);
  const sampled = new Uint8Array(grid.rows * grid.cols);
  const valid = plan.windows.map(() => new Uint8Array(2 * n));
  const released = new Set<number>();
  plan.steps.forEach((step, index) => {
    // Rows ascending, one token each, at the row's next column; the row above far enough ahead.
    const rows = step.cells.map((c) => Math.floor(c / grid.cols));
    check(rows.every((r, i) => i === 0 || r > (rows[i - 1] as number)), () => `step ${index}: rows ${rows.join(',')} not ascending`);
    for (const cell of step.cells) {
      const row = Math.floor(cell / grid.cols);
      const col = cell % grid.cols;
      check(col === done[row], () => `step ${index}: row ${row} at column ${col}, expected ${done[row]}`);
      const bandStart = bands.find((b) => row >= b.start && row < b.end)?.start;
      if (order === 'wavefront' ? row > 0 : row !== bandStart) check((done[row - 1] as number) >= Math.min(grid.cols, col + lead), () => `step ${index}: row ${row} column ${col} before the row above is ${lead} ahead`);
      else if (row > 0) check(done[row - 1] === grid.cols, () => `step ${index}: band at row ${row} starts before the band above is done`);
    }
    const queried: number[] = [];
    for (const feed of step.feeds) {
      check(!released.has(feed.window), () => `step ${index}: window ${feed.window} fed after its release`);
      const { top, left } = plan.windows[feed.window] as { top: number; left: number };
      const slots = valid[feed.window] as Uint8Array;
      const fed = new Set(feed.items.map((it) => it.position));
      const cellAt = (s: number): number => {
        const local = s < n ? s : s - n;
        return (top + Math.floor(local / window.cols)) * grid.cols + left + (local % window.cols);
      };
      feed.items.forEach((it, i) => {
        check(i === 0 || it.position > (feed.items[i - 1] as { position: number }).position, () => `step ${index}: positions not ascending`);
        check(it.position < 2 * n - 1, () => `step ${index}: position ${it.position} fed`);
        const cell = cellAt(it.position);
        if (it.store) {
          // A stored item is the token at its own position, known before this step, stored once.
          check(it.cell === cell && it.source === (it.position < n ? 'cond' : 'image'), () => `step ${index}: item at ${it.position} reads the wrong cell`);
          if (it.source === 'image') check(sampled[cell] === 1, () => `step ${index}: stored position ${it.position} is not sampled yet`);
          check(slots[it.position] === 0, () => `step ${index}: position ${it.position} stored twice`);
        } else {
          // A placeholder stands at the end of the row above, not sampled yet; its own token is; nothing stored after it.
          check(it.source === 'image' && sampled[cell] === 0 && sampled[it.cell] === 1, () => `step ${index}: placeholder at ${it.position} is wrong`);
          check(feed.items.every((o) => !o.store || o.position < it.position), () => `step ${index}: a stored item after the placeholder at ${it.position}`);
        }
      });
      for (const q of feed.queries) {
        const row = Math.floor(q.cell / grid.cols);
        const col = q.cell % grid.cols;
        const lr = row - top;
        const lc = col - left;
        check(lr >= 0 && lr < window.rows && lc >= 0 && lc < window.cols, () => `step ${index}: cell ${q.cell} outside window ${feed.window}`);
        const position = (feed.items[q.item] as { position: number }).position;
        check(position === n + lr * window.cols + lc - 1, () => `step ${index}: cell ${q.cell} predicted from position ${position}`);
        queried.push(q.cell);
        // Everything before the query that is known is in the cache or in this feed.
        for (let s = 0; s < position; s++) {
          if (s < n || sampled[cellAt(s)]) check(slots[s] === 1 || fed.has(s), () => `step ${index}: known position ${s} missing before the query at ${position}`);
        }
      }
      for (const it of feed.items) if (it.store) slots[it.position] = 1;
    }
    check(queried.length === step.cells.length && step.cells.every((c) => queried.includes(c)), () => `step ${index}: queries ${queried.join(',')} ≠ cells ${step.cells.join(',')}`);
    for (const cell of step.cells) {
      sampled[cell] = 1;
      const row = Math.floor(cell / grid.cols);
      done[row] = (done[row] as number) + 1;
    }
    for (const w of step.release) released.add(w);
  });
  check(sampled.every((v) => v === 1), () => 'not every cell drawn');
  check(released.size === plan.windows.length, () => 'not every window released');
  return problems;
}

describe('parallelSpans', () => {
  it('keeps a grid no larger than the window as one span', () => {
    expect(parallelSpans(16, 16)).toEqual([{ start: 0, end: 16, offset: 0 }]);
    expect(parallelSpans(4, 4)).toEqual([{ start: 0, end: 4, offset: 0 }]);
  });

  it('puts each half-window block at the end of its window, merging equal placements', () => {
    expect(parallelSpans(24, 16)).toEqual([
      { start: 0, end: 16, offset: 0 },
      { start: 16, end: 24, offset: 8 },
    ]);
    expect(parallelSpans(32, 16)).toEqual([
      { start: 0, end: 16, offset: 0 },
      { start: 16, end: 24, offset: 8 },
      { start: 24, end: 32, offset: 16 },
    ]);
    // An odd window, and a last block that is shorter: clamped to the grid's end.
    expect(parallelSpans(21, 15)).toEqual([
      { start: 0, end: 14, offset: 0 },
      { start: 14, end: 21, offset: 6 },
    ]);
  });

  it('gives every cell past the first window at least half a window of context before it, and no span past 0 starts at its window edge', () => {
    for (const [n, k] of [[24, 16], [40, 16], [128, 16], [7, 4], [9, 3], [33, 15]] as const) {
      const spans = parallelSpans(n, k);
      expect(spans[0]!.start).toBe(0);
      expect(spans.at(-1)!.end).toBe(n);
      for (const [i, s] of spans.entries()) {
        if (i > 0) expect(s.start).toBe(spans[i - 1]!.end);
        expect(s.offset).toBeGreaterThanOrEqual(0);
        expect(s.offset + k).toBeLessThanOrEqual(n);
        expect(s.end).toBeLessThanOrEqual(s.offset + k); // the span fits its window
        if (i > 0) expect(s.start - s.offset).toBeGreaterThanOrEqual(Math.floor(k / 2)); // left context
      }
    }
  });
});

describe('parallelPlan', () => {
  it('decodes a one-window 16×16 grid in W + (H − 1)·lead steps, one forward each', () => {
    for (const [lead, steps] of [[1, 31], [2, 46], [4, 76], [8, 136], [16, 256]] as const) {
      const plan = parallelPlan({ rows: 16, cols: 16 }, W16, lead);
      expect(plan.steps.length).toBe(steps);
      expect(plan.forwards).toBe(steps);
      expect(plan.windows).toEqual([{ top: 0, left: 0 }]);
      // Every row is one preview chunk: the whole row of the one window.
      expect(plan.steps.flatMap((s) => s.chunks).map((c) => [c.row, c.col, c.count])).toEqual(Array.from({ length: 16 }, (_, r) => [r, 0, 16]));
    }
  });

  it('with a lead of the grid width is the cached sampler on one window: positions 0..2n−2 in order, no placeholder', () => {
    const plan = parallelPlan({ rows: 16, cols: 16 }, W16, 16);
    const items = plan.steps.flatMap((s) => s.feeds.flatMap((f) => f.items));
    expect(items.every((it) => it.store)).toBe(true);
    expect(items.map((it) => it.position)).toEqual(Array.from({ length: 511 }, (_, i) => i));
    expect(plan.positions).toBe(511);
    expect(plan.steps.every((s) => s.cells.length === 1)).toBe(true);
  });

  it('starts each row with a placeholder for the unsampled end of the row above when the lead is short', () => {
    const plan = parallelPlan({ rows: 16, cols: 16 }, W16, 2);
    const placeholders = plan.steps.flatMap((s) => s.feeds.flatMap((f) => f.items.filter((it) => !it.store)));
    expect(placeholders.length).toBe(15);
    // Row r's first token: the row above has sampled its first 2 columns; the placeholder is the second.
    expect(placeholders[0]).toEqual({ position: 256 + 15, source: 'image', cell: 1, store: false });
    expect(plan.positions).toBe(511 + 15);
  });

  it('holds every invariant the samplers rely on, across grids, windows and leads', () => {
    const cases: Array<[GridSize, WindowSize]> = [
      [{ rows: 16, cols: 16 }, W16],
      [{ rows: 24, cols: 24 }, W16],
      [{ rows: 32, cols: 40 }, W16],
      [{ rows: 17, cols: 33 }, W16],
      [{ rows: 6, cols: 7 }, { rows: 4, cols: 4 }],
      [{ rows: 7, cols: 6 }, { rows: 4, cols: 4 }],
      [{ rows: 4, cols: 8 }, { rows: 4, cols: 4 }],
      [{ rows: 9, cols: 11 }, { rows: 3, cols: 5 }],
    ];
    for (const [grid, window] of cases) {
      for (const lead of [1, 2, 3, 8, 64]) {
        for (const order of ['bands', 'wavefront'] as const) expect(replay(grid, window, lead, parallelPlan(grid, window, lead, order), order)).toEqual([]);
      }
    }
  });

  it('wavefront: a band starts lead columns behind the band above, with the same forwards and far fewer steps', () => {
    const grid = { rows: 64, cols: 64 };
    const bands = parallelPlan(grid, W16, 2, 'bands');
    const wave = parallelPlan(grid, W16, 2, 'wavefront');
    // The same windows and forwards (each (band, segment) window runs as often); the bands overlap in time.
    expect(wave.windows).toEqual(bands.windows);
    expect(wave.forwards).toBe(bands.forwards);
    expect(wave.steps.length).toBe(64 + 63 * 2);
    expect(bands.steps.length).toBeGreaterThan(2.5 * wave.steps.length);
    // Row 16 (band 2's first row) draws column 0 two steps after row 15 did, not after row 15 ends.
    const stepOf = (cell: number, plan: ParallelPlan): number => plan.steps.findIndex((s) => s.cells.includes(cell));
    expect(stepOf(16 * 64, wave) - stepOf(15 * 64, wave)).toBe(2);
    expect(stepOf(16 * 64, bands)).toBeGreaterThan(stepOf(15 * 64 + 63, bands));
    // A one-window grid has one band: both orders are the same plan.
    expect(parallelPlan({ rows: 16, cols: 16 }, W16, 2, 'wavefront')).toEqual(parallelPlan({ rows: 16, cols: 16 }, W16, 2, 'bands'));
  });

  it('needs fewer forwards than one per token on larger grids too', () => {
    const plan = parallelPlan({ rows: 32, cols: 32 }, W16, 2);
    expect(plan.forwards).toBeLessThan(1024 / 3);
    expect(Math.max(...plan.steps.map((s) => s.feeds.length))).toBeLessThanOrEqual(3);
  });

  it('refuses a lead below 1 or not an integer', () => {
    expect(() => parallelPlan({ rows: 16, cols: 16 }, W16, 0)).toThrow(RangeError);
    expect(() => parallelPlan({ rows: 16, cols: 16 }, W16, 1.5)).toThrow(RangeError);
  });
});
