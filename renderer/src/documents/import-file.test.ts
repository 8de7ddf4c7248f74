import { describe, expect, it } from 'vitest';
import { encode } from 'fast-png';
import { encodeLabelPng } from '../../../shared/labelmap.ts';
import { importLabelPng, looksLikeLabelPng } from './import-file.ts';

const classes = [
  { id: 0, name: 'sky', color: '#0000ff' },
  { id: 1, name: 'water', color: '#00ff00' },
];

describe('label PNG import', () => {
  it('reads a palette-coloured label map', () => {
    const layout = { width: 16, height: 16, data: new Uint8Array(256).fill(1) };
    const png = encodeLabelPng(layout, classes);
    expect(looksLikeLabelPng(png)).toBe(true);
    expect(importLabelPng(png, classes, 8, { rows: 2, cols: 2 }).data).toEqual(layout.data);
  });

  it('lists unknown colours in a readable error', () => {
    const rgb = new Uint8Array(16 * 16 * 3);
    for (let i = 0; i < 256; i++) rgb.set(i < 10 ? [0x12, 0x34, 0x56] : [0, 0, 255], i * 3);
    const png = encode({ width: 16, height: 16, data: rgb, channels: 3, depth: 8 });
    expect(looksLikeLabelPng(png)).toBe(true);
    expect(() => importLabelPng(png, classes, 8, { rows: 2, cols: 2 })).toThrow(/unknown colours: #123456 \(10 px, first at x=0, y=0\)/);
  });

  it('refuses sizes that are not multiples of the grid, naming ones that work', () => {
    const png = encodeLabelPng({ width: 20, height: 16, data: new Uint8Array(320) }, classes);
    expect(() => importLabelPng(png, classes, 8, { rows: 2, cols: 2 })).toThrow(/16×16 or 24×16/);
  });

  it('treats many-coloured PNGs as pictures', () => {
    const rgb = new Uint8Array(32 * 32 * 3).map((_, i) => (i * 37) % 256);
    expect(looksLikeLabelPng(encode({ width: 32, height: 32, data: rgb, channels: 3, depth: 8 }))).toBe(false);
  });
});
