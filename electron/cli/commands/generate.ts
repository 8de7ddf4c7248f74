/** `tessera generate`: one image from a label-map PNG (or `--reproduce` an earlier result). */
import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { DecodedPng } from 'fast-png';
import { TesseraError } from '../../../shared/errors.ts';
import { labelMapFromPng, type LabelMap } from '../../../shared/labelmap.ts';
import { decodePngSafely, pngLimits } from '../../../shared/png-guard.ts';
import { BACKENDS, type Backend } from '../../../shared/protocol.ts';
import { resizeLabelMap } from '../../../engine/image.ts';
import { createNodeEngine, stderrLogger } from '../../../engine/node/create-node-engine.ts';
import { readInputFile, writeFileAtomic } from '../support/files.ts';
import { makeRecord } from '../../../shared/result-record.ts';
import { encodeResultPng, readResultPng, type GenerationRecord } from '../support/png.ts';
import { CliReporter, jsonLine } from '../support/reporter.ts';
import { numberOption, onInterrupt, parseSize, runCommand } from '../support/run-command.ts';
import { addSamplerOptions, describeSettings, resolveSettings, type SamplingCliOptions } from './sampling-options.ts';

interface GenerateOptions extends SamplingCliOptions {
  layout?: string;
  reproduce?: string;
  size?: string;
  seed?: number;
  previews?: string;
  decodedPreviews: boolean;
  out: string;
  tokensOut?: string;
}

export function registerGenerate(program: Command): void {
  const command = program
    .command('generate')
    .description('Generate an image from a label-map PNG (palette colours or a grayscale index PNG).')
    .option('--layout <png>', 'the label map')
    .option('--reproduce <png>', 'regenerate an image written by `generate`, from the parameters and layout it carries')
    .option('--model <id|path>', 'model id or bundle folder (default: the first embedded model)')
    .option('--size <WxH>', 'resize the layout (nearest neighbour) to this many pixels first')
    .option('--seed <n>', 'random seed, 0..4294967295 (default: a random one, printed and stored in the PNG)', numberOption('--seed', (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer 0..4294967295'));
  addSamplerOptions(command)
    .addOption(new Option('--backend <backend>', 'runtime (default: auto, or the one recorded with --reproduce)').choices(BACKENDS))
    .option('--previews <dir>', 'write every preview as a PNG into this folder')
    .option('--no-decoded-previews', 'skip decoded partial previews (token-colour previews are still made)')
    .option('--max-size <WxH>', 'largest canvas accepted', '2048x2048')
    .requiredOption('--out <png>', 'output PNG (written atomically; carries every parameter)')
    .option('--tokens-out <json>', 'also write the sampled image tokens (and each one\u2019s entropy) as JSON, e.g. to compare with the Python reference sampler')
    .option('--json', 'machine-readable events as JSON lines on stdout')
    .action(async (options: GenerateOptions) => runCommand(options.json === true, () => generateAction(options)));
}

async function generateAction(options: GenerateOptions): Promise<void> {
  if ((options.layout === undefined) === (options.reproduce === undefined)) throw new TesseraError('BAD_INPUT', 'Give exactly one of --layout <png> or --reproduce <png>.');
  const maxCanvas = parseSize(options.maxSize, '--max-size');
  // Input PNGs are checked (size, structure, data) before the model loads: an unusable one is refused at once.
  const reproduced = options.reproduce ? readResultPng(await readInputFile(options.reproduce, 'image to reproduce'), pngLimits(`the image to reproduce ${options.reproduce}`, maxCanvas, 'or raise --max-size')) : null;
  if (reproduced?.record.outpaint) {
    const { outpaint } = reproduced.record;
    throw new TesseraError(
      'BAD_INPUT',
      `${options.reproduce} was outpainted (a ${outpaint.source.width}×${outpaint.source.height} px image extended at ${outpaint.offset.x},${outpaint.offset.y}), so its layout alone does not make it again. Run \`outpaint\` on the source image with seed ${reproduced.record.settings.seed}.`,
    );
  }
  if (reproduced?.record.inpaint) {
    const { inpaint } = reproduced.record;
    throw new TesseraError(
      'BAD_INPUT',
      `${options.reproduce} was inpainted (${inpaint.regionTokens} of ${inpaint.totalTokens} tokens resampled from another image), so its layout alone does not make it again. Run \`inpaint\` on the source image with seed ${reproduced.record.settings.seed}, or --reproduce the image it was inpainted from.`,
    );
  }
  const layoutLimits = pngLimits(`the layout ${options.layout ?? ''}`, maxCanvas, 'or raise --max-size');
  // Decoded once, here: the classes that turn it into a label map are known only after the model loads.
  const layoutPng = options.layout === undefined ? null : decodePngSafely(await readInputFile(options.layout, 'layout'), layoutLimits);
  const backend: Backend = options.backend ?? reproduced?.record.backend ?? 'auto';
  const json = options.json === true;
  const engine = createNodeEngine({ backend, maxCanvas, logger: stderrLogger() });
  const jobId = `cli-${process.pid}`;
  const stopInterrupt = onInterrupt(() => engine.cancel(jobId));
  try {
    const modelRef = options.model ?? reproduced?.record.model.path ?? reproduced?.record.model.id ?? 'default';
    const info = await engine.loadModel(modelRef, backend);
    const model = await engine.model(modelRef);
    const reporter = new CliReporter({ json, bar: !json && process.stderr.isTTY === true, previewsDir: options.previews, tokenScale: info.gridFactor });
    reporter.note(`model ${info.id} ${info.version} on ${info.backend}${info.backendNote ? ` (${info.backendNote})` : ''}`);
    if (reproduced && (reproduced.record.model.id !== info.id || reproduced.record.model.version !== info.version)) {
      reporter.note(`warning: the image was made with ${reproduced.record.model.id} ${reproduced.record.model.version}; the result will differ.`);
    }

    let layout: LabelMap = reproduced ? reproduced.layout : labelMapFromPng(layoutPng as DecodedPng, model.manifest.classes);
    if (options.size) {
      const size = parseSize(options.size, '--size');
      layout = resizeLabelMap(layout, size.width, size.height);
    }
    const base = reproduced?.record.settings;
    const seed = options.seed ?? base?.seed ?? randomInt(0, 0xffffffff);
    // Decoded previews cost decoder time; make them only when someone can see them.
    const settings = resolveSettings(options, model.manifest, seed, options.decodedPreviews && (options.previews !== undefined || json), base);
    reporter.note(`${layout.width}×${layout.height} px, seed ${settings.seed}, ${describeSettings(settings)}`);
    let result;
    try {
      result = await engine.generate({ jobId, model: modelRef, layout, settings }, reporter.onEvent);
    } finally {
      await reporter.close();
    }
    // The one record format (shared/result-record.ts): the studio's export of the same result is byte-identical.
    const record: GenerationRecord = makeRecord({ model: { id: info.id, version: info.version, ...(info.origin === 'path' ? { path: info.path } : {}) }, layout, settings: result.settings, backend: result.backend });
    await writeFileAtomic(options.out, encodeResultPng(result.image, record, layout, result));
    if (options.tokensOut !== undefined) {
      const dump = { format: 'tessera-tokens', version: 1, rows: result.grid.rows, cols: result.grid.cols, tokens: Array.from(result.tokens), entropy: Array.from(result.entropy, (e) => Number(e.toFixed(5))), record };
      await writeFileAtomic(options.tokensOut, new TextEncoder().encode(`${JSON.stringify(dump)}\n`));
    }
    const tokens = result.grid.rows * result.grid.cols;
    if (json) process.stdout.write(`${jsonLine({ type: 'result', file: options.out, record, tokens, tokensPerSecond: tokens / result.seconds })}\n`);
    else reporter.note(`wrote ${options.out} (${result.image.width}×${result.image.height}, seed ${result.settings.seed}, ${result.seconds.toFixed(2)} s, ${(tokens / result.seconds).toFixed(1)} tokens/s)`);
  } finally {
    stopInterrupt();
    await engine.dispose();
  }
}
