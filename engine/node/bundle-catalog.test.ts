/**
 * Bundle folders that try to read outside themselves, found by the bad-input corpus
 * (scripts/fuzz, door `bundle`): a manifest.json that is a symlink to a device, and ONNX files
 * that are symlinks to copies outside the folder (so every hash matches).
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TesseraError } from '../../shared/errors.ts';
import { MAX_MANIFEST_BYTES, NodeBundleCatalog, readBundle } from './bundle-catalog.ts';

const FIXTURE = path.resolve(import.meta.dirname, '../../assets/fixtures/tessera-tiny');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-catalog-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function bundle(): string {
  const dir = path.join(tmp, `b${n++}`, 'bundle');
  cpSync(FIXTURE, dir, { recursive: true, filter: (src) => !src.endsWith('.pt') });
  return dir;
}

async function refusal(p: Promise<unknown>): Promise<TesseraError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof TesseraError) return error;
    throw error;
  }
  throw new Error('expected a TesseraError');
}

describe('reading manifest.json', () => {
  it('refuses a manifest.json that is a symlink to an endless device, at once and in bounded memory', async () => {
    for (const device of ['/dev/zero', '/dev/urandom']) {
      const dir = bundle();
      unlinkSync(path.join(dir, 'manifest.json'));
      symlinkSync(device, path.join(dir, 'manifest.json'));
      const t0 = performance.now();
      const error = await refusal(readBundle(dir, 'path'));
      expect(error.code).toBe('MODEL_INVALID');
      expect(error.message).toMatch(/not a regular file/);
      expect(performance.now() - t0).toBeLessThan(1000);
    }
  });

  it('refuses a manifest.json that is a folder, or larger than any manifest', async () => {
    const folder = bundle();
    unlinkSync(path.join(folder, 'manifest.json'));
    mkdirSync(path.join(folder, 'manifest.json'));
    expect((await refusal(readBundle(folder, 'path'))).message).toMatch(/not a regular file/);
    const big = bundle();
    writeFileSync(path.join(big, 'manifest.json'), ' '.repeat(MAX_MANIFEST_BYTES + 1));
    expect((await refusal(readBundle(big, 'path'))).message).toMatch(/more than any bundle manifest/);
  });
});

describe('bundle files', () => {
  it('reports a file that is a symlink to an identical copy outside the bundle', async () => {
    const dir = bundle();
    const outside = path.join(path.dirname(dir), 'outside');
    mkdirSync(outside);
    copyFileSync(path.join(dir, 'cond_encoder.onnx'), path.join(outside, 'cond_encoder.onnx'));
    unlinkSync(path.join(dir, 'cond_encoder.onnx'));
    symlinkSync(path.join(outside, 'cond_encoder.onnx'), path.join(dir, 'cond_encoder.onnx'));
    copyFileSync(path.join(dir, 'transformer.onnx'), path.join(outside, 'transformer.onnx'));
    unlinkSync(path.join(dir, 'transformer.onnx'));
    symlinkSync('../outside/transformer.onnx', path.join(dir, 'transformer.onnx'));
    const catalog = new NodeBundleCatalog({ embeddedDirs: [], hashCacheFile: null, env: {} });
    const checks = await catalog.checkFiles(await catalog.resolve(dir));
    const bad = checks.filter((c) => !c.ok);
    expect(bad.map((c) => c.name).sort()).toEqual(['files.condEncoder.inside', 'files.transformer.inside']);
    expect(bad[0]?.message).toMatch(/outside the bundle folder/);
  });

  it('accepts a symlink that stays inside the bundle, and refuses one to a device', async () => {
    const dir = bundle();
    mkdirSync(path.join(dir, 'graphs'));
    copyFileSync(path.join(dir, 'cond_encoder.onnx'), path.join(dir, 'graphs', 'cond_encoder.onnx'));
    unlinkSync(path.join(dir, 'cond_encoder.onnx'));
    symlinkSync('graphs/cond_encoder.onnx', path.join(dir, 'cond_encoder.onnx'));
    unlinkSync(path.join(dir, 'image_decoder.onnx'));
    symlinkSync('/dev/zero', path.join(dir, 'image_decoder.onnx'));
    const catalog = new NodeBundleCatalog({ embeddedDirs: [], hashCacheFile: null, env: {} });
    const entry = await catalog.resolve(dir);
    const checks = await catalog.checkFiles(entry);
    expect(checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['files.imageDecoder.present']);
    await expect(catalog.readBytes(entry, entry.manifest.files.imageDecoder)).rejects.toThrow(/not a regular file/);
  });
});
