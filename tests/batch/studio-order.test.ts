/** The studio's batch rows are the engine's items in the engine's order: row i is item i. */
import { describe, expect, it } from 'vitest';
import { planBatch } from '../../engine/batch/plan.ts';
import { batchRows } from '../../renderer/src/state/batch-slice.ts';

describe('studio batch rows', () => {
  it('follow planBatch for unsorted, repeated and random seeds and any layout order', () => {
    const layout = { width: 8, height: 8, data: new Uint8Array(64) };
    const names = ['valley', 'Lake', 'alps'];
    const seeds = [3_000_000_000, 7, 7, 42, 1];
    const plan = planBatch(names.map((name) => ({ name, layout })), seeds);
    expect(batchRows(names, seeds)).toEqual(plan.map((p) => ({ layout: p.layout, seed: p.seed })));
  });
});
