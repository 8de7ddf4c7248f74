import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineMessageSchema, EventSchema, GenerationResultSchema, ReplySchema, RequestSchema } from './protocol.ts';
import { decodeWire, encodeWire } from './wire.ts';

const settings = { seed: 7, temperature: 1, topK: 100, topP: 1, sampler: 'cached', stride: 4 } as const;
const layout = { width: 2, height: 2, data: new Uint8Array([0, 1, 1, 0]) };

describe('engine requests', () => {
  it('accepts a generate request and fills in defaults', () => {
    const parsed = RequestSchema.parse({ type: 'job.generate', id: 'r1', jobId: 'j1', model: 'tessera-landscapes-v1', layout, settings });
    expect(parsed.type === 'job.generate' && parsed.settings.decodedPreviews).toBe(true);
  });

  it('fills inpaint options with documented defaults', () => {
    const parsed = RequestSchema.parse({
      type: 'job.inpaint',
      id: 'r2',
      jobId: 'j2',
      model: 'm',
      image: { width: 1, height: 1, rgba: new Uint8Array(4) },
      mask: { width: 1, height: 1, data: new Uint8Array(1) },
      layout: { width: 1, height: 1, data: new Uint8Array(1) },
      settings,
    });
    expect(parsed.type === 'job.inpaint' && parsed.options).toEqual({ dilation: 0, blend: 4, keepOutside: true });
  });

  it('rejects malformed requests with a message naming the field', () => {
    const bad = RequestSchema.safeParse({ type: 'job.generate', id: 'r1', jobId: 'j1', model: 'm', layout: { ...layout, data: new Uint8Array(3) }, settings });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['layout', 'data']);
    expect(RequestSchema.safeParse({ type: 'job.generate', id: 'r1', jobId: 'j1', model: 'm', layout, settings: { ...settings, seed: -1 } }).success).toBe(false);
    expect(RequestSchema.safeParse({ type: 'job.explode', id: 'r1' }).success).toBe(false);
    expect(RequestSchema.safeParse({ type: 'models.list', id: 'r1', extra: true }).success).toBe(false);
  });

  it('never throws on arbitrary input (fuzz, 1,000 cases): it parses or reports issues', () => {
    const nearMiss = fc.record({
      type: fc.constantFrom('models.list', 'model.load', 'job.generate', 'job.cancel', 'job.batch', 'job.inpaint', 'nope'),
      id: fc.oneof(fc.string(), fc.integer()),
      jobId: fc.option(fc.string()),
      model: fc.option(fc.string()),
      layout: fc.option(fc.record({ width: fc.integer(), height: fc.integer(), data: fc.uint8Array({ maxLength: 16 }) })),
      settings: fc.option(fc.record({ seed: fc.double(), temperature: fc.double(), topK: fc.integer(), topP: fc.double(), sampler: fc.string(), stride: fc.integer() })),
    });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), nearMiss), (value) => {
        const result = RequestSchema.safeParse(value);
        return result.success || result.error.issues.length > 0;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('replies and events', () => {
  it('accepts ok and error replies, and rejects unknown error codes', () => {
    expect(ReplySchema.parse({ type: 'reply', id: 'a', ok: true, value: [] }).ok).toBe(true);
    expect(ReplySchema.safeParse({ type: 'reply', id: 'a', ok: false, error: { code: 'CANCELLED', message: 'Cancelled.' } }).success).toBe(true);
    expect(ReplySchema.safeParse({ type: 'reply', id: 'a', ok: false, error: { code: 'OOPS', message: 'x' } }).success).toBe(false);
  });

  it('accepts progress and preview events', () => {
    expect(EventSchema.parse({ type: 'job.progressed', jobId: 'j', tokensDone: 3, tokensTotal: 256, tokensPerSecond: 120, etaSeconds: 2.1 }).type).toBe('job.progressed');
    const preview = { type: 'job.windowCompleted', jobId: 'j', tokensDone: 16, preview: { kind: 'tokens', image: { width: 1, height: 1, rgba: new Uint8Array(4) } } };
    expect(EngineMessageSchema.parse(preview)).toEqual(preview);
  });
});

describe('wire codec', () => {
  it('carries typed arrays through JSON and back, bit for bit', () => {
    const result = {
      jobId: 'j',
      image: { width: 1, height: 2, rgba: new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255]) },
      tokens: new Uint16Array([65535, 3]),
      entropy: new Float32Array([0.1, Number.NaN]),
      grid: { rows: 1, cols: 2 },
      settings: { ...settings, decodedPreviews: true },
      modelId: 'm',
      backend: 'cpu',
      seconds: 1.5,
    };
    const decoded = GenerationResultSchema.parse(decodeWire(encodeWire(result)));
    expect(decoded.tokens).toEqual(result.tokens);
    expect(decoded.image.rgba).toEqual(result.image.rgba);
    expect(Number.isNaN(decoded.entropy[1])).toBe(true);
    expect(decoded.entropy[0]).toBe(result.entropy[0]);
  });

  it('leaves look-alike objects and malformed tags alone', () => {
    expect(decodeWire('{"$typed":"u16","b64":"AAEC"}')).toEqual({ $typed: 'u16', b64: 'AAEC' }); // 3 bytes: not a Uint16Array
    expect(decodeWire('{"$typed":"zz","b64":"AA=="}')).toEqual({ $typed: 'zz', b64: 'AA==' });
  });
});
