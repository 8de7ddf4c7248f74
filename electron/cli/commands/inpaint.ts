/**
 * `tessera inpaint`: regenerate a region of an image. The region is the mask's tokens, plus
 * where `--new-layout` differs from `--old-layout`, plus `--tokens`; everything else keeps the
 * image's own tokens (and, by default, its own pixels). See engine/inpaint/.
 */
import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import { TesseraError } from '../../../shared/errors.ts';
import { decodeLabelPng, type LabelMap } from '../../../shared/labelmap.ts';
import { inspectPng, pngLimits, type PngLimits } from '../../../shared/png-guard.ts';
import type { RgbaImage } from '../../../shared/protocol.ts';
import { readEmbeddedLayout } from '../../../engine/batch/index.ts';
import { cropImage, decodeMaskPng, fitImage, fitLabelMap, fitMask, fittedSize, readImagePng, runInpaintJob, type FitMode, type PixelMask } from '../../../engine/inpaint/index.ts';
import { createNodeEngine, stderrLogger } from '../../../engine/node/create-node-engine.ts';
import { readInputFile, writeFileAtomic } from '../support/files.ts';
import { makeRecord } from '../../../shared/result-record.ts';
import { encodeResultPng } from '../support/png.ts';
import { CliReporter, jsonLine } from '../support/reporter.ts';
import { numberOption, onInterrupt, parseSize, runCommand } from '../support/run-command.ts';
import { addSamplingOptions, describeSettings, resolveSettings, type SamplingCliOptions } from './sampling-options.ts';

/** The key older versions wrote their inpaint record under (now read by shared/result-record.ts). */
export { LEGACY_INPAINT_KEY as INPAINT_KEY } from '../../../shared/result-record.ts';

interface InpaintCliOptions extends SamplingCliOptions {
  image: string;
  mask?: string;
  layout?: string;
  oldLayout?: string;
  newLayout?: string;
  tokens?: string;
  out: string;
  seed?: number;
  dilation: number;
  blend: number;
  keepOutside: boolean;
  fit?: FitMode;
  previews?: string;
}

export function registerInpaint(program: Command): void {
  const command = program
    .command('inpaint')
    .description('Regenerate a region of an image (mask, layout edit or single tokens); tokens outside stay fixed as context.')
    .requiredOption('--image <png>', 'the image (any PNG; its size must fit the token grid, or see --fit)')
    .option('--mask <png>', 'region to regenerate: light, opaque pixels (any PNG, same size as the image)')
    .option('--layout <png>', 'layout to condition on (default: the one a Tessera image carries)')
    .option('--old-layout <png>', 'layout-edit mode: the layout the image was made from…')
    .option('--new-layout <png>', '…and the edited one: tokens whose classes changed are regenerated')
    .option('--tokens <list>', 'single tokens to resample, as row·cols+col indices, e.g. 12,40')
    .requiredOption('--out <png>', 'output PNG (written atomically)')
    .option('--seed <n>', 'random seed (default: a random one, printed)', numberOption('--seed', (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer 0..4294967295'))
    .option('--dilation <tokens>', 'grow the mask and layout change by this many tokens', numberOption('--dilation', (n) => Number.isInteger(n) && n >= 0 && n <= 16, 'an integer 0..16'), 0)
    .option('--blend <px>', 'seam width in pixels, inside the region (0 = hard edge)', numberOption('--blend', (n) => Number.isInteger(n) && n >= 0 && n <= 64, 'an integer 0..64'), 4)
    .option('--no-keep-outside', 'output the full VQGAN decode instead of keeping the input pixels outside the region')
    .addOption(new Option('--fit <mode>', 'when the image does not fit the grid: pad (edges repeated, cut off again) or crop (top-left part)').choices(['pad', 'crop']))
    .option('--previews <dir>', 'write every preview as a PNG into this folder');
  addSamplingOptions(command).action(async (o: InpaintCliOptions) => runCommand(o.json === true, () => inpaintAction(o)));
}

function sameSize(image: { width: number; height: number }, other: { width: number; height: number }, what: string): void {
  if (image.width !== other.width || image.height !== other.height) throw new TesseraError('BAD_INPUT', `${what} is ${other.width}×${other.height} px but the image is ${image.width}×${image.height} px; they must be the same size.`);
}

function parseTokens(text: string): number[] {
  return text.split(',').map((part) => {
    const n = Number(part.trim());
    if (part.trim() === '' || !Number.isInteger(n) || n < 0) throw new TesseraError('BAD_INPUT', `--tokens must be token indices like 12,40 (could not read "${part}").`);
    return n;
  });
}

async function inpaintAction(o: InpaintCliOptions): Promise<void> {
  const json = o.json === true;
  if (o.layout !== undefined && (o.oldLayout !== undefined || o.newLayout !== undefined)) throw new TesseraError('BAD_INPUT', 'Give --layout, or --old-layout with --new-layout, not both.');
  if ((o.oldLayout === undefined) !== (o.newLayout === undefined)) throw new TesseraError('BAD_INPUT', 'Layout-edit mode needs both --old-layout and --new-layout.');
  if (o.mask === undefined && o.oldLayout === undefined && o.tokens === undefined) throw new TesseraError('BAD_INPUT', 'Say what to regenerate: --mask, --old-layout/--new-layout, or --tokens.');
  const maxCanvas = parseSize(o.maxSize, '--max-size');
  // Every input PNG is read and checked (size, structure, data) before the model loads, so an
  // unusable one is refused at once. --fit crop keeps the top-left part that fits the canvas, so
  // its inputs may be up to twice the canvas limit per side.
  const inputMax = o.fit === 'crop' ? { width: 2 * maxCanvas.width, height: 2 * maxCanvas.height } : maxCanvas;
  const advice = o.fit === 'crop' ? 'or raise --max-size' : 'or raise --max-size (--fit crop accepts twice the size)';
  const readPng = async (file: string, what: string): Promise<{ bytes: Uint8Array; limits: PngLimits }> => {
    const limits = pngLimits(`the ${what} ${file}`, inputMax, advice);
    const bytes = await readInputFile(file, what);
    inspectPng(bytes, limits);
    return { bytes, limits };
  };
  const imageInput = await readPng(o.image, 'image');
  const { image: original, text: imageText } = readImagePng(imageInput.bytes, imageInput.limits);
  const maskInput = o.mask ? await readPng(o.mask, 'mask') : undefined;
  const oldLayoutInput = o.oldLayout ? await readPng(o.oldLayout, 'old layout') : undefined;
  const layoutFile = o.newLayout ?? o.layout;
  const layoutInput = layoutFile ? await readPng(layoutFile, o.newLayout ? 'new layout' : 'layout') : undefined;
  const engine = createNodeEngine({ backend: o.backend ?? 'auto', maxCanvas, logger: stderrLogger() });
  const jobId = `cli-inpaint-${process.pid}`;
  const stopInterrupt = onInterrupt(() => engine.cancel(jobId));
  try {
    const modelRef = o.model ?? 'default';
    const info = await engine.loadModel(modelRef, o.backend);
    const model = await engine.model(modelRef);
    const reporter = new CliReporter({ json, bar: !json && process.stderr.isTTY === true, previewsDir: o.previews, tokenScale: info.gridFactor });
    reporter.note(`model ${info.id} ${info.version} on ${info.backend}${info.backendNote ? ` (${info.backendNote})` : ''}`);
    const previous = oldLayoutInput ? decodeLabelPng(oldLayoutInput.bytes, model.manifest.classes, oldLayoutInput.limits) : undefined;
    let layout: LabelMap;
    if (layoutInput) layout = decodeLabelPng(layoutInput.bytes, model.manifest.classes, layoutInput.limits);
    else {
      const embedded = readEmbeddedLayout(imageText, { ...imageInput.limits, what: `the layout embedded in ${imageInput.limits.what}` });
      if (!embedded) throw new TesseraError('BAD_INPUT', `${o.image} carries no Tessera layout: give --layout (or --old-layout/--new-layout).`);
      layout = embedded;
      reporter.note('using the layout the image carries');
    }
    let mask: PixelMask = maskInput ? decodeMaskPng(maskInput.bytes, maskInput.limits) : { width: original.width, height: original.height, data: new Uint8Array(original.width * original.height) };
    // Sizes are compared before any fitting: cropping must never make mismatched inputs look alike.
    sameSize(original, mask, 'The mask');
    sameSize(original, layout, o.newLayout ? 'The new layout' : 'The layout');
    if (previous) sameSize(original, previous, 'The old layout');

    let image: RgbaImage = original;
    let prev = previous;
    if (o.fit) {
      const to = fittedSize(original, model.manifest.gridFactor, model.manifest.window, maxCanvas, o.fit);
      if (to.width !== original.width || to.height !== original.height) reporter.note(`--fit ${o.fit}: ${original.width}×${original.height} → ${to.width}×${to.height} px`);
      image = fitImage(original, to);
      mask = fitMask(mask, to);
      layout = fitLabelMap(layout, to);
      prev = previous ? fitLabelMap(previous, to) : undefined;
    }
    const settings = resolveSettings(o, model.manifest, o.seed ?? randomInt(0, 0xffffffff), o.previews !== undefined || json);
    const options = { dilation: o.dilation, blend: o.blend, keepOutside: o.keepOutside };
    reporter.note(`${image.width}×${image.height} px, seed ${settings.seed}, ${describeSettings(settings)}; dilation ${options.dilation}, blend ${options.blend} px${options.keepOutside ? '' : ', full decode'}`);
    let outcome;
    try {
      outcome = await runInpaintJob(
        engine,
        { jobId, model: modelRef, image, mask, layout, previousLayout: prev, tokens: o.tokens ? parseTokens(o.tokens) : undefined, settings, options, maxCanvas },
        reporter.onEvent,
        (n) => reporter.note(`note: ${n}`),
      );
    } finally {
      await reporter.close();
    }
    // --fit pad: the padding only completed the last tokens; the output has the input's size.
    const out = o.fit === 'pad' ? cropImage(outcome.result.image, original) : outcome.result.image;
    const outLayout = o.fit === 'pad' ? fitLabelMap(layout, original) : layout;
    // The one record format (shared/result-record.ts), with what only an inpainted image has.
    const record = makeRecord({
      model: { id: info.id, version: info.version },
      layout: outLayout,
      settings: outcome.result.settings,
      backend: outcome.result.backend,
      inpaint: { mode: o.tokens && !o.mask && !o.newLayout ? 'tokens' : 'region', options, regionTokens: outcome.regionTokens, totalTokens: outcome.totalTokens, fit: o.fit ?? null },
    });
    // Tokens travel only when they describe the whole output (not after --fit cropped the padding off).
    await writeFileAtomic(o.out, encodeResultPng(out, record, outLayout, o.fit === 'pad' && (out.width !== outcome.result.image.width || out.height !== outcome.result.image.height) ? undefined : outcome.result));
    const share = ((100 * outcome.regionTokens) / outcome.totalTokens).toFixed(0);
    if (json) process.stdout.write(`${jsonLine({ type: 'result', file: o.out, record, notes: outcome.notes, seconds: outcome.result.seconds })}\n`);
    else reporter.note(`wrote ${o.out} (${out.width}×${out.height}; region ${outcome.regionTokens} of ${outcome.totalTokens} tokens = ${share} %; seed ${settings.seed}; ${outcome.result.seconds.toFixed(2)} s)`);
  } finally {
    stopInterrupt();
    await engine.dispose();
  }
}
