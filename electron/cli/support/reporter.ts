/**
 * What the CLI shows while a job runs: a cli-progress bar on a terminal, JSON lines with --json
 * (every event, with images reduced to their size and the preview file written, if any), and
 * preview PNGs in --previews DIR.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { EngineEvent } from '../../../shared/protocol.ts';
import { writeFileAtomic } from './files.ts';
import { encodeRgbaPng } from './png.ts';

export interface ReporterOptions {
  json: boolean;
  /** Show a progress bar (stderr is a terminal and not --json). */
  bar: boolean;
  previewsDir?: string | undefined;
  /** Token previews are one pixel per token; they are scaled up by this for viewing. */
  tokenScale: number;
}

/** JSON without typed arrays: images become {width, height}, other arrays their length. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (v instanceof Uint8Array || v instanceof Uint16Array || v instanceof Float32Array || v instanceof Int32Array) return { length: v.length };
    if (key === 'image' && v && typeof v === 'object' && 'rgba' in v) {
      const img = v as unknown as { width: number; height: number };
      return { width: img.width, height: img.height };
    }
    return v;
  });
}

export class CliReporter {
  private bar: cliProgress.SingleBar | null = null;
  private previewCount = 0;
  private writes: Promise<unknown>[] = [];

  constructor(private readonly options: ReporterOptions) {}

  onEvent = (event: EngineEvent): void => {
    let file: string | undefined;
    if (event.type === 'job.windowCompleted' && this.options.previewsDir) {
      const n = String(++this.previewCount).padStart(4, '0');
      const item = event.item ? `-item${event.item.index}` : '';
      file = path.join(this.options.previewsDir, `${n}${item}-${event.preview.kind}-${event.tokensDone}.png`);
      const scale = event.preview.kind === 'tokens' ? this.options.tokenScale : 1;
      this.writes.push(writeFileAtomic(file, encodeRgbaPng(event.preview.image, scale)));
    }
    if (this.options.json) {
      process.stdout.write(`${jsonLine(file ? { ...event, file } : event)}\n`);
      return;
    }
    if (event.type === 'job.progressed' && this.options.bar) {
      if (!this.bar) {
        this.bar = new cliProgress.SingleBar(
          { format: 'sampling [{bar}] {percentage}% | {value}/{total} tokens | {rate} tok/s | ETA {eta_s}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(event.tokensTotal, 0, { rate: '0', eta_s: '?' });
      }
      this.bar.update(event.tokensDone, { rate: event.tokensPerSecond.toFixed(1), eta_s: event.etaSeconds === null ? '?' : `${event.etaSeconds.toFixed(1)}s` });
    }
  };

  /** Stops the bar and waits for preview files. */
  async close(): Promise<void> {
    this.bar?.stop();
    this.bar = null;
    await Promise.all(this.writes);
  }

  /** A human line on stderr (nothing with --json, where stdout carries everything). */
  note(message: string): void {
    if (!this.options.json) process.stderr.write(`${message}\n`);
  }
}
