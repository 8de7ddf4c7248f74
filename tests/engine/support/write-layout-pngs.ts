/**
 * Writes the reference layouts of assets/fixtures/tessera-tiny/reference-samples.json as
 * palette-coloured PNGs into tests/engine/fixtures/ (for the CLI and its tests):
 *   npx tsx tests/engine/support/write-layout-pngs.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeLabelPng } from '../../../shared/labelmap.ts';
import { fixtureManifest, referenceLayouts, REPO } from './fixture.ts';

const classes = fixtureManifest().classes;
for (const l of referenceLayouts()) {
  const file = path.join(REPO, 'tests', 'engine', 'fixtures', `${l.name}.png`);
  writeFileSync(file, encodeLabelPng(l.layout, classes));
  console.log(`wrote ${path.relative(REPO, file)}`);
}
