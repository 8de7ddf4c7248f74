/**
 * Fuzzing (fast-check, ≥ 1,000 cases each): the label-map reader and the request schemas never
 * crash. The reader either returns a label map of the PNG's size or throws a TesseraError; the
 * schemas only ever answer with a ZodError-style failure; the host answers every message with an
 * id, sends only protocol-valid messages and never throws.
 */
import fc from 'fast-check';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../shared/errors.ts';
import { decodeLabelPng } from '../../shared/labelmap.ts';
import { EngineMessageSchema, RequestSchema, type EngineMessage } from '../../shared/protocol.ts';
import { createEngineHost } from '../../electron/host/engine-host.ts';
import { createEngine } from '../../engine/engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { TesseraError as TE } from '../../shared/errors.ts';
import { fixtureManifest } from './support/fixture.ts';

const classes = fixtureManifest().classes;
const palette = classes.map((c) => [parseInt(c.color.slice(1, 3), 16), parseInt(c.color.slice(3, 5), 16), parseInt(c.color.slice(5, 7), 16)]);

function readsOrTesseraError(bytes: Uint8Array): void {
  try {
    const map = decodeLabelPng(bytes, classes);
    expect(map.data.length).toBe(map.width * map.height);
    expect(map.data.every((v) => v < classes.length)).toBe(true);
  } catch (error) {
    if (!(error instanceof TesseraError)) throw error;
  }
}

const pngImage = fc
  .record({ width: fc.integer({ min: 1, max: 24 }), height: fc.integer({ min: 1, max: 24 }), channels: fc.constantFrom(1, 2, 3, 4), usePalette: fc.boolean(), seed: fc.integer() })
  .map(({ width, height, channels, usePalette, seed }) => {
    let s = seed >>> 0;
    const next = (): number => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
    const data = new Uint8Array(width * height * channels);
    for (let i = 0; i < width * height; i++) {
      // Mostly class colours (so some images are valid), sometimes anything.
      const colour = palette[next() % palette.length] as number[];
      const wild = next() < 24;
      for (let c = 0; c < channels; c++) data[i * channels + c] = wild ? next() : channels === 1 ? next() % 7 : c < 3 ? (colour[c] as number) : next() < 240 ? 255 : next();
    }
    return usePalette && channels === 1 ? encode({ width, height, data, channels: 1, depth: 8, palette: palette.map((p) => [p[0], p[1], p[2]] as [number, number, number]) }) : encode({ width, height, data, channels, depth: 8 });
  });

describe('label-map reader fuzz', () => {
  it('survives arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => readsOrTesseraError(bytes)), { numRuns: 1000 });
  });

  it('reads or cleanly rejects generated PNGs of every kind', () => {
    fc.assert(fc.property(pngImage, (bytes) => readsOrTesseraError(bytes)), { numRuns: 1000 });
  });

  it('survives corrupted PNGs (bytes flipped, truncated)', () => {
    const corrupted = fc.tuple(pngImage, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }), fc.option(fc.nat())).map(([png, flips, cut]) => {
      const bytes = png.slice();
      for (const [at, x] of flips) {
        const i = 8 + (at % Math.max(1, bytes.length - 8));
        bytes[i] = (bytes[i] ?? 0) ^ x;
      }
      return cut === null ? bytes : bytes.slice(0, cut % bytes.length);
    });
    fc.assert(fc.property(corrupted, (bytes) => readsOrTesseraError(bytes)), { numRuns: 1000 });
  });
});

const requestTypes = ['models.list', 'model.load', 'model.verify', 'job.generate', 'job.batch', 'job.inpaint', 'job.outpaint', 'job.cancel', 'job.unknown'];
const field = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.uint8Array({ maxLength: 16 }), fc.array(fc.integer(), { maxLength: 4 }));
const nearRequest = fc.record(
  {
    type: fc.constantFrom(...requestTypes),
    id: fc.oneof(fc.string({ minLength: 0, maxLength: 140 }), fc.integer()),
    jobId: fc.string({ maxLength: 8 }),
    model: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
    backend: fc.oneof(fc.constantFrom('auto', 'cpu', 'webgpu', 'wasm', 'cuda'), field),
    layout: fc.oneof(
      fc.record({ width: fc.integer({ min: -2, max: 6 }), height: fc.integer({ min: -2, max: 6 }), data: fc.uint8Array({ maxLength: 40 }) }),
      field,
    ),
    settings: fc.oneof(
      fc.record({ seed: fc.oneof(fc.integer(), fc.double()), temperature: fc.double(), topK: fc.integer(), topP: fc.double(), sampler: fc.constantFrom('exact', 'cached', 'x'), stride: fc.integer({ min: -1, max: 70 }) }, { requiredKeys: [] }),
      field,
    ),
    extra: field,
  },
  { requiredKeys: ['type'] },
);

describe('request schema fuzz', () => {
  it('parses anything without throwing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), nearRequest), (value) => {
        const result = RequestSchema.safeParse(value);
        if (!result.success) expect(result.error.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('the host answers every message with a readable id with one protocol-valid reply, and never throws', async () => {
    const sent: EngineMessage[] = [];
    // A real engine over an empty catalog: any request that parses fails fast with MODEL_NOT_FOUND.
    const engine = createEngine({
      catalog: {
        list: async () => ({ bundles: [], problems: [] }),
        resolve: async (ref) => {
          throw new TE('MODEL_NOT_FOUND', `no ${ref}`);
        },
        defaultModel: async () => {
          throw new TE('MODEL_NOT_FOUND', 'none');
        },
        checkFiles: async () => [],
        source: () => ({ kind: 'bytes', bytes: new Uint8Array(0), name: 'none' }),
        readBytes: async () => new Uint8Array(0),
      },
      runtimes: async () => {
        throw new TE('BACKEND_UNAVAILABLE', 'no runtime in this test');
      },
      clock: () => performance.now(),
    });
    const host = createEngineHost({ send: (m) => sent.push(m), engine, logger: SILENT_LOGGER });
    let expectedReplies = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), nearRequest), async (value) => {
        const id = typeof value === 'object' && value !== null && 'id' in value ? (value as { id: unknown }).id : undefined;
        const answerable = typeof id === 'string' && id.length >= 1 && id.length <= 128;
        const before = sent.filter((m) => m.type === 'reply').length;
        expect(() => host.handle(value)).not.toThrow();
        await new Promise((r) => setTimeout(r, 0));
        const replies = sent.filter((m) => m.type === 'reply').length - before;
        if (answerable) expectedReplies++;
        expect(replies).toBeLessThanOrEqual(1);
        if (answerable) expect(replies).toBe(1);
        else expect(replies).toBe(0);
      }),
      { numRuns: 1000 },
    );
    for (const m of sent) expect(EngineMessageSchema.safeParse(m).success).toBe(true);
    expect(sent.filter((m) => m.type === 'reply').length).toBe(expectedReplies);
    await host.dispose();
    await engine.dispose();
  });
});
