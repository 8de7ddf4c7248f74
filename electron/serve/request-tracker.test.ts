import { describe, expect, it } from 'vitest';
import type { ErrorPayload } from '../../shared/errors.ts';
import type { Request } from '../../shared/protocol.ts';
import { RequestTracker } from './request-tracker.ts';

const settings = { seed: 1, temperature: 1, topK: 0, topP: 1, sampler: 'exact', stride: 1, decodedPreviews: true } as const;
const layout = { width: 8, height: 8, data: new Uint8Array(64) };
const generate = (id: string, jobId: string): Request => ({ type: 'job.generate', id, jobId, model: 'm', layout, settings });
const crashed: ErrorPayload = { code: 'ENGINE_CRASHED', message: 'The engine process was killed (SIGKILL).' };

describe('RequestTracker', () => {
  it('owes a job.failed and an error reply for a job that was running, and a reply for a plain request', () => {
    const tracker = new RequestTracker();
    tracker.sent(generate('g1', 'job-1'));
    tracker.sent({ type: 'models.list', id: 'l1' });
    tracker.received({ type: 'job.progressed', jobId: 'job-1', tokensDone: 3, tokensTotal: 32, tokensPerSecond: 10, etaSeconds: 2 });
    expect(tracker.failAll(crashed)).toEqual([
      { type: 'job.failed', jobId: 'job-1', error: crashed },
      { type: 'reply', id: 'g1', ok: false, error: crashed },
      { type: 'reply', id: 'l1', ok: false, error: crashed },
    ]);
    // Forgotten once answered: a second crash owes nothing.
    expect(tracker.failAll(crashed)).toEqual([]);
  });

  it('owes nothing for answered requests and ended jobs', () => {
    const tracker = new RequestTracker();
    tracker.sent(generate('g1', 'job-1'));
    tracker.sent(generate('g2', 'job-2'));
    tracker.sent({ type: 'models.list', id: 'l1' });
    tracker.received({ type: 'job.finished', jobId: 'job-1' });
    tracker.received({ type: 'reply', id: 'g1', ok: true, value: {} });
    tracker.received({ type: 'reply', id: 'l1', ok: true, value: [] });
    // A job refused before it was queued: its reply ends it, with no job.failed of its own.
    tracker.received({ type: 'reply', id: 'g2', ok: false, error: { code: 'BAD_CANVAS_SIZE', message: 'no' } });
    expect(tracker.pendingIds()).toEqual([]);
    expect(tracker.runningJobs()).toEqual([]);
    expect(tracker.failAll(crashed)).toEqual([]);
  });

  it('still owes the reply of a job whose job.finished arrived but whose result did not', () => {
    const tracker = new RequestTracker();
    tracker.sent(generate('g1', 'job-1'));
    tracker.received({ type: 'job.finished', jobId: 'job-1' });
    expect(tracker.failAll(crashed)).toEqual([{ type: 'reply', id: 'g1', ok: false, error: crashed }]);
  });

  it('does not count job.cancel as a job, and ignores other connections\' messages', () => {
    const tracker = new RequestTracker();
    tracker.sent({ type: 'job.cancel', id: 'c1', jobId: 'job-9' });
    tracker.received({ type: 'reply', id: 'unknown', ok: true, value: null });
    tracker.received({ type: 'job.failed', jobId: 'job-x', error: crashed });
    expect(tracker.runningJobs()).toEqual([]);
    expect(tracker.pendingIds()).toEqual(['c1']);
  });
});
