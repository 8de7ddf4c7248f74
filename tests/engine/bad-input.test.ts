/**
 * Bad input gets a clear, typed error and leaves the engine usable: unknown colours, sizes off the
 * grid, canvases over the limit, NaN logits, truncated ONNX files, manifests that do not match
 * their files, and cancellation in the middle of a forward. Real onnxruntime-node throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../../shared/errors.ts';
import { decodeLabelPng } from '../../shared/labelmap.ts';
import { encode } from 'fast-png';
import type { EngineEvent, GenerationSettings } from '../../shared/protocol.ts';
import type { Manifest } from '../../shared/manifest.ts';
import type { Engine } from '../../engine/engine.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { FIXTURE_DIR, fixtureManifest, referenceLayouts } from './support/fixture.ts';
import { cleanupBundles, copyFixture, readBundleFile, replaceFile, withConcatTransformer } from './support/bundles.ts';
import { nanTransformer } from './support/onnx-writer.ts';

const layout = referenceLayouts()[2]!.layout; // 64×32 px
const settings: GenerationSettings = { seed: 1, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 4, decodedPreviews: false };
let engine: Engine;
let n = 0;

beforeAll(async () => {
  engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, maxCanvas: { width: 512, height: 512 } });
  await engine.loadModel(FIXTURE_DIR, 'cpu');
});
afterAll(async () => {
  await engine.dispose();
  cleanupBundles();
});

async function failure(p: Promise<unknown>): Promise<TesseraError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof TesseraError) return error;
    throw error;
  }
  throw new Error('expected a TesseraError, but it succeeded');
}

/** After each failure the same engine must still generate. */
async function stillWorks(): Promise<void> {
  const r = await engine.generate({ jobId: `ok-${n++}`, model: FIXTURE_DIR, layout, settings }, () => undefined);
  expect(r.tokens.length).toBe(32);
}

describe('layouts', () => {
  it('reports unknown colours with their counts and positions', () => {
    const rgb = new Uint8Array(32 * 32 * 3).fill(0x7f);
    rgb.set([1, 2, 3], 3 * (5 * 32 + 7));
    const error = (() => {
      try {
        decodeLabelPng(encode({ width: 32, height: 32, data: rgb, channels: 3, depth: 8 }), fixtureManifest().classes);
      } catch (e) {
        return e as TesseraError;
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe('UNKNOWN_COLOURS');
    expect(error.message).toContain('#010203 (1 px, first at x=7, y=5)');
    expect(error.message).toContain('#7f7f7f (1023 px');
  });

  it('refuses sizes off the grid and names sizes that work', async () => {
    const bad = { width: 60, height: 32, data: new Uint8Array(60 * 32) };
    const error = await failure(engine.generate({ jobId: `bad-${n++}`, model: FIXTURE_DIR, layout: bad, settings }, () => undefined));
    expect(error.code).toBe('BAD_CANVAS_SIZE');
    expect(error.message).toMatch(/not a multiple of the grid factor 8.*56×32, 64×32/);
    await stillWorks();
  });

  it('refuses canvases smaller than a window and over the configured limit', async () => {
    const small = await failure(engine.generate({ jobId: `bad-${n++}`, model: FIXTURE_DIR, layout: { width: 24, height: 32, data: new Uint8Array(24 * 32) }, settings }, () => undefined));
    expect(small.code).toBe('BAD_CANVAS_SIZE');
    expect(small.message).toContain('smaller than one 4×4-token window');
    const big = await failure(engine.generate({ jobId: `bad-${n++}`, model: FIXTURE_DIR, layout: { width: 520, height: 32, data: new Uint8Array(520 * 32) }, settings }, () => undefined));
    expect(big.code).toBe('BAD_CANVAS_SIZE');
    expect(big.message).toContain('over the canvas limit of 512×512');
    await stillWorks();
  });

  it('refuses class indices the model does not have, and strides wider than the window', async () => {
    const data = new Uint8Array(64 * 32);
    data[100] = 9;
    const error = await failure(engine.generate({ jobId: `bad-${n++}`, model: FIXTURE_DIR, layout: { width: 64, height: 32, data }, settings }, () => undefined));
    expect(error.code).toBe('BAD_INPUT');
    expect(error.message).toContain('9 (1 px, first at x=36, y=1)');
    const stride = await failure(engine.generate({ jobId: `bad-${n++}`, model: FIXTURE_DIR, layout, settings: { ...settings, stride: 5 } }, () => undefined));
    expect(stride.code).toBe('BAD_INPUT');
    await stillWorks();
  });
});

describe('models', () => {
  it('turns NaN logits into NUMERIC_ERROR', async () => {
    const m = fixtureManifest();
    const bundle = copyFixture((dir, manifest) => withConcatTransformer(dir, manifest, nanTransformer(m.transformer.layers, m.transformer.heads, m.transformer.width / m.transformer.heads, m.transformer.vocabSize)));
    const error = await failure(engine.generate({ jobId: `nan-${n++}`, model: bundle.dir, layout, settings: { ...settings, sampler: 'exact', stride: 1 } }, () => undefined));
    expect(error.code).toBe('NUMERIC_ERROR');
    expect(error.message).toContain('NaN logits at token row 0, column 0');
    await stillWorks();
  });

  it('reports a truncated ONNX file by its size, and onnxruntime’s refusal when the manifest agrees with it', async () => {
    const bundle = copyFixture((dir, manifest) => replaceFile(dir, manifest, 'transformer', readBundleFile(dir, manifest, 'transformer').slice(0, 70000), false));
    const bySize = await failure(engine.loadModel(bundle.dir, 'cpu'));
    expect(bySize.code).toBe('MODEL_HASH_MISMATCH');
    expect(bySize.message).toMatch(/transformer\.onnx is 70000 bytes, the manifest says \d+: the file is truncated/);
    const agreeing = copyFixture((dir, manifest) => replaceFile(dir, manifest, 'transformer', readBundleFile(dir, manifest, 'transformer').slice(0, 70000), true));
    const byOrt = await failure(engine.loadModel(agreeing.dir, 'cpu'));
    expect(byOrt.code).toBe('MODEL_INVALID');
    expect(byOrt.message).toContain('could not load the transformer graph');
    expect(byOrt.message).toContain('truncated');
    await stillWorks();
  });

  it('refuses a damaged image encoder when the model loads, though generating never runs it', async () => {
    // Found by the fuzz corpus (bundle/truncated-onnx): with the encoder opened on first use, a
    // 1-byte image_encoder.onnx whose manifest agreed loaded and generated, and failed only at the
    // user's first inpaint or outpaint.
    const bundle = copyFixture((dir, manifest) => replaceFile(dir, manifest, 'imageEncoder', readBundleFile(dir, manifest, 'imageEncoder').slice(0, 1), true));
    const error = await failure(engine.loadModel(bundle.dir, 'cpu'));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('could not load the image encoder graph');
    await stillWorks();
  });

  it('reports a changed file by its hash', async () => {
    const bundle = copyFixture((dir, manifest) => {
      const bytes = readBundleFile(dir, manifest, 'imageDecoder');
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
      replaceFile(dir, manifest, 'imageDecoder', bytes, false);
    });
    const error = await failure(engine.loadModel(bundle.dir, 'cpu'));
    expect(error.code).toBe('MODEL_HASH_MISMATCH');
    expect(error.message).toContain('image_decoder.onnx has sha256');
    const report = await engine.verifyModel(bundle.dir);
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'files.imageDecoder.sha256')?.ok).toBe(false);
  });

  it('reports manifests that do not match the graphs: vocabulary, classes, tensor names, layers', async () => {
    const cases: Array<[string, (m: ReturnType<typeof fixtureManifest>) => ReturnType<typeof fixtureManifest>, RegExp]> = [
      ['vocab', (m) => ({ ...m, transformer: { ...m.transformer, vocabSize: 48 } }), /has 32 logits \(vocabulary width\), but the manifest says 48/],
      ['classes', (m) => ({ ...m, classes: m.classes.slice(0, 4) }), /lists 4 classes, but the cond encoder's first convolution takes 5 one-hot channels/],
      ['names', (m) => ({ ...m, tensors: { ...m.tensors, transformer: { ...m.tensors.transformer, logits: 'scores' } } }), /no output "scores" \(it has logits float32\[B,S,32\]/],
      ['layers', (m) => ({ ...m, transformer: { ...m.transformer, layers: 3 } }), /no input "past_key_2"/],
      ['heads', (m) => ({ ...m, transformer: { ...m.transformer, heads: 4 } }), /has 2 heads, but the manifest says 4/],
    ];
    for (const [name, edit, pattern] of cases) {
      const bundle = copyFixture((_dir, m) => ({ ...edit(m), previewColors: m.previewColors }));
      const error = await failure(engine.loadModel(bundle.dir, 'cpu'));
      expect(error.code, name).toBe('MODEL_INVALID');
      expect(error.message, name).toMatch(pattern);
    }
    await stillWorks();
  });

  it('reports an invalid manifest and an unknown model id clearly', async () => {
    const bundle = copyFixture((_dir, m) => ({ ...m, gridFactor: 12 as Manifest['gridFactor'] })); // deliberately invalid
    const invalid = await failure(engine.loadModel(bundle.dir, 'cpu'));
    expect(invalid.code).toBe('MODEL_INVALID');
    expect(invalid.message).toContain('gridFactor: must be a power of two');
    const unknown = await failure(engine.loadModel('no-such-model', 'cpu'));
    expect(unknown.code).toBe('MODEL_NOT_FOUND');
    expect(unknown.message).toContain('No model with id "no-such-model"');
  });

  it('says MODEL_NOT_FOUND with advice when there is no embedded default model', async () => {
    const none = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, embeddedDirs: ['/nonexistent/tessera-models'] });
    const error = await failure(none.loadModel('default'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('Pass --model');
    await none.dispose();
  });
});

describe('cancellation', () => {
  it('stops within one window when cancelled in the middle of a forward, and the engine stays usable', async () => {
    const model = await engine.model(FIXTURE_DIR);
    const session = model.transformerSession;
    const run = session.run.bind(session);
    let started = 0;
    let finished = 0;
    let cancelAt = -1;
    // Count real forwards (delegating to onnxruntime) and cancel while the 5th one is in flight.
    session.run = (feeds, fetches) => {
      started++;
      if (started === 5) {
        cancelAt = started;
        queueMicrotask(() => engine.cancel('cancel-me'));
      }
      return run(feeds, fetches).finally(() => finished++);
    };
    const events: EngineEvent[] = [];
    try {
      const big = { width: 256, height: 256, data: new Uint8Array(256 * 256) };
      const t0 = performance.now();
      const error = await failure(engine.generate({ jobId: 'cancel-me', model: FIXTURE_DIR, layout: big, settings: { ...settings, sampler: 'exact', stride: 1 } }, (e) => events.push(e)));
      expect(error.code).toBe('CANCELLED');
      expect(performance.now() - t0).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 50));
      expect(started).toBe(cancelAt); // no forward started after the cancel
      expect(finished).toBe(started); // the one in flight finished in the background
      expect(events.at(-1)).toMatchObject({ type: 'job.failed', jobId: 'cancel-me', error: { code: 'CANCELLED' } });
    } finally {
      session.run = run;
    }
    await stillWorks();
  });

  it('cancels a queued job before it starts', async () => {
    const first = engine.generate({ jobId: 'q1', model: FIXTURE_DIR, layout, settings }, () => undefined);
    const second = engine.generate({ jobId: 'q2', model: FIXTURE_DIR, layout, settings }, () => undefined);
    expect(engine.cancel('q2')).toBe(true);
    expect((await failure(second)).code).toBe('CANCELLED');
    expect((await first).tokens.length).toBe(32);
    expect(engine.cancel('q2')).toBe(false);
  });
});
