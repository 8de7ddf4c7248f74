/**
 * A session for a graph that runs on a whole canvas at once (the cond and image encoders), whose
 * working memory therefore grows with the canvas. onnxruntime's CPU memory arena keeps the peak of
 * a session's largest run until the session is released, and grows in doubling regions, so it
 * holds up to twice what a run needs: one 1024² cond encode of the default model needs ~400 MB and
 * leaves ~770 MB in the arena for the rest of the process.
 *
 * So only runs up to `keepElements` input values (the default canvas) use the session that stays
 * open, and its warm arena. A larger run gets a session of its own, released right after it: with
 * the arena up to `arenaElements`, without it beyond (peak = what the run needs, at the price of
 * allocating every tensor afresh: a 1024² cond encode took ~4× longer, measured in
 * docs/PERFORMANCE.md, "Memory").
 */
import { TesseraError } from '../../shared/errors.ts';
import type { HostTensor, ModelSession, SessionHints, ValueInfo } from '../runtime.ts';

export interface CanvasSessionLimits {
  /** Runs whose largest input has at most this many values use the session kept open. */
  keepElements: number;
  /** Larger runs up to this many values get a session with onnxruntime's memory arena; beyond, without. */
  arenaElements: number;
}

export class CanvasSession implements ModelSession {
  readonly label: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  private kept: ModelSession | null;

  constructor(
    first: ModelSession,
    private readonly open: (hints: SessionHints) => Promise<ModelSession>,
    private readonly limits: CanvasSessionLimits,
  ) {
    this.label = first.label;
    this.inputs = first.inputs;
    this.outputs = first.outputs;
    this.kept = first;
  }

  async run(feeds: Readonly<Record<string, HostTensor>>, fetches: readonly string[]): Promise<Record<string, HostTensor>> {
    if (!this.kept) throw new TesseraError('INTERNAL', `The ${this.label} session was already released.`);
    const size = Math.max(0, ...Object.values(feeds).map((t) => t.data.length));
    if (size <= this.limits.keepElements) return this.kept.run(feeds, fetches);
    const own = await this.open({ imageSized: true, memoryArena: size <= this.limits.arenaElements });
    try {
      return await own.run(feeds, fetches);
    } finally {
      await own.release();
    }
  }

  async release(): Promise<void> {
    const kept = this.kept;
    this.kept = null;
    await kept?.release();
  }
}
