/**
 * The static build's batch folders in this browser (the engine Worker keeps them in IndexedDB, so
 * they survive a reload): each with its size, a zip download and Delete (press twice), which is
 * how the user makes room when the browser's storage is full. Shown in the Batch tab only where
 * the engine runs in the page.
 */
import { useCallback, useEffect, useState, useSyncExternalStore, type JSX } from 'react';
import type { StoredBatchFolder } from '../../../shared/page-worker.ts';
import { batchStorage, downloadBatchZip, onBatchStorage, storedBatchFolders } from '../documents/batch-zip.ts';
import { selectJobRunning } from '../state/generation-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { Icon } from './icons.tsx';

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Where the engine keeps batch folders (null until its Worker has said). */
export function useBatchStorage(): ReturnType<typeof batchStorage> {
  return useSyncExternalStore(onBatchStorage, batchStorage);
}

export function StoredBatchFolders(): JSX.Element {
  const storage = useBatchStorage();
  const running = useStudio(selectJobRunning);
  const [open, setOpen] = useState(false);
  const [folders, setFolders] = useState<StoredBatchFolder[] | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = useCallback(async (remove: string | null) => {
    setBusy(true);
    const list = await storedBatchFolders(studio, remove);
    setBusy(false);
    setConfirming(null);
    if (list) setFolders(list);
  }, []);
  // Again whenever a job ends: a batch may have added files.
  useEffect(() => {
    if (open && !running) void refresh(null);
  }, [open, running, refresh]);
  const total = folders?.reduce((sum, f) => sum + f.bytes, 0) ?? 0;
  return (
    <details className="stored-folders" data-testid="stored-batch-folders" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Batch folders in this browser</summary>
      {storage && !storage.persistent && <div className="error-text small">{storage.detail}</div>}
      {folders === null ? (
        <div className="muted small">{busy ? 'Reading…' : ''}</div>
      ) : folders.length === 0 ? (
        <div className="muted small">None yet.</div>
      ) : (
        <>
          <ul className="batch-items">
            {folders.map((f) => (
              <li key={f.name} className="stored-folder" data-testid="stored-batch-folder" data-folder={f.name} data-files={f.files}>
                <span title={f.name}>{f.name}</span>
                <span className="muted small">
                  {f.files} file{f.files === 1 ? '' : 's'} · {size(f.bytes)}
                </span>
                <button type="button" className="icon-button small" data-testid="stored-batch-zip" title={`Download ${f.name} as a zip`} onClick={() => void downloadBatchZip(studio, f.name)}>
                  <Icon name="download" size={14} />
                </button>
                <button
                  type="button"
                  className={confirming === f.name ? 'ghost danger small' : 'icon-button small'}
                  data-testid="stored-batch-delete"
                  disabled={running || busy}
                  title={confirming === f.name ? 'Press again to delete it for good' : `Delete ${f.name} from this browser (download its zip first to keep it)`}
                  onClick={() => (confirming === f.name ? void refresh(f.name) : setConfirming(f.name))}
                >
                  {confirming === f.name ? 'Delete?' : <Icon name="trash" size={14} />}
                </button>
              </li>
            ))}
          </ul>
          <div className="muted small">
            {size(total)} in all{storage?.persistent ? ' · kept across reloads' : ''}
          </div>
        </>
      )}
    </details>
  );
}
