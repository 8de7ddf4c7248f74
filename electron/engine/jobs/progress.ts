/** Tokens per second and ETA from the tokens done since sampling started. */
export class ProgressMeter {
  private readonly started: number;

  constructor(
    private readonly total: number,
    private readonly clock: () => number,
  ) {
    this.started = clock();
  }

  measure(done: number): { tokensPerSecond: number; etaSeconds: number | null } {
    const seconds = (this.clock() - this.started) / 1000;
    const tokensPerSecond = seconds > 0 ? done / seconds : 0;
    const etaSeconds = tokensPerSecond > 0 ? Math.max(0, (this.total - done) / tokensPerSecond) : null;
    return { tokensPerSecond, etaSeconds };
  }
}
