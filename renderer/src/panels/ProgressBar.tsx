/** Job progress: a bar with tokens/s and ETA; the only component that re-renders per progress event. */
import type { JSX } from 'react';
import { useStudio } from '../state/store.ts';
import type { JobKind } from '../state/types.ts';

function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/** Shows the current job if it is one of `kinds` (each panel shows its own kind of job). */
export function ProgressBar({ kinds }: { kinds: JobKind[] }): JSX.Element | null {
  const job = useStudio((s) => s.job);
  if (!job || !kinds.includes(job.kind)) return null;
  const fraction = job.state === 'done' ? 1 : job.tokensTotal > 0 ? job.tokensDone / job.tokensTotal : 0;
  const batch = job.item ? ` · image ${job.item.index + 1} of ${job.item.total}` : '';
  const label =
    job.state === 'running'
      ? `${job.tokensDone} / ${job.tokensTotal} tokens${batch}`
      : job.state === 'cancelling'
        ? 'Cancelling…'
        : job.state === 'done'
          ? `Done in ${((performance.now() - job.startedAt) / 1000).toFixed(1)} s`
          : job.state === 'cancelled'
            ? 'Cancelled'
            : `Failed: ${job.error ?? ''}`;
  return (
    <div className={`progress state-${job.state}`} data-testid="progress" data-state={job.state} data-previews={job.previewCount}>
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(fraction * 100)}>
        <div className="progress-fill" style={{ transform: `scaleX(${fraction})` }} />
      </div>
      <div className="progress-meta">
        <span>{label}</span>
        {job.state === 'running' && (
          <span className="muted">
            {job.tokensPerSecond.toFixed(0)} tok/s · ETA {formatEta(job.etaSeconds)}
          </span>
        )}
      </div>
    </div>
  );
}
