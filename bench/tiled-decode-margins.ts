/**
 * How far a tiled decode is from a whole decode, per tile size and context margin (the table in
 * docs/PERFORMANCE.md, "Tiled decoding"). Token grids come from `generate --tokens-out`:
 *
 *   npm run cli -- generate --layout L --size 512x512 --seed 7 --out a.png --tokens-out a.json
 *   npx tsx bench/tiled-decode-margins.ts [--model ID|PATH] [--sizes 40,44,48] [--margins 0,2,4,8] [--blends 0,2,4] a.json …
 *
 * Prints, per file, tile size (decoded tokens per side), margin and blend band: the largest and mean difference of the RGB bytes, the share of
 * bytes more than 2/255 off, and the decode time (the whole decode's time on the first line).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createNodeEngine } from '../engine/node/create-node-engine.ts';
import { SILENT_LOGGER } from '../engine/logger.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string', default: 'default' }, sizes: { type: 'string', default: '40,44,48' }, margins: { type: 'string', default: '0,2,4,8' }, blends: { type: 'string', default: '0,2,4' } },
});
const list = (s: string): number[] => s.split(',').map(Number);

/** Whole-decode tiling: larger than any canvas the engine accepts. */
const WHOLE = { size: 1 << 20, margin: 0, blend: 0 };

const engine = createNodeEngine({ backend: 'cpu', logger: SILENT_LOGGER });
try {
  const model = await engine.model(values.model);
  for (const file of positionals) {
    const dump = JSON.parse(readFileSync(file, 'utf8')) as { rows: number; cols: number; tokens: number[] };
    const grid = { rows: dump.rows, cols: dump.cols };
    let started = performance.now();
    const [whole] = await model.decodeToRgba([dump.tokens], grid, undefined, WHOLE);
    console.log(`${file}: ${grid.cols}×${grid.rows} tokens, whole decode ${(performance.now() - started).toFixed(0)} ms`);
    console.log('| tile | margin | blend | max | mean | bytes > 2 | ms |');
    console.log('|---|---|---|---|---|---|---|');
    for (const size of list(values.sizes)) {
      for (const margin of list(values.margins)) for (const blend of list(values.blends)) {
        if (blend > margin || 4 * blend > size - 2 * margin) continue;
        started = performance.now();
        const [tiled] = await model.decodeToRgba([dump.tokens], grid, undefined, { size, margin, blend });
        const ms = performance.now() - started;
        let max = 0;
        let sum = 0;
        let over = 0;
        let count = 0;
        for (let i = 0; i < (whole as Uint8Array).length; i++) {
          if (i % 4 === 3) continue;
          const d = Math.abs(((whole as Uint8Array)[i] as number) - ((tiled as Uint8Array)[i] as number));
          max = Math.max(max, d);
          sum += d;
          if (d > 2) over++;
          count++;
        }
        console.log(`| ${size} | ${margin} | ${blend} | ${max} | ${(sum / count).toFixed(3)} | ${((100 * over) / count).toFixed(2)} % | ${ms.toFixed(0)} |`);
      }
    }
  }
} finally {
  await engine.dispose();
}
