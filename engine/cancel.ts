/**
 * Cancellation without DOM or Node globals (the core runs in both): a token that can be checked
 * between forwards and raced against any await, so no job can hang on a promise that never
 * settles. A cancelled forward is not interrupted (onnxruntime cannot abort a run); it finishes
 * in the background while the job is already reported as cancelled, and the session's run queue
 * makes the next job wait for it.
 */
import { TesseraError } from '../shared/errors.ts';

export interface CancelToken {
  readonly cancelled: boolean;
  readonly reason: string;
  /** Calls `listener` once on cancellation (at once if already cancelled); returns an unsubscribe. */
  onCancel(listener: () => void): () => void;
  /** Throws CANCELLED if cancelled. */
  throwIfCancelled(): void;
}

export class CancelSource implements CancelToken {
  private listeners = new Set<() => void>();
  private isCancelled = false;
  private why = 'Cancelled.';

  get token(): CancelToken {
    return this;
  }

  get cancelled(): boolean {
    return this.isCancelled;
  }

  get reason(): string {
    return this.why;
  }

  onCancel(listener: () => void): () => void {
    if (this.isCancelled) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  throwIfCancelled(): void {
    if (this.isCancelled) throw new TesseraError('CANCELLED', this.why);
  }

  cancel(reason = 'Cancelled.'): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    this.why = reason;
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const l of listeners) l();
  }
}

/** A token that is never cancelled. */
export const NEVER_CANCELLED: CancelToken = {
  cancelled: false,
  reason: '',
  onCancel: () => () => undefined,
  throwIfCancelled: () => undefined,
};

/**
 * Resolves with `promise`, or rejects with CANCELLED as soon as `token` is cancelled, whichever
 * comes first. The promise itself keeps running; its eventual rejection is swallowed so that it
 * cannot surface as an unhandled rejection.
 */
export function raceCancel<T>(promise: Promise<T>, token: CancelToken): Promise<T> {
  if (token.cancelled) {
    promise.catch(() => undefined);
    return Promise.reject(new TesseraError('CANCELLED', token.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const unsubscribe = token.onCancel(() => {
      promise.catch(() => undefined);
      reject(new TesseraError('CANCELLED', token.reason));
    });
    promise.then(
      (value) => {
        unsubscribe();
        resolve(value);
      },
      (error: unknown) => {
        unsubscribe();
        reject(error);
      },
    );
  });
}
