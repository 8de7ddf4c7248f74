/**
 * The parallel sampler's plan (docs/SAMPLING.md, "parallel"): several token rows decoded at once,
 * each row starting once the row above is `lead` columns ahead (the spatial-locality idea of ZipAR,
 * He et al., ICML 2025), with one KV cache per window, addressed by sequence position. Pure
 * functions, no I/O; training/parallel_schedule.py is a line-for-line port, so the engine and the
 * Python reference run the same forwards on the same positions and draw in the same order.
 *
 * Windows. Rows are cut into bands and columns into segments (`parallelSpans`): blocks of half a
 * window, each placed so that the block sits at the end of its window (as much context above and to
 * the left as the grid allows), consecutive blocks with the same placement merged. Every token of
 * band b and segment s uses the window (top of b, left of s). So a grid no larger than the window is
 * one window; otherwise a token has at least half a window of context above and to the left inside
 * its window (except at the grid's top and left edges), and no segment starts a row at local column 0
 * past the grid's left edge.
 *
 * Order. At every step each row whose next column c may go decodes it: a row may when the row above
 * has sampled min(width, c + lead) columns. With the `wavefront` order that rule is all (the first row
 * of the grid always may); with `bands` (2.x's) bands run one after another and a band's first row
 * always may. A step runs one forward per window that has a token to decode, then draws the step's
 * tokens, rows ascending.
 *
 * Feeds. A token at window position p is predicted by the logits at position p − 1: its left
 * neighbour, or at local column 0 the last column of the row above in the window (or the last cond
 * position). A window's feed at a step is every position up to the step's largest query position
 * whose token is known (cond, or sampled at an earlier step) and not yet in the window's cache (its
 * keys and values are stored), plus, where a query position's token is not sampled yet (a row
 * starting at local column 0 ahead of the row above's end), a placeholder: the row above's latest
 * sampled token at that position, fed for its logits only and never stored.
 */
import type { Chunk, GridSize, WindowSize } from './grid.ts';

/** Cells [start, end) of one axis that share a window offset. */
export interface Span {
  start: number;
  end: number;
  /** Window start (top for rows, left for columns). */
  offset: number;
}

/**
 * One axis of `n` cells with a window of `k`: blocks of max(1, ⌊k/2⌋) cells, each placed at the end
 * of its window (offset = clamp(end − k, 0, n − k)); consecutive blocks with the same offset merge.
 */
export function parallelSpans(n: number, k: number): Span[] {
  if (!(Number.isInteger(n) && Number.isInteger(k) && k >= 1 && n >= k)) throw new RangeError(`parallel spans need n ≥ k ≥ 1 (n=${n}, k=${k})`);
  const block = Math.max(1, Math.floor(k / 2));
  const spans: Span[] = [];
  for (let start = 0; start < n; start += block) {
    const end = Math.min(n, start + block);
    const offset = Math.min(n - k, Math.max(0, end - k));
    const last = spans[spans.length - 1];
    if (last && last.offset === offset) last.end = end;
    else spans.push({ start, end, offset });
  }
  return spans;
}

export interface ParallelWindow {
  top: number;
  left: number;
}

/** One position fed to a window's forward. */
export interface FeedItem {
  /** Position in the window sequence (cond window ++ image window) and the cache slot it fills. */
  position: number;
  /** Where its token comes from: a cell (row·cols + col) of the cond grid or of the image grid. */
  source: 'cond' | 'image';
  cell: number;
  /** Keys and values are written to the cache (false: a placeholder, for its logits only). */
  store: boolean;
}

export interface ParallelQuery {
  /** The image cell (row·cols + col) this query's logits draw. */
  cell: number;
  /** Index into the feed's items of the position whose logits predict it. */
  item: number;
}

export interface ParallelFeed {
  window: number;
  items: FeedItem[];
  queries: ParallelQuery[];
}

export interface ParallelStep {
  /** One forward each, windows ascending. */
  feeds: ParallelFeed[];
  /** The cells drawn at this step, rows ascending: the draw order. */
  cells: number[];
  /** Row segments finished at this step (a preview each), rows ascending. */
  chunks: Chunk[];
  /** Windows no later step feeds: their caches can go. */
  release: number[];
}

export interface ParallelPlan {
  windows: ParallelWindow[];
  steps: ParallelStep[];
  /** Forwards (feeds) and positions per sample, for the stats. */
  forwards: number;
  positions: number;
}

export const MIN_LEAD = 1;

/**
 * How rows of different bands overlap. `bands`: a band starts once the band above is complete (2.x).
 * `wavefront`: the lead rule holds across band borders too, so a band's first row starts `lead`
 * columns behind the band above's last row, and every row sees the same staircase of context above
 * it. Why: under `bands`, a band's first row saw complete rows above while the rows under it saw
 * the staircase, and that change of context every half window drew horizontal edges in smooth skies.
 */
export const PARALLEL_ORDERS = ['bands', 'wavefront'] as const;
export type ParallelOrder = (typeof PARALLEL_ORDERS)[number];

export function parallelPlan(grid: GridSize, window: WindowSize, lead: number, order: ParallelOrder = 'bands'): ParallelPlan {
  if (!Number.isInteger(lead) || lead < MIN_LEAD) throw new RangeError(`lead must be an integer ≥ ${MIN_LEAD} (got ${lead})`);
  const { rows: H, cols: W } = grid;
  const { rows: kr, cols: kc } = window;
  const n = kr * kc;
  const bands = parallelSpans(H, kr);
  const segments = parallelSpans(W, kc);
  const segmentOf = new Int32Array(W);
  segments.forEach((s, i) => segmentOf.fill(i, s.start, s.end));
  const windows: ParallelWindow[] = [];
  for (const b of bands) for (const s of segments) windows.push({ top: b.offset, left: s.offset });
  const valid = windows.map(() => new Uint8Array(2 * n));
  const lastUse = new Array<number>(windows.length).fill(-1);
  const done = new Int32Array(H);
  const steps: ParallelStep[] = [];
  let forwards = 0;
  let positions = 0;

  const bandOf = new Int32Array(H);
  bands.forEach((band, i) => bandOf.fill(i, band.start, band.end));
  // `bands`: one pass per band; `wavefront`: one pass over every row.
  const passes: Span[] = order === 'bands' ? bands : [{ start: 0, end: H, offset: 0 }];
  for (const pass of passes) {
    for (;;) {
      const active: number[] = [];
      for (let r = pass.start; r < pass.end; r++) {
        const c = done[r] as number;
        if (c >= W) continue;
        if (r === pass.start || (done[r - 1] as number) >= Math.min(W, c + lead)) active.push(r);
      }
      if (active.length === 0) break;
      // Queries grouped by window, rows ascending.
      const byWindow = new Map<number, Array<{ row: number; col: number; q: number; placeholder: number | null }>>();
      for (const r of active) {
        const c = done[r] as number;
        const w = (bandOf[r] as number) * segments.length + (segmentOf[c] as number);
        const { top, left } = windows[w] as ParallelWindow;
        const q = n + (r - top) * kc + (c - left) - 1;
        let placeholder: number | null = null;
        if (c === left && r > top) {
          const above = r - 1;
          const end = left + kc - 1;
          if ((done[above] as number) <= end) placeholder = above * W + (done[above] as number) - 1;
        }
        const list = byWindow.get(w) ?? [];
        list.push({ row: r, col: c, q, placeholder });
        byWindow.set(w, list);
      }
      const feeds: ParallelFeed[] = [];
      for (const w of [...byWindow.keys()].sort((x, y) => x - y)) {
        const queries = byWindow.get(w) as Array<{ row: number; col: number; q: number; placeholder: number | null }>;
        const { top, left } = windows[w] as ParallelWindow;
        const slots = valid[w] as Uint8Array;
        const maxQ = Math.max(...queries.map((x) => x.q));
        const placeholders = new Map<number, number>();
        for (const x of queries) if (x.placeholder !== null) placeholders.set(x.q, x.placeholder);
        const items: FeedItem[] = [];
        const itemAt = new Map<number, number>();
        let lastPlaceholder = -1;
        for (let s = 0; s <= maxQ; s++) {
          const ph = placeholders.get(s);
          if (ph !== undefined) {
            itemAt.set(s, items.length);
            items.push({ position: s, source: 'image', cell: ph, store: false });
            lastPlaceholder = s;
            continue;
          }
          if (slots[s]) continue;
          const local = s < n ? s : s - n;
          const row = top + Math.floor(local / kc);
          const col = left + (local % kc);
          if (s >= n && col >= (done[row] as number)) continue;
          if (lastPlaceholder >= 0) throw new Error(`parallel plan: stored position ${s} after a placeholder at ${lastPlaceholder}`);
          itemAt.set(s, items.length);
          items.push({ position: s, source: s < n ? 'cond' : 'image', cell: row * W + col, store: true });
        }
        const planned: ParallelQuery[] = queries.map((x) => {
          const item = itemAt.get(x.q);
          if (item === undefined) throw new Error(`parallel plan: query position ${x.q} of window ${w} is neither fed nor a placeholder`);
          return { cell: x.row * W + x.col, item };
        });
        for (const it of items) if (it.store) slots[it.position] = 1;
        feeds.push({ window: w, items, queries: planned });
        lastUse[w] = steps.length;
        forwards++;
        positions += items.length;
      }
      const chunks: Chunk[] = [];
      const cells: number[] = [];
      for (const r of active) {
        const c = done[r] as number;
        cells.push(r * W + c);
        done[r] = c + 1;
        const seg = segments[segmentOf[c] as number] as Span;
        const band = bands[bandOf[r] as number] as Span;
        if (c + 1 === seg.end) {
          chunks.push({ row: r, col: seg.start, count: seg.end - seg.start, top: band.offset, left: seg.offset, localRow: r - band.offset, localCol: seg.start - seg.offset });
        }
      }
      steps.push({ feeds, cells, chunks, release: [] });
    }
  }
  lastUse.forEach((step, w) => {
    if (step >= 0) (steps[step] as ParallelStep).release.push(w);
  });
  return { windows, steps, forwards, positions };
}

/** The lead when neither the job nor the model's defaults give one. */
export const DEFAULT_LEAD = 2;
