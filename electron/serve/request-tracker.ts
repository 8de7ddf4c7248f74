/**
 * What one serve-mode connection is owed by the engine: requests sent and not yet answered, and
 * jobs started and not yet ended. When the engine process dies those answers will never come, so
 * the server produces them itself (ENGINE_CRASHED replies, job.failed events) and the page's
 * spinners stop instead of waiting forever. Pure bookkeeping over shared/protocol messages.
 */
import type { ErrorPayload } from '../../shared/errors.ts';
import type { EngineMessage, Request } from '../../shared/protocol.ts';

const JOB_REQUESTS: ReadonlySet<Request['type']> = new Set(['job.generate', 'job.batch', 'job.inpaint', 'job.outpaint']);

export class RequestTracker {
  /** Request id → the job it started (undefined for requests that start none). */
  private readonly pending = new Map<string, string | undefined>();
  private readonly running = new Set<string>();

  /** A request went to the engine (or waits for it). */
  sent(request: Request): void {
    const jobId = JOB_REQUESTS.has(request.type) && 'jobId' in request ? request.jobId : undefined;
    this.pending.set(request.id, jobId);
    if (jobId !== undefined) this.running.add(jobId);
  }

  /** A message the engine sent to this connection. */
  received(message: EngineMessage): void {
    if (message.type === 'reply') {
      const jobId = this.pending.get(message.id);
      this.pending.delete(message.id);
      // The reply to a job's request ends the job, even when no job.finished/job.failed preceded it
      // (a request refused before the job was queued).
      if (jobId !== undefined) this.running.delete(jobId);
    } else if (message.type === 'job.finished' || message.type === 'job.failed') {
      this.running.delete(message.jobId);
    }
  }

  /**
   * The messages the engine will now never send: job.failed for each job still running, then an
   * error reply for each request still pending (the order the engine itself uses). Forgets them.
   */
  failAll(error: ErrorPayload): EngineMessage[] {
    const messages: EngineMessage[] = [];
    for (const jobId of this.running) messages.push({ type: 'job.failed', jobId, error });
    for (const id of this.pending.keys()) messages.push({ type: 'reply', id, ok: false, error });
    this.pending.clear();
    this.running.clear();
    return messages;
  }

  pendingIds(): string[] {
    return [...this.pending.keys()];
  }

  runningJobs(): string[] {
    return [...this.running];
  }
}
