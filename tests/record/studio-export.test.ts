/**
 * The studio's PNG export is the one record format (shared/result-record.ts): the CLI's reader
 * takes it, and for the same result it is byte for byte what `generate` writes.
 */
import { describe, expect, it } from 'vitest';
import { encodeResultPng as encodeCliPng, readResultPng } from '../../electron/cli/support/png.ts';
import { makeRecord } from '../../shared/result-record.ts';
import type { GalleryEntry } from '../../renderer/src/state/types.ts';
import { encodeResultPng, resultFileName } from '../../renderer/src/documents/png-export.ts';

const safeFileName = (name: string): string => name.replace(/[^\w.-]+/g, '-');
const layout = { width: 2, height: 2, data: new Uint8Array([0, 1, 2, 3]) };
function entry(over: Partial<GalleryEntry> = {}): GalleryEntry {
  return {
    id: 'res-abc-1',
    createdAt: 0,
    kind: 'generate',
    modelId: 'tessera-landscapes-v1',
    modelName: 'Landscapes',
    modelVersion: '2.1.2',
    layout,
    result: {
      jobId: 'gen-1',
      image: { width: 2, height: 2, rgba: new Uint8Array([9, 8, 7, 255, 6, 5, 4, 255, 3, 2, 1, 255, 0, 0, 0, 255]) },
      tokens: new Uint16Array(1),
      entropy: new Float32Array(1),
      grid: { rows: 1, cols: 1 },
      settings: { seed: 5, temperature: 0.9, topK: 50, topP: 1, sampler: 'cached', stride: 4, decodedPreviews: true },
      modelId: 'tessera-landscapes-v1',
      backend: 'cpu',
      seconds: 3.2,
    },
    ...over,
  };
}

describe('studio PNG export', () => {
  it('is read by the CLI (--reproduce gets the layout and settings) and equals what generate writes', () => {
    const e = entry();
    const bytes = encodeResultPng(e);
    const back = readResultPng(bytes);
    expect(back.layout).toEqual(layout);
    expect(back.record.settings).toMatchObject({ seed: 5, temperature: 0.9, topK: 50 });
    expect(back.record.model).toEqual({ id: 'tessera-landscapes-v1', version: '2.1.2' });
    const cli = encodeCliPng(e.result.image, makeRecord({ model: { id: e.modelId, version: '2.1.2' }, layout, settings: e.result.settings, backend: 'cpu' }), layout, e.result);
    expect(Buffer.from(bytes).equals(Buffer.from(cli))).toBe(true);
  });

  it('takes the model version from the model list for entries saved without one', () => {
    const bytes = encodeResultPng(entry({ modelVersion: undefined }), [{ id: 'tessera-landscapes-v1', version: '2.1.2' } as never]);
    expect(readResultPng(bytes).record.model.version).toBe('2.1.2');
  });

  it('names files apart even when the seed is locked', () => {
    const a = resultFileName(entry({ id: 'res-lq1-aa' }), safeFileName);
    const b = resultFileName(entry({ id: 'res-lq2-bb' }), safeFileName);
    expect(a).toMatch(/^tessera-tessera-landscapes-v1-seed5-generate-lq1-aa\.png$/);
    expect(a).not.toBe(b);
  });
});
