/** The batch panel: which layouts and seeds, and the per-image state of the running batch. */
import type { StateCreator } from 'zustand';
import type { BatchItem } from '../../../shared/protocol.ts';
import type { Studio } from './store.ts';

export interface BatchSlice {
  batchUseCurrent: boolean;
  batchLayoutIds: string[];
  batchSeeds: string;
  batchItems: BatchItem[];
  batchOutDir: string | null;
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

export const createBatchSlice: StateCreator<Studio, [], [], BatchSlice> = (set) => ({
  batchUseCurrent: true,
  batchLayoutIds: [],
  batchSeeds: '1-4',
  batchItems: [],
  batchOutDir: null,
  setBatchUseCurrent: (batchUseCurrent) => set({ batchUseCurrent }),
  toggleBatchLayout: (id) => set((s) => ({ batchLayoutIds: s.batchLayoutIds.includes(id) ? s.batchLayoutIds.filter((x) => x !== id) : [...s.batchLayoutIds, id] })),
  setBatchSeeds: (batchSeeds) => set({ batchSeeds }),
  setBatchItems: (batchItems) => set({ batchItems }),
  updateBatchItem: (index, item) => set((s) => ({ batchItems: s.batchItems.map((x, i) => (i === index ? item : x)) })),
  setBatchOutDir: (batchOutDir) => set({ batchOutDir }),
});
