/**
 * `tessera outpaint`: extend an image onto a bigger layout. The old image sits at `--offset` in
 * the layout (or where its own embedded layout is found, when that is unambiguous); only the new
 * area is sampled, with the old image's tokens as context, and the old pixels are kept exactly.
 * See engine/outpaint/ and docs/SAMPLING.md "Outpainting".
 */
import { randomInt } from 'node:crypto';
import type { Command } from 'commander';
import { TesseraError } from '../../../shared/errors.ts';
import { decodeLabelPng } from '../../../shared/labelmap.ts';
import { inspectPng, pngLimits, type PngLimits } from '../../../shared/png-guard.ts';
import { encodeRecordPng, makeRecord, readEmbeddedLayout, readRecordTokens, tokensText, TOKENS_KEY } from '../../../shared/result-record.ts';
import { readImagePng } from '../../../engine/inpaint/index.ts';
import { checkPlacement, inferOffset, MAX_CANDIDATES, runOutpaintJob, type PixelOffset } from '../../../engine/outpaint/index.ts';
import { createNodeEngine, stderrLogger } from '../../../engine/node/create-node-engine.ts';
import { readInputFile, writeFileAtomic } from '../support/files.ts';
import { CliReporter, jsonLine } from '../support/reporter.ts';
import { numberOption, onInterrupt, parseSize, runCommand } from '../support/run-command.ts';
import { addSamplingOptions, describeSettings, resolveSettings, type SamplingCliOptions } from './sampling-options.ts';

interface OutpaintCliOptions extends SamplingCliOptions {
  image: string;
  layout: string;
  offset?: string;
  out: string;
  seed?: number;
  blend: number;
  candidates?: number;
  encode?: boolean;
  previews?: string;
}

export function registerOutpaint(program: Command): void {
  const command = program
    .command('outpaint')
    .description('Extend an image onto a bigger layout: only the new area is sampled, the old pixels are kept exactly.')
    .requiredOption('--image <png>', 'the image to extend (any PNG whose sides are whole tokens; a Tessera PNG lends its own tokens)')
    .requiredOption('--layout <png>', 'the bigger layout: the old image’s area plus the new area, painted')
    .option('--offset <x,y>', 'where the image’s top-left corner sits in the layout, in pixels on the token grid (default: where the image’s own embedded layout is found, if at exactly one place)')
    .requiredOption('--out <png>', 'output PNG (written atomically; carries the record and the tokens)')
    .option('--seed <n>', 'random seed (default: a random one, printed)', numberOption('--seed', (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer 0..4294967295'))
    .option('--blend <px>', 'seam width in pixels, inside the new area (0 = hard edge)', numberOption('--blend', (n) => Number.isInteger(n) && n >= 0 && n <= 64, 'an integer 0..64'), 4)
    .option('--candidates <n>', `best of N by how likely the old image continues each (default: 4 when growing up or left, else 1)`, numberOption('--candidates', (n) => Number.isInteger(n) && n >= 1 && n <= MAX_CANDIDATES, `an integer 1..${MAX_CANDIDATES}`))
    .option('--no-encode', 'refuse to encode the image: require the tokens a Tessera PNG of this model carries')
    .option('--previews <dir>', 'write every preview as a PNG into this folder');
  addSamplingOptions(command).action(async (o: OutpaintCliOptions) => runCommand(o.json === true, () => outpaintAction(o)));
}

function parseOffset(text: string): PixelOffset {
  const m = /^\s*(-?\d+)\s*,\s*(-?\d+)\s*$/.exec(text);
  if (!m) throw new TesseraError('BAD_INPUT', `--offset must be X,Y in pixels, e.g. 128,0 (got "${text}").`);
  return { x: Number(m[1]), y: Number(m[2]) };
}

async function outpaintAction(o: OutpaintCliOptions): Promise<void> {
  const json = o.json === true;
  const maxCanvas = parseSize(o.maxSize, '--max-size');
  const given = o.offset === undefined ? null : parseOffset(o.offset);
  // Every input PNG is checked (size, structure, data) before the model loads.
  const readPng = async (file: string, what: string): Promise<{ bytes: Uint8Array; limits: PngLimits }> => {
    const limits = pngLimits(`the ${what} ${file}`, maxCanvas, 'or raise --max-size');
    const bytes = await readInputFile(file, what);
    inspectPng(bytes, limits);
    return { bytes, limits };
  };
  const imageInput = await readPng(o.image, 'image');
  const { image, text } = readImagePng(imageInput.bytes, imageInput.limits);
  const layoutInput = await readPng(o.layout, 'layout');
  const engine = createNodeEngine({ backend: o.backend ?? 'auto', maxCanvas, logger: stderrLogger() });
  const jobId = `cli-outpaint-${process.pid}`;
  const stopInterrupt = onInterrupt(() => engine.cancel(jobId));
  try {
    const modelRef = o.model ?? 'default';
    const info = await engine.loadModel(modelRef, o.backend);
    const model = await engine.model(modelRef);
    const m = model.manifest;
    const reporter = new CliReporter({ json, bar: !json && process.stderr.isTTY === true, previewsDir: o.previews, tokenScale: info.gridFactor });
    reporter.note(`model ${info.id} ${info.version} on ${info.backend}${info.backendNote ? ` (${info.backendNote})` : ''}`);
    const layout = decodeLabelPng(layoutInput.bytes, m.classes, layoutInput.limits);
    let offset: PixelOffset;
    if (given) offset = given;
    else {
      offset = inferOffset(readEmbeddedLayout(text, { ...imageInput.limits, what: `the layout embedded in ${imageInput.limits.what}` }), layout, m.gridFactor);
      reporter.note(`offset ${offset.x},${offset.y}: where the image's own layout is in the new one`);
    }
    const placement = checkPlacement(image, layout, offset, m.gridFactor);
    const own = readRecordTokens(text, { model: { id: info.id, version: info.version }, image, gridFactor: m.gridFactor });
    if (own && 'why' in own) reporter.note(`the image's own tokens cannot be used (${own.why}): encoding its pixels instead`);
    const imageTokens = own && 'tokens' in own ? own.tokens : undefined;
    if (!imageTokens && o.encode === false) throw new TesseraError('BAD_INPUT', `${o.image} carries no usable tokens of ${info.id} ${info.version}${own && 'why' in own ? ` (${own.why})` : ''}: drop --no-encode to encode its pixels.`);
    const settings = resolveSettings(o, m, o.seed ?? randomInt(0, 0xffffffff), o.previews !== undefined || json);
    const g = placement.grow;
    reporter.note(
      `${image.width}×${image.height} px at ${offset.x},${offset.y} in ${layout.width}×${layout.height} px (grows ${g.top}/${g.right}/${g.bottom}/${g.left} tokens top/right/bottom/left); context: ${imageTokens ? 'the image’s own tokens' : 'encoded from its pixels'}; seed ${settings.seed}, ${describeSettings(settings)}; blend ${o.blend} px`,
    );
    let outcome;
    try {
      outcome = await runOutpaintJob(
        engine,
        { jobId, model: modelRef, image, imageTokens, layout, offset, settings, options: { blend: o.blend, candidates: o.candidates }, maxCanvas },
        reporter.onEvent,
        (n) => reporter.note(`note: ${n}`),
      );
    } finally {
      await reporter.close();
    }
    const { result } = outcome;
    const record = makeRecord({
      model: { id: info.id, version: info.version, ...(info.origin === 'path' ? { path: info.path } : {}) },
      layout,
      settings: result.settings,
      backend: result.backend,
      outpaint: {
        offset,
        source: { width: image.width, height: image.height },
        blend: o.blend,
        candidates: outcome.candidates,
        chosen: outcome.chosen,
        context: outcome.context,
        newTokens: outcome.newTokens,
        totalTokens: outcome.totalTokens,
      },
    });
    const tokens = tokensText({ model: { id: info.id, version: info.version }, grid: result.grid, tokens: result.tokens, image: result.image });
    await writeFileAtomic(o.out, encodeRecordPng(result.image, record, layout, { [TOKENS_KEY]: tokens }));
    if (json) process.stdout.write(`${jsonLine({ type: 'result', file: o.out, record, notes: outcome.notes, seconds: result.seconds })}\n`);
    else reporter.note(`wrote ${o.out} (${result.image.width}×${result.image.height}; ${outcome.newTokens} new of ${outcome.totalTokens} tokens; seed ${settings.seed}; ${result.seconds.toFixed(2)} s)`);
  } finally {
    stopInterrupt();
    await engine.dispose();
  }
}
