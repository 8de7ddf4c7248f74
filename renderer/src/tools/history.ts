/**
 * Undo/redo over label-map diffs. Entries are patches (pixel runs) or, for the rare edits that
 * change the canvas size (resize, import), the two maps. At least MIN_STEPS entries are always
 * kept; older ones are dropped only past both the step limit and the memory budget.
 */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { LabelPatch } from './patch.ts';
import { applyPatch, isEmptyPatch, patchBytes } from './patch.ts';

export type HistoryEntry =
  | { kind: 'patch'; label: string; patch: LabelPatch }
  | { kind: 'replace'; label: string; before: LabelMap; after: LabelMap };

export const MIN_STEPS = 100;
export const MAX_STEPS = 500;
export const BUDGET_BYTES = 256 * 1024 * 1024;

function entryBytes(entry: HistoryEntry): number {
  return entry.kind === 'patch' ? patchBytes(entry.patch) : entry.before.data.length + entry.after.data.length;
}

export interface HistoryState {
  undo: HistoryEntry[];
  redo: HistoryEntry[];
}

export function emptyHistory(): HistoryState {
  return { undo: [], redo: [] };
}

/** Records an edit that is already applied. A new edit clears redo (an empty patch changes nothing). */
export function pushEntry(history: HistoryState, entry: HistoryEntry): HistoryState {
  if (entry.kind === 'patch' && isEmptyPatch(entry.patch)) return history;
  const undo = [...history.undo, entry];
  let bytes = undo.reduce((sum, e) => sum + entryBytes(e), 0);
  while (undo.length > MIN_STEPS && (undo.length > MAX_STEPS || bytes > BUDGET_BYTES)) {
    bytes -= entryBytes(undo.shift() as HistoryEntry);
  }
  return { undo, redo: [] };
}

/**
 * Applies one step in `direction` to `map` and returns the new history plus the map to use next
 * (a different object only for size-changing entries).
 */
export function step(history: HistoryState, map: LabelMap, direction: 'undo' | 'redo'): { history: HistoryState; map: LabelMap; entry: HistoryEntry } | null {
  const from = direction === 'undo' ? history.undo : history.redo;
  const entry = from[from.length - 1];
  if (!entry) return null;
  let next = map;
  if (entry.kind === 'patch') applyPatch(map, entry.patch, direction === 'undo' ? 'backward' : 'forward');
  else next = direction === 'undo' ? entry.before : entry.after;
  const rest = from.slice(0, -1);
  return direction === 'undo'
    ? { history: { undo: rest, redo: [...history.redo, entry] }, map: next, entry }
    : { history: { undo: [...history.undo, entry], redo: rest }, map: next, entry };
}
