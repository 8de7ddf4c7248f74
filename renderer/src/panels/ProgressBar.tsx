/** Job progress: a bar with tokens/s and ETA; the only component that re-renders per progress event. */
import type { JSX } from 'react';
import { useStudio } from '../state/store.ts';
import type { BatchItem } from '../../../shared/protocol.ts';
import { batchCounts } from '../state/batch-slice.ts';
import type { JobKind, JobProgress } from '../state/types.ts';

const NO_ITEMS: BatchItem[] = [];

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/** The line under the bar; for a batch it is counted from the rows, so the two always agree. */
export function progressLabel(job: JobProgress, batchItems: readonly BatchItem[]): string {
  const counts = job.kind === 'batch' ? batchCounts(batchItems) : null;
  const batch = counts ? `${counts.finished} of ${counts.total} images finished${counts.running.length ? ` · making seed ${counts.running.map((i) => i.seed).join(', ')}` : ''}` : '';
  switch (job.state) {
    case 'running':
      return counts ? batch : `${job.tokensDone} / ${job.tokensTotal} tokens${job.item ? ` · image ${job.item.index + 1} of ${job.item.total}` : ''}`;
    case 'cancelling':
      return 'Cancelling…';
    case 'done':
      // Measured once, when the job ended: re-rendering must not make it count on.
      return `Done in ${(((job.finishedAt ?? job.startedAt) - job.startedAt) / 1000).toFixed(1)} s`;
    case 'cancelled':
      return counts ? `Cancelled · ${counts.finished} of ${counts.total} images finished (kept; Resume makes the rest)` : 'Cancelled';
    default:
      return `Failed: ${job.error ?? ''}`;
  }
}

/** Shows the current job if it is one of `kinds` (each panel shows its own kind of job). */
export function ProgressBar({ kinds }: { kinds: JobKind[] }): JSX.Element | null {
  const job = useStudio((s) => s.job);
  const batchItems = useStudio((s) => (s.job?.kind === 'batch' ? s.batchItems : NO_ITEMS));
  if (!job || !kinds.includes(job.kind)) return null;
  const fraction = job.state === 'done' ? 1 : job.tokensTotal > 0 ? job.tokensDone / job.tokensTotal : 0;
  const label = progressLabel(job, batchItems);
  return (
    <div className={`progress state-${job.state}`} data-testid="progress" data-state={job.state} data-previews={job.previewCount}>
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fraction * 100)}>
        <div className="progress-fill" style={{ transform: `scaleX(${fraction})` }} />
      </div>
      <div className="progress-meta">
        <span data-testid="progress-label">{label}</span>
        {job.state === 'running' && (
          <span className="muted">
            {job.tokensPerSecond.toFixed(0)} tok/s · ETA {formatEta(job.etaSeconds)}
          </span>
        )}
      </div>
    </div>
  );
}
