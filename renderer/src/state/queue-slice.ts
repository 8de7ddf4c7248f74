/**
 * Where the Batch panel's images are made: this engine (no queue), or the workers of a Redis
 * queue (docs/DISTRIBUTED.md), with the queue's last known status (its connected workers).
 */
import type { StateCreator } from 'zustand';
import type { QueueStatus } from '../../../shared/queue-target.ts';
import type { Studio } from './store.ts';

export type QueueBackend = QueueStatus['backend'];

export interface QueueSlice {
  /** redis://… or rediss://…; empty = make the batch on this engine. */
  batchQueueUrl: string;
  batchQueueBackend: QueueBackend;
  queueStatus: QueueStatus | null;
  queueStatusError: string | null;
  setBatchQueueUrl(url: string): void;
  setBatchQueueBackend(backend: QueueBackend): void;
  setQueueStatus(status: QueueStatus | null, error: string | null): void;
}

export const createQueueSlice: StateCreator<Studio, [], [], QueueSlice> = (set) => ({
  batchQueueUrl: '',
  batchQueueBackend: 'cpu',
  queueStatus: null,
  queueStatusError: null,
  setBatchQueueUrl: (batchQueueUrl) => set({ batchQueueUrl, queueStatus: null, queueStatusError: null }),
  setBatchQueueBackend: (batchQueueBackend) => set({ batchQueueBackend, queueStatus: null, queueStatusError: null }),
  setQueueStatus: (queueStatus, queueStatusError) => set({ queueStatus, queueStatusError }),
});

/** The `queue` of a job.batch request, or undefined for a batch on this engine. */
export function selectBatchQueue(s: Pick<Studio, 'batchQueueUrl' | 'batchQueueBackend'>): { url: string; backend: QueueBackend } | undefined {
  const url = s.batchQueueUrl.trim();
  return url === '' ? undefined : { url, backend: s.batchQueueBackend };
}
