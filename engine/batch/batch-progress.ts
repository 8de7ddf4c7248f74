/**
 * Progress for a batch, from the events one generation emits. A group of seeds sampled together
 * reports one `job.progressed` for all of them (without `item`); this turns it into one event
 * per image (with `item`) plus one for the whole batch (without `item`: tokens of every image
 * still to make, with the batch's ETA). Everything else passes through unchanged.
 */
import type { EngineEvent } from '../../shared/protocol.ts';
import type { EventSink } from '../engine.ts';
import { ProgressMeter } from '../jobs/progress.ts';

type ItemRef = { index: number; total: number };

export class BatchProgress {
  private tokensTotal = 0;
  private tokensFinished = 0;
  private group: ItemRef[] = [];
  private meter: ProgressMeter | null = null;

  constructor(
    private readonly jobId: string,
    private readonly emit: EventSink,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  /** Call once the work is known: the tokens of every image this run will make. */
  start(tokensTotal: number): void {
    this.tokensTotal = tokensTotal;
    this.tokensFinished = 0;
    this.meter = new ProgressMeter(tokensTotal, this.clock);
  }

  beginGroup(items: ItemRef[]): void {
    this.group = items;
  }

  /** The group's images are finished: `tokensPerImage` each. */
  endGroup(tokensPerImage: number): void {
    this.tokensFinished += tokensPerImage * this.group.length;
    this.group = [];
  }

  /** The event sink to give the engine's job. */
  readonly sink: EventSink = (event: EngineEvent): void => {
    if (event.type !== 'job.progressed' || this.group.length === 0 || !this.meter) {
      this.emit(event);
      return;
    }
    if (event.item) this.emit(event);
    else for (const item of this.group) this.emit({ ...event, item });
    const tokensDone = Math.min(this.tokensTotal, this.tokensFinished + event.tokensDone * this.group.length);
    const rate = this.meter.measure(tokensDone);
    this.emit({ type: 'job.progressed', jobId: this.jobId, tokensDone, tokensTotal: Math.max(1, this.tokensTotal), tokensPerSecond: rate.tokensPerSecond, etaSeconds: rate.etaSeconds });
  };
}
