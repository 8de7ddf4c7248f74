/** The batch panel: which layouts and seeds, and the per-image state of the running batch. */
import type { StateCreator } from 'zustand';
import type { BatchItem, GenerationSettings } from '../../../shared/protocol.ts';
import type { Studio } from './store.ts';
import type { Layout } from './types.ts';

/** What a batch run asked for, kept so a cancelled or failed batch can be resumed exactly (random seeds included). */
export interface BatchPlan {
  modelId: string;
  layouts: Array<{ name: string; layout: Layout }>;
  seeds: number[];
  settings: GenerationSettings;
  /** The output folder under serve mode's root: resuming goes back to the same one. */
  folder: string;
}

export interface BatchSlice {
  batchUseCurrent: boolean;
  batchLayoutIds: string[];
  batchSeeds: string;
  batchItems: BatchItem[];
  batchOutDir: string | null;
  /** The last batch run, for Resume (null until one ran). */
  batchPlan: BatchPlan | null;
  setBatchPlan(plan: BatchPlan | null): void;
  /**
   * The last run was refused because its folder holds a batch made with another model or other
   * settings (the engine's details.batchConflict): the folder and the engine's words, so the panel
   * can offer to mix them. Null otherwise.
   */
  batchConflict: { folder: string; message: string } | null;
  setBatchConflict(conflict: { folder: string; message: string } | null): void;
  /** A batch image started: its row says so (progress and rows tell the same story). */
  markBatchRunning(index: number): void;
  /** The run stopped (cancel, failure): rows still running go back to pending; finished ones stay. */
  settleBatchItems(): void;
  setBatchUseCurrent(on: boolean): void;
  toggleBatchLayout(id: string): void;
  setBatchSeeds(text: string): void;
  setBatchItems(items: BatchItem[]): void;
  updateBatchItem(index: number, item: BatchItem): void;
  setBatchOutDir(dir: string | null): void;
}

/**
 * Parses the seed field: numbers and ranges separated by commas or spaces ("1-4, 42"), or "×N" /
 * "xN" for N random seeds. Returns an error message instead of throwing.
 */
export function parseSeeds(text: string, random: () => number): { seeds: number[] } | { error: string } {
  const trimmed = text.trim();
  const randomCount = /^[x×]\s*(\d+)$/i.exec(trimmed);
  if (randomCount) {
    const n = Number(randomCount[1]);
    if (n < 1 || n > 10000) return { error: 'Ask for 1 to 10000 random seeds.' };
    return { seeds: Array.from({ length: n }, random) };
  }
  const seeds: number[] = [];
  for (const part of trimmed.split(/[\s,]+/).filter(Boolean)) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      if (b < a || b - a >= 10000) return { error: `"${part}" is not a usable range.` };
      for (let s = a; s <= b; s++) seeds.push(s);
    } else if (/^\d+$/.test(part) && Number(part) <= 0xffffffff) seeds.push(Number(part));
    else return { error: `"${part}" is not a seed (use numbers 0–4294967295, ranges like 1-4, or x4 for four random seeds).` };
  }
  if (seeds.length === 0) return { error: 'Enter at least one seed.' };
  if (seeds.length > 10000) return { error: 'At most 10000 seeds per batch.' };
  return { seeds };
}

/**
 * The rows of a batch in the engine's order (engine/batch/plan.ts planBatch: layout names
 * in code-unit order, then unique seeds ascending), so row i is the engine's item i.
 */
export function batchRows(layoutNames: readonly string[], seeds: readonly number[]): Array<{ layout: string; seed: number }> {
  const names = [...layoutNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const unique = [...new Set(seeds)].sort((a, b) => a - b);
  return names.flatMap((layout) => unique.map((seed) => ({ layout, seed })));
}

/**
 * Seeds sampled together per forward in the studio: grouping is faster, but a group's images
 * finish together, so a cancel loses the group in flight. Small batches go one image at a time;
 * larger ones keep at least four groups (so a cancel keeps most of the finished work).
 */
export function studioGroupSize(total: number): number {
  return Math.max(1, Math.min(4, Math.floor(total / 4)));
}

/** Finished rows (made now, or found finished in the folder) and the ones being made. */
export function batchCounts(items: readonly BatchItem[]): { finished: number; failed: number; running: BatchItem[]; total: number } {
  let finished = 0;
  let failed = 0;
  const running: BatchItem[] = [];
  for (const i of items) {
    if (i.state === 'done' || i.state === 'skipped') finished++;
    else if (i.state === 'failed') failed++;
    else if (i.state === 'running') running.push(i);
  }
  return { finished, failed, running, total: items.length };
}

export const createBatchSlice: StateCreator<Studio, [], [], BatchSlice> = (set) => ({
  batchUseCurrent: true,
  batchLayoutIds: [],
  batchSeeds: '1-4',
  batchItems: [],
  batchOutDir: null,
  batchPlan: null,
  setBatchPlan: (batchPlan) => set({ batchPlan }),
  batchConflict: null,
  setBatchConflict: (batchConflict) => set({ batchConflict }),
  markBatchRunning: (index) =>
    set((s) => {
      const item = s.batchItems[index];
      if (!item || item.state !== 'pending') return {};
      return { batchItems: s.batchItems.map((x, i) => (i === index ? { ...x, state: 'running' as const } : x)) };
    }),
  settleBatchItems: () => set((s) => ({ batchItems: s.batchItems.map((x) => (x.state === 'running' ? { ...x, state: 'pending' as const } : x)) })),
  setBatchUseCurrent: (batchUseCurrent) => set({ batchUseCurrent }),
  toggleBatchLayout: (id) => set((s) => ({ batchLayoutIds: s.batchLayoutIds.includes(id) ? s.batchLayoutIds.filter((x) => x !== id) : [...s.batchLayoutIds, id] })),
  setBatchSeeds: (batchSeeds) => set({ batchSeeds }),
  setBatchItems: (batchItems) => set({ batchItems }),
  updateBatchItem: (index, item) => set((s) => ({ batchItems: s.batchItems.map((x, i) => (i === index ? item : x)) })),
  setBatchOutDir: (batchOutDir) => set({ batchOutDir }),
});
