/**
 * The sampling options `batch` and `inpaint` share with `generate` (same names, ranges and
 * defaults: the model's), so a setting means the same thing in every command.
 */
import { Option, type Command } from 'commander';
import type { Manifest } from '../../../shared/manifest.ts';
import { MAX_LEAD } from '../../../shared/manifest.ts';
import { DEFAULT_LEAD } from '../../../shared/parallel-schedule.ts';
import { BACKENDS, SAMPLERS, type Backend, type GenerationSettings, type SamplerName } from '../../../shared/protocol.ts';
import { numberOption } from '../support/run-command.ts';

export interface SamplingCliOptions {
  model?: string;
  temperature?: number;
  topK?: number;
  topP?: number;
  sampler?: SamplerName;
  stride?: number;
  lead?: number;
  backend?: Backend;
  maxSize: string;
  json?: boolean;
}

export function addSamplingOptions(command: Command): Command {
  return addSamplerOptions(command.option('--model <id|path>', 'model id or bundle folder (default: the first embedded model)'))
    .addOption(new Option('--backend <backend>', 'runtime').choices(BACKENDS).default('auto'))
    .option('--max-size <WxH>', 'largest canvas accepted', '2048x2048')
    .option('--json', 'machine-readable events as JSON lines on stdout');
}

/** The token draw's options (`--temperature`, `--top-k`, `--top-p`, `--sampler`, `--stride`, `--lead`), as every command names them. */
export function addSamplerOptions(command: Command): Command {
  return command
    .option('--temperature <t>', '0 = greedy (default: the model’s)', numberOption('--temperature', (n) => n >= 0 && n <= 10, 'a number 0..10'))
    .option('--top-k <k>', '0 = off (default: the model’s)', numberOption('--top-k', (n) => Number.isInteger(n) && n >= 0 && n <= 65536, 'an integer 0..65536'))
    .option('--top-p <p>', '1 = off (default: the model’s)', numberOption('--top-p', (n) => n > 0 && n <= 1, 'a number in (0, 1]'))
    .addOption(new Option('--sampler <kind>', 'exact: taming’s per-token windows; cached: KV-cached chunks; parallel: several rows per forward (default: the model’s)').choices(SAMPLERS))
    .option('--stride <s>', 'tokens per chunk for the cached sampler, 1..window width', numberOption('--stride', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer 1..64'))
    .option('--lead <n>', `parallel sampler: columns a row stays ahead of the row below, 1..${MAX_LEAD} (default: the model’s, else ${DEFAULT_LEAD})`, numberOption('--lead', (n) => Number.isInteger(n) && n >= 1 && n <= MAX_LEAD, `an integer 1..${MAX_LEAD}`));
}

/**
 * The options given, else `base` (the settings of a reproduced image), else the model's defaults.
 */
export function resolveSettings(o: SamplingCliOptions, manifest: Manifest, seed: number, decodedPreviews: boolean, base?: GenerationSettings): GenerationSettings {
  const d = manifest.defaults;
  const sampler = o.sampler ?? base?.sampler ?? d?.sampler ?? 'cached';
  return {
    seed,
    temperature: o.temperature ?? base?.temperature ?? d?.temperature ?? 1,
    topK: o.topK ?? base?.topK ?? d?.topK ?? Math.min(100, manifest.vocab.image),
    topP: o.topP ?? base?.topP ?? d?.topP ?? 1,
    sampler,
    stride: o.stride ?? base?.stride ?? d?.stride ?? manifest.window.cols,
    ...(sampler === 'parallel' ? { lead: o.lead ?? base?.lead ?? d?.lead ?? DEFAULT_LEAD } : {}),
    decodedPreviews,
  };
}

export function describeSettings(s: GenerationSettings): string {
  const shape = s.sampler === 'cached' ? ` stride ${s.stride}` : s.sampler === 'parallel' ? ` lead ${s.lead ?? DEFAULT_LEAD}` : '';
  return `${s.sampler}${shape}, temperature ${s.temperature}, top-k ${s.topK}, top-p ${s.topP}`;
}
