import { describe, expect, it } from 'vitest';
import { decode } from 'fast-png';
import { DEFAULT_SETTINGS } from '../state/generation-slice.ts';
import type { GalleryEntry } from '../state/types.ts';
import { encodeResultPng } from './png-export.ts';

describe('PNG export', () => {
  it('writes the pixels and the parameters as tEXt', () => {
    const rgba = new Uint8Array(2 * 2 * 4).map((_, i) => i * 7);
    const entry: GalleryEntry = {
      id: 'r',
      createdAt: 0,
      kind: 'generate',
      modelId: 'tiny',
      modelName: 'Tiny',
      layout: { width: 2, height: 2, data: new Uint8Array(4) },
      result: { jobId: 'j', image: { width: 2, height: 2, rgba }, tokens: new Uint16Array(1), entropy: new Float32Array(1), grid: { rows: 1, cols: 1 }, settings: { ...DEFAULT_SETTINGS, seed: 42 }, modelId: 'tiny', backend: 'cpu', seconds: 0.5 },
    };
    const png = decode(encodeResultPng(entry));
    expect([...png.data]).toEqual([...rgba]);
    expect(JSON.parse(png.text['tessera:parameters'] as string)).toMatchObject({ model: 'tiny', seed: 42, sampler: 'cached' });
    expect(png.text.Software).toBe('Tessera');
  });
});
