/**
 * Jobs run one at a time (they share the model sessions and the cores) in submission order.
 * Cancelling a queued job removes it at once; cancelling the running job cancels its token, so
 * it stops after the forward in flight (the sampler checks between forwards and every await
 * races the token).
 */
import { TesseraError } from '../../shared/errors.ts';
import { CancelSource, type CancelToken } from '../cancel.ts';

interface Pending {
  jobId: string;
  source: CancelSource;
  start: () => void;
}

export class JobQueue {
  private running: { jobId: string; source: CancelSource } | null = null;
  private readonly waiting: Pending[] = [];

  get busy(): boolean {
    return this.running !== null;
  }

  has(jobId: string): boolean {
    return this.running?.jobId === jobId || this.waiting.some((p) => p.jobId === jobId);
  }

  /** Runs `work` when its turn comes; rejects with CANCELLED if cancelled while waiting. */
  submit<T>(jobId: string, work: (cancel: CancelToken) => Promise<T>): Promise<T> {
    if (this.has(jobId)) return Promise.reject(new TesseraError('BAD_REQUEST', `A job with id "${jobId}" is already queued or running.`));
    const source = new CancelSource();
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.running = { jobId, source };
        const finish = (): void => {
          if (this.running?.source === source) this.running = null;
          this.next();
        };
        // A job cancelled while queued never starts.
        if (source.cancelled) {
          finish();
          reject(new TesseraError('CANCELLED', source.reason));
          return;
        }
        work(source.token).then(
          (value) => {
            finish();
            resolve(value);
          },
          (error: unknown) => {
            finish();
            reject(error);
          },
        );
      };
      this.waiting.push({ jobId, source, start });
      source.onCancel(() => {
        const i = this.waiting.findIndex((p) => p.source === source);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          reject(new TesseraError('CANCELLED', source.reason));
        }
      });
      if (!this.running) this.next();
    });
  }

  cancel(jobId: string, reason = 'Cancelled by the user.'): boolean {
    if (this.running?.jobId === jobId) {
      this.running.source.cancel(reason);
      return true;
    }
    const waiting = this.waiting.find((p) => p.jobId === jobId);
    if (waiting) {
      waiting.source.cancel(reason);
      return true;
    }
    return false;
  }

  cancelAll(reason: string): void {
    for (const p of [...this.waiting]) p.source.cancel(reason);
    this.running?.source.cancel(reason);
  }

  private next(): void {
    if (this.running) return;
    const p = this.waiting.shift();
    p?.start();
  }
}
