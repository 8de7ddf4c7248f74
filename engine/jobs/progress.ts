/**
 * Tokens per second and ETA from the work done since sampling started. With a work plan
 * (planned-work.ts) the ETA extrapolates the rate of work, not of tokens; `afterSampling` adds
 * what follows the last token (the final decode), when it can be predicted.
 */
export class ProgressMeter {
  private readonly started: number;

  constructor(
    private readonly total: number,
    private readonly clock: () => number,
    private readonly work: ArrayLike<number> | null = null,
  ) {
    this.started = clock();
  }

  measure(done: number, afterSamplingSeconds = 0): { tokensPerSecond: number; etaSeconds: number | null } {
    const seconds = (this.clock() - this.started) / 1000;
    const tokensPerSecond = seconds > 0 ? done / seconds : 0;
    const work = this.work;
    if (work && work.length === this.total + 1) {
      const doneWork = work[Math.max(0, Math.min(this.total, done))] as number;
      const rate = seconds > 0 ? doneWork / seconds : 0;
      const etaSeconds = rate > 0 ? Math.max(0, ((work[this.total] as number) - doneWork) / rate) + afterSamplingSeconds : null;
      return { tokensPerSecond, etaSeconds };
    }
    const etaSeconds = tokensPerSecond > 0 ? Math.max(0, (this.total - done) / tokensPerSecond) + afterSamplingSeconds : null;
    return { tokensPerSecond, etaSeconds };
  }
}
