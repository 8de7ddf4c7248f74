/**
 * Writes shared/schema/bundle-manifest.schema.json from the zod manifest schema, so that the
 * Python toolkit validates bundles against exactly the rules the engine applies.
 * `--check` fails (exit 1) when the committed file is stale; `npm test` runs it that way.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ManifestSchema } from '../shared/manifest.ts';

const target = fileURLToPath(new URL('../shared/schema/bundle-manifest.schema.json', import.meta.url));
const schema = z.toJSONSchema(ManifestSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
const text = `${JSON.stringify({ ...schema, $id: 'https://tessera.invalid/schema/bundle-manifest.schema.json', title: 'Tessera model bundle manifest' }, null, 2)}\n`;

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // A missing file is stale too.
  }
  if (current !== text) {
    console.error(`${target} is out of date with shared/manifest.ts: run "npm run schema" and commit the result.`);
    process.exit(1);
  }
  console.log('bundle-manifest.schema.json is up to date');
} else {
  writeFileSync(`${target}.tmp`, text);
  renameSync(`${target}.tmp`, target);
  console.log(`wrote ${target}`);
}
