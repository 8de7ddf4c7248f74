/**
 * The page engine's parts on the real engine and real files, in Node (which has fetch and
 * WebCrypto): the bundle catalog and model store over HTTP (sha256-verified, a tampered file
 * refused), and the core host with the in-memory batch FS — a batch with an output folder,
 * resumed, then zipped (what the static build's "Download zip" gets).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { EngineMessageSchema, type EngineMessage } from '../../shared/protocol.ts';
import { createCoreEngineHost } from '../../engine/host/engine-host.ts';
import { SILENT_LOGGER } from '../../engine/logger.ts';
import { createNodeEngine } from '../../engine/node/create-node-engine.ts';
import { createMemoryBatchFs } from '../../web/batch/memory-batch-fs.ts';
import { zipFolder } from '../../web/batch/zip-folder.ts';
import { createModelStore } from '../../web/models/model-store.ts';
import { WebBundleCatalog } from '../../web/models/web-bundle-catalog.ts';
import { FIXTURE_DIR, referenceLayouts } from '../engine/support/fixture.ts';

const ID = 'tessera-tiny-fixture';
let server: http.Server;
let base = '';
/** URL path → bytes that the test server answers with instead of the file (a tampered copy). */
const overrides = new Map<string, Uint8Array>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x').pathname;
    if (url === '/models/index.json') return void res.end(JSON.stringify({ bundles: [ID] }));
    const m = /^\/models\/tessera-tiny-fixture\/([\w.-]+)$/.exec(url);
    if (!m) return void res.writeHead(404).end();
    const bytes = overrides.get(url) ?? (() => {
      try {
        return readFileSync(path.join(FIXTURE_DIR, m[1] as string));
      } catch {
        return null;
      }
    })();
    if (!bytes) return void res.writeHead(404).end();
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the page engine catalog and model store', () => {
  it('lists the build\'s bundles and verifies every file against its sha256', async () => {
    const catalog = new WebBundleCatalog(`${base}models/`, createModelStore(base));
    const { bundles, problems } = await catalog.list();
    expect(problems).toEqual([]);
    expect(bundles.map((b) => [b.id, b.origin])).toEqual([[ID, 'embedded']]);
    const entry = await catalog.defaultModel();
    const checks = await catalog.checkFiles(entry);
    expect(checks.length).toBe(4);
    expect(checks.every((c) => c.ok)).toBe(true);
    const bytes = await catalog.readBytes(entry, entry.manifest.files.transformer);
    expect(bytes.length).toBe(entry.manifest.files.transformer.bytes);
    await expect(catalog.resolve('nope')).rejects.toThrow(/No model "nope" in this static build/);
  });

  it('refuses a served file that does not match its manifest hash, and says what to do', async () => {
    const original = readFileSync(path.join(FIXTURE_DIR, 'cond_encoder.onnx'));
    const tampered = Uint8Array.from(original);
    tampered[100] = (tampered[100] as number) ^ 0xff;
    overrides.set('/models/tessera-tiny-fixture/cond_encoder.onnx', tampered);
    try {
      const catalog = new WebBundleCatalog(`${base}models/`, createModelStore(base));
      const checks = await catalog.checkFiles(await catalog.defaultModel());
      const bad = checks.find((c) => c.name === 'files.condEncoder.sha256');
      expect(bad?.ok).toBe(false);
      expect(bad?.message).toMatch(/does not match its sha256.*npm run build:web/);
    } finally {
      overrides.clear();
    }
  });
});

describe('the core host with the in-memory batch FS', () => {
  it('runs a batch into a folder in memory, resumes it without redoing images, and zips it', async () => {
    const engine = createNodeEngine({ backend: 'cpu', hashCacheFile: null, logger: SILENT_LOGGER, userDirs: [`${FIXTURE_DIR}/..`] });
    const fs = createMemoryBatchFs();
    const sent: EngineMessage[] = [];
    const host = createCoreEngineHost({ send: (m) => sent.push(EngineMessageSchema.parse(m)), engine, batchFs: fs });
    const layout = referenceLayouts()[2]!.layout;
    const settings = { seed: 1, temperature: 1, topK: 8, topP: 1, sampler: 'cached' as const, stride: 4, decodedPreviews: false };
    const reply = async (id: string): Promise<Extract<EngineMessage, { type: 'reply' }>> => {
      for (let i = 0; i < 3000; i++) {
        const r = sent.find((m): m is Extract<EngineMessage, { type: 'reply' }> => m.type === 'reply' && m.id === id);
        if (r) return r;
        await new Promise((res) => setTimeout(res, 10));
      }
      throw new Error(`no reply to ${id}`);
    };
    try {
      const request = { type: 'job.batch', jobId: 'b1', model: ID, layouts: [{ name: 'lake', layout }], seeds: [5, 6], settings, outDir: 'my-batch' };
      host.handle({ ...request, id: 'r1' });
      const first = await reply('r1');
      expect(first.ok).toBe(true);
      host.handle({ ...request, jobId: 'b2', id: 'r2' });
      const second = await reply('r2');
      expect(second.ok && (second.value as { items: Array<{ state: string }> }).items.map((i) => i.state)).toEqual(['skipped', 'skipped']);
      const zip = await zipFolder(fs, 'my-batch');
      expect(zip.name).toBe('my-batch.zip');
      const names = Object.keys(unzipSync(zip.bytes)).sort();
      expect(names.filter((n) => n.endsWith('.png') && !n.endsWith('contact.png'))).toHaveLength(2);
      expect(names).toContain('my-batch/batch.json');
      expect(names.some((n) => n.includes('.tmp'))).toBe(false);
      await expect(zipFolder(fs, 'elsewhere')).rejects.toThrow(/holds no files in this browser/);
    } finally {
      await host.dispose();
      await engine.dispose();
    }
  });
});
