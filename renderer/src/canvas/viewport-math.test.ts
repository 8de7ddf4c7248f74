import { describe, expect, it } from 'vitest';
import { fitView, mapToScreen, screenToMap, zoomAt } from './viewport-math.ts';

describe('viewport maths', () => {
  it('round-trips between screen and map', () => {
    const view = { zoom: 2.5, panX: 13, panY: -7 };
    const m = screenToMap(view, 100, 50);
    expect(mapToScreen(view, m.x, m.y)).toEqual({ x: 100, y: 50 });
  });

  it('zooming keeps the point under the cursor fixed', () => {
    const view = { zoom: 1, panX: 10, panY: 20 };
    const before = screenToMap(view, 200, 150);
    const after = screenToMap(zoomAt(view, 200, 150, 2), 200, 150);
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
  });

  it('fits and centres the map', () => {
    const v = fitView(1024, 512, 800, 600, 0);
    expect(v.zoom).toBeCloseTo(800 / 1024);
    expect(v.panX).toBeCloseTo(0);
    expect(v.panY).toBeCloseTo((600 - 512 * v.zoom) / 2);
  });
});
