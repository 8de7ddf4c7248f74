/** `tessera generate`: one image from a label-map PNG (or `--reproduce` an earlier result). */
import { randomInt } from 'node:crypto';
import { Option, type Command } from 'commander';
import { TesseraError } from '../../../shared/errors.ts';
import { decodeLabelPng, type LabelMap } from '../../../shared/labelmap.ts';
import { BACKENDS, type Backend, type GenerationSettings } from '../../../shared/protocol.ts';
import { resizeLabelMap } from '../../engine/image.ts';
import { createNodeEngine, stderrLogger } from '../../engine/node/create-node-engine.ts';
import { readInputFile, writeFileAtomic } from '../support/files.ts';
import { encodeResultPng, layoutSha256, readResultPng, type GenerationRecord } from '../support/png.ts';
import { CliReporter, jsonLine } from '../support/reporter.ts';
import { numberOption, onInterrupt, parseSize, runCommand } from '../support/run-command.ts';

interface GenerateOptions {
  layout?: string;
  reproduce?: string;
  model?: string;
  size?: string;
  seed?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  sampler?: 'exact' | 'cached';
  stride?: number;
  backend?: Backend;
  previews?: string;
  decodedPreviews: boolean;
  maxSize: string;
  out: string;
  json?: boolean;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('Generate an image from a label-map PNG (palette colours or a grayscale index PNG).')
    .option('--layout <png>', 'the label map')
    .option('--reproduce <png>', 'regenerate an image written by `generate`, from the parameters and layout it carries')
    .option('--model <id|path>', 'model id or bundle folder (default: the first embedded model)')
    .option('--size <WxH>', 'resize the layout (nearest neighbour) to this many pixels first')
    .option('--seed <n>', 'random seed, 0..4294967295 (default: a random one, printed and stored in the PNG)', numberOption('--seed', (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer 0..4294967295'))
    .option('--temperature <t>', '0 = greedy (default: the model’s)', numberOption('--temperature', (n) => n >= 0 && n <= 10, 'a number 0..10'))
    .option('--top-k <k>', '0 = off (default: the model’s)', numberOption('--top-k', (n) => Number.isInteger(n) && n >= 0 && n <= 65536, 'an integer 0..65536'))
    .option('--top-p <p>', '1 = off (default: the model’s)', numberOption('--top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]'))
    .addOption(new Option('--sampler <kind>', 'exact: taming’s per-token windows; cached: KV-cached chunks (default: the model’s)').choices(['exact', 'cached']))
    .option('--stride <s>', 'tokens per chunk for the cached sampler, 1..window width', numberOption('--stride', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer 1..64'))
    .addOption(new Option('--backend <backend>', 'runtime (default: auto, or the one recorded with --reproduce)').choices(BACKENDS))
    .option('--previews <dir>', 'write every preview as a PNG into this folder')
    .option('--no-decoded-previews', 'skip decoded partial previews (token-colour previews are still made)')
    .option('--max-size <WxH>', 'largest canvas accepted', '2048x2048')
    .requiredOption('--out <png>', 'output PNG (written atomically; carries every parameter)')
    .option('--json', 'machine-readable events as JSON lines on stdout')
    .action(async (options: GenerateOptions) => runCommand(options.json === true, () => generateAction(options)));
}

async function generateAction(options: GenerateOptions): Promise<void> {
  if ((options.layout === undefined) === (options.reproduce === undefined)) throw new TesseraError('BAD_INPUT', 'Give exactly one of --layout <png> or --reproduce <png>.');
  const reproduced = options.reproduce ? readResultPng(await readInputFile(options.reproduce, 'image to reproduce')) : null;
  const backend: Backend = options.backend ?? reproduced?.record.backend ?? 'auto';
  const maxCanvas = parseSize(options.maxSize, '--max-size');
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

    let layout: LabelMap = reproduced ? reproduced.layout : decodeLabelPng(await readInputFile(options.layout as string, 'layout'), model.manifest.classes);
    if (options.size) {
      const size = parseSize(options.size, '--size');
      layout = resizeLabelMap(layout, size.width, size.height);
    }
    const d = model.manifest.defaults;
    const base = reproduced?.record.settings;
    const settings: GenerationSettings = {
      seed: options.seed ?? base?.seed ?? randomInt(0, 0xffffffff),
      temperature: options.temperature ?? base?.temperature ?? d?.temperature ?? 1,
      topK: options.topK ?? base?.topK ?? d?.topK ?? Math.min(100, model.manifest.vocab.image),
      topP: options.topP ?? base?.topP ?? d?.topP ?? 1,
      sampler: options.sampler ?? base?.sampler ?? d?.sampler ?? 'cached',
      stride: options.stride ?? base?.stride ?? d?.stride ?? model.manifest.window.cols,
      // Decoded previews cost decoder time; make them only when someone can see them.
      decodedPreviews: options.decodedPreviews && (options.previews !== undefined || json),
    };
    reporter.note(`${layout.width}×${layout.height} px, seed ${settings.seed}, ${settings.sampler}${settings.sampler === 'cached' ? ` stride ${settings.stride}` : ''}, temperature ${settings.temperature}, top-k ${settings.topK}, top-p ${settings.topP}`);
    let result;
    try {
      result = await engine.generate({ jobId, model: modelRef, layout, settings }, reporter.onEvent);
    } finally {
      await reporter.close();
    }
    const record: GenerationRecord = {
      format: 'tessera-generation',
      version: 1,
      model: { id: info.id, version: info.version, ...(info.origin === 'path' ? { path: info.path } : {}) },
      size: { width: layout.width, height: layout.height },
      settings: result.settings,
      backend: result.backend,
      layoutSha256: layoutSha256(layout),
    };
    await writeFileAtomic(options.out, encodeResultPng(result.image, record, layout));
    const tokens = result.grid.rows * result.grid.cols;
    if (json) process.stdout.write(`${jsonLine({ type: 'result', file: options.out, record, tokens, tokensPerSecond: tokens / result.seconds })}\n`);
    else reporter.note(`wrote ${options.out} (${result.image.width}×${result.image.height}, seed ${result.settings.seed}, ${result.seconds.toFixed(2)} s, ${(tokens / result.seconds).toFixed(1)} tokens/s)`);
  } finally {
    stopInterrupt();
    await engine.dispose();
  }
}
