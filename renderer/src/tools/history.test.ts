import { describe, expect, it } from 'vitest';
import { createLabelMap } from '../../../shared/labelmap.ts';
import { brushSegment } from './brush.ts';
import { floodFill } from './flood-fill.ts';
import { emptyHistory, MAX_STEPS, MIN_STEPS, pushEntry, step } from './history.ts';
import { applyPatch } from './patch.ts';
import { StrokeRecorder } from './stroke-recorder.ts';
import { toArt } from './test-helpers.ts';

describe('undo history', () => {
  it('undoes and redoes patches and clears redo on a new edit', () => {
    const map = createLabelMap(3, 1);
    let history = emptyHistory();
    for (const x of [0, 1, 2]) {
      const patch = brushSegment(map, { x, y: 0 }, { x, y: 0 }, 1, x + 1);
      applyPatch(map, patch);
      history = pushEntry(history, { kind: 'patch', label: 'brush', patch });
    }
    expect(toArt(map)).toEqual(['123']);
    history = step(history, map, 'undo')!.history;
    history = step(history, map, 'undo')!.history;
    expect(toArt(map)).toEqual(['100']);
    history = step(history, map, 'redo')!.history;
    expect(toArt(map)).toEqual(['120']);
    const patch = brushSegment(map, { x: 2, y: 0 }, { x: 2, y: 0 }, 1, 9);
    applyPatch(map, patch);
    history = pushEntry(history, { kind: 'patch', label: 'brush', patch });
    expect(history.redo).toHaveLength(0);
    expect(step(history, map, 'redo')).toBeNull();
  });

  it(`keeps at least ${MIN_STEPS} full-canvas steps of a 1024×1024 map as small diffs`, () => {
    const map = createLabelMap(1024, 1024);
    let history = emptyHistory();
    for (let i = 0; i < 110; i++) {
      const patch = floodFill(map, 0, 0, (i % 5) + 1);
      applyPatch(map, patch);
      history = pushEntry(history, { kind: 'patch', label: 'fill', patch });
    }
    expect(history.undo.length).toBeGreaterThanOrEqual(MIN_STEPS);
    const bytes = history.undo.reduce((s, e) => s + (e.kind === 'patch' ? e.patch.starts.byteLength * 2 + e.patch.before.length * 2 : 0), 0);
    expect(bytes).toBeLessThan(5 * 1024 * 1024); // 110 whole copies would be 110 MB
    for (let i = 0; i < 110; i++) history = step(history, map, 'undo')?.history ?? history;
    expect(map.data.every((v) => v === 0)).toBe(true);
  });

  it('drops the oldest steps only beyond the step limit', () => {
    const map = createLabelMap(4, 1);
    let history = emptyHistory();
    for (let i = 0; i < MAX_STEPS + 20; i++) {
      const patch = brushSegment(map, { x: i % 4, y: 0 }, { x: i % 4, y: 0 }, 1, (i % 7) + 1);
      applyPatch(map, patch);
      history = pushEntry(history, { kind: 'patch', label: 'dab', patch });
    }
    expect(history.undo.length).toBe(MAX_STEPS);
  });

  it('size-changing entries swap the map object', () => {
    const small = createLabelMap(2, 2);
    const big = createLabelMap(4, 4, 1);
    let history = pushEntry(emptyHistory(), { kind: 'replace', label: 'resize', before: small, after: big });
    const undone = step(history, big, 'undo')!;
    expect(undone.map).toBe(small);
    history = undone.history;
    expect(step(history, small, 'redo')!.map).toBe(big);
  });

  it('a stroke of many overlapping segments becomes one exact undo step', () => {
    const map = createLabelMap(8, 8);
    const recorder = new StrokeRecorder(map);
    const points = [{ x: 1, y: 1 }, { x: 4, y: 2 }, { x: 6, y: 6 }, { x: 2, y: 5 }];
    for (let i = 1; i < points.length; i++) {
      const patch = brushSegment(map, points[i - 1]!, points[i]!, 3, 2);
      recorder.record(patch);
      applyPatch(map, patch);
    }
    const painted = toArt(map);
    const stroke = recorder.finish();
    applyPatch(map, stroke, 'backward');
    expect(map.data.every((v) => v === 0)).toBe(true);
    applyPatch(map, stroke, 'forward');
    expect(toArt(map)).toEqual(painted);
  });
});
