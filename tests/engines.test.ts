/**
 * The Node requirement is the real one: every installed package (dev tools included) accepts the
 * lowest version package.json's engines allows, and the README states that version. Before, the
 * README and package.json said ≥ 20.19 while Electron 45's tooling wants ≥ 22.12 (npm printed
 * EBADENGINE warnings on a clean install).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// semver (npm's own, installed with the tooling) has no bundled types.
const semver = createRequire(import.meta.url)('semver') as { subset(sub: string, sup: string): boolean };
const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };

describe('the Node requirement', () => {
  it('is accepted by every package in the lockfile (every version it allows)', () => {
    const refusing = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && p.engines && !Array.isArray(p.engines) && typeof p.engines.node === 'string' && !semver.subset(pkg.engines.node, p.engines.node))
      .map(([name, p]) => `${name.replace(/^node_modules\//, '')}@${p.version} wants node ${(p.engines as { node: string }).node}`);
    expect(refusing).toEqual([]);
  });

  it('is the one the README states', () => {
    expect(readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain(`(\`package.json\` engines: \`${pkg.engines.node}\``);
  });
});
