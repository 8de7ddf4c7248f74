import { describe, expect, it } from 'vitest';
import { heatColour, heatmapPixels } from './heatmap.ts';

describe('entropy heat-map', () => {
  it('maps the ends of the ramp and normalises to the largest entropy', () => {
    expect(heatColour(0)).toEqual([13, 8, 135]);
    expect(heatColour(1)).toEqual([240, 249, 33]);
    const px = heatmapPixels(new Float32Array([0, 2, 4, 1]), 2, 2);
    expect([...px.slice(8, 11)]).toEqual([240, 249, 33]);
    expect([...px.slice(0, 3)]).toEqual([13, 8, 135]);
  });
});
