/**
 * The Batch panel's queue setting: make the batch on this engine, or on the workers of a Redis
 * queue (docs/DISTRIBUTED.md). Shows the workers connected to the active model's queue, refreshed
 * while the panel is open.
 */
import { useEffect, type JSX } from 'react';
import { refreshQueueStatus } from '../actions/action-queue.ts';
import { getEngine } from '../app/services.ts';
import type { QueueBackend } from '../state/queue-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { Field } from './fields.tsx';

const REFRESH_MS = 5000;
const QUEUE_BACKENDS: readonly QueueBackend[] = ['cpu', 'webgpu', 'wasm'];

export function QueueTarget(): JSX.Element {
  const url = useStudio((s) => s.batchQueueUrl);
  const backend = useStudio((s) => s.batchQueueBackend);
  const status = useStudio((s) => s.queueStatus);
  const error = useStudio((s) => s.queueStatusError);
  const modelId = useStudio((s) => s.activeModel?.id ?? null);

  useEffect(() => {
    if (url.trim() === '' || modelId === null) return;
    const refresh = (): void => void refreshQueueStatus(getEngine(), studio);
    const first = setTimeout(refresh, 400);
    const timer = setInterval(refresh, REFRESH_MS);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [url, backend, modelId]);

  return (
    <div className="queue-target" data-testid="batch-queue">
      <Field label="Queue" hint="Empty: make the images on this engine. redis://host:port (or redis://user:password@host:port, rediss:// for TLS): make them on the workers of that queue (npm run cli -- worker --queue …)">
        <input type="text" aria-label="Batch queue" placeholder="this engine" value={url} onChange={(e) => studio.getState().setBatchQueueUrl(e.target.value)} />
      </Field>
      {url.trim() !== '' && (
        <>
          <Field label="Workers' backend" hint="The backend the workers run: it is recorded in every image">
            <select aria-label="Workers' backend" value={backend} onChange={(e) => studio.getState().setBatchQueueBackend(QUEUE_BACKENDS.find((b) => b === e.target.value) ?? 'cpu')}>
              <option value="cpu">cpu</option>
              <option value="webgpu">webgpu</option>
              <option value="wasm">wasm</option>
            </select>
          </Field>
          {error !== null && <div className="error-text small">{error}</div>}
          {status !== null && (
            <div className="muted small" data-testid="queue-workers" data-workers={status.workers.length}>
              {status.workers.length === 0
                ? `No worker is connected for ${status.model.id} on ${status.backend}: start one with npm run cli -- worker --queue … --model ${status.model.id}`
                : `${status.workers.length} worker${status.workers.length === 1 ? '' : 's'}: ${status.workers.map((w) => w.name).join(', ')}`}
              {status.jobs.waiting + status.jobs.active > 0 ? ` · ${status.jobs.active} running, ${status.jobs.waiting} waiting` : ''}
            </div>
          )}
        </>
      )}
    </div>
  );
}
