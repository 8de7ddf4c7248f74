import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashCache } from './hash-cache.ts';

describe('HashCache', () => {
  it('hashes once, then answers from the JSON cache until size or mtime change', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hash-'));
    const file = path.join(dir, 'model.onnx');
    const cacheFile = path.join(dir, 'cache', 'hashes.json');
    writeFileSync(file, 'hello');
    const first = await new HashCache(cacheFile).sha256(file);
    expect(first).toMatchObject({ sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824', cached: false });
    expect(JSON.parse(readFileSync(cacheFile, 'utf8')).files[file].sha256).toBe(first.sha256);
    expect((await new HashCache(cacheFile).sha256(file)).cached).toBe(true);
    writeFileSync(file, 'hellO');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const changed = await new HashCache(cacheFile).sha256(file);
    expect(changed.cached).toBe(false);
    expect(changed.sha256).not.toBe(first.sha256);
  });
});
