/** Batch: layouts (current and saved) × seeds, with per-image and overall progress. */
import type { JSX } from 'react';
import { mixIntoFolder, resumeBatch, runBatch } from '../actions/action-batch.ts';
import { cancelJob } from '../actions/action-generate.ts';
import { copyLayout, newId } from '../actions/ids.ts';
import { getEngine } from '../app/services.ts';
import { canDownloadBatchZip, downloadBatchZip } from '../documents/batch-zip.ts';
import { batchCounts, parseSeeds } from '../state/batch-slice.ts';
import { selectJobRunning } from '../state/generation-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { Field } from './fields.tsx';
import { Icon } from './icons.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { QueueTarget } from './QueueTarget.tsx';
import { StoredBatchFolders, useBatchStorage } from './StoredBatchFolders.tsx';

export function BatchPanel(): JSX.Element {
  const useCurrent = useStudio((s) => s.batchUseCurrent);
  const saved = useStudio((s) => s.savedLayouts);
  const picked = useStudio((s) => s.batchLayoutIds);
  const seeds = useStudio((s) => s.batchSeeds);
  const items = useStudio((s) => s.batchItems);
  const outDir = useStudio((s) => s.batchOutDir);
  const folder = useStudio((s) => s.batchFolder);
  const running = useStudio(selectJobRunning);
  const hasPlan = useStudio((s) => s.batchPlan !== null);
  const conflict = useStudio((s) => s.batchConflict);
  const isBatch = useStudio((s) => s.job?.kind === 'batch');
  const ready = useStudio((s) => s.modelStatus === 'ready');
  const storage = useBatchStorage();
  const inPage = canDownloadBatchZip();
  const folderHint = !inPage
    ? "On the engine's machine, under its output root"
    : storage?.persistent === false
      ? 'Kept in this page until you reload it (this browser gives the studio no storage); download it as a zip when the batch is done'
      : 'Kept in this browser (it survives a reload; the same folder again continues it); download it as a zip when the batch is done';
  const parsed = parseSeeds(seeds, () => 0);
  const layoutCount = (useCurrent ? 1 : 0) + saved.filter((l) => picked.includes(l.id)).length;
  // Each seed once per layout, as the engine makes them (batchRows).
  const total = 'seeds' in parsed ? new Set(parsed.seeds).size * layoutCount : 0;
  const counts = batchCounts(items);
  const done = counts.finished;
  const resumable = !running && hasPlan && counts.finished < counts.total;
  return (
    <div className="panel-body">
      <Field label="Layouts">
        <div className="layout-list">
          <label className="check">
            <input type="checkbox" checked={useCurrent} onChange={(e) => studio.getState().setBatchUseCurrent(e.target.checked)} /> Current layout
          </label>
          {saved.map((l) => (
            <label key={l.id} className="check">
              <input type="checkbox" checked={picked.includes(l.id)} onChange={() => studio.getState().toggleBatchLayout(l.id)} /> {l.name}
              <span className="muted small">
                {l.layout.width}×{l.layout.height}
              </span>
              <button type="button" className="icon-button small" title="Remove" onClick={() => studio.getState().removeSavedLayout(l.id)}>
                <Icon name="trash" size={14} />
              </button>
            </label>
          ))}
          <button
            type="button"
            className="ghost"
            onClick={() => {
              const s = studio.getState();
              const name = `${s.projectName} ${s.savedLayouts.length + 1}`;
              s.saveLayout({ id: newId('layout'), name, layout: copyLayout(s.layout) });
            }}
          >
            <Icon name="plus" size={14} /> Save current layout to the list
          </button>
        </div>
      </Field>
      <Field label="Seeds" hint="Numbers and ranges (1-4, 42) or x8 for eight random seeds">
        <input type="text" aria-label="Batch seeds" data-testid="batch-seeds" value={seeds} onChange={(e) => studio.getState().setBatchSeeds(e.target.value)} />
      </Field>
      {'error' in parsed && <div className="error-text small">{parsed.error}</div>}
      <Field label="Output folder" hint={folderHint}>
        <input type="text" aria-label="Output folder" value={folder} onChange={(e) => studio.getState().setBatchFolder(e.target.value)} />
      </Field>
      <QueueTarget />
      <div className="muted small">Uses the sampling settings of the Generate tab.</div>
      <div className="generate-row">
        {running && isBatch ? (
          <button type="button" className="primary danger" onClick={() => void cancelJob(getEngine(), studio)}>
            <Icon name="stop" /> Cancel batch
          </button>
        ) : (
          <>
            <button type="button" className="primary" data-testid="run-batch" disabled={!ready || running || total === 0} onClick={() => void runBatch(getEngine(), studio)}>
              <Icon name="batch" /> Run {total} image{total === 1 ? '' : 's'}
            </button>
            {resumable && (
              <button type="button" className="ghost" data-testid="resume-batch" disabled={!ready} title="Make the images the last batch did not finish (same seeds, settings and folder)" onClick={() => void resumeBatch(getEngine(), studio)}>
                Resume ({counts.total - counts.finished} left)
              </button>
            )}
          </>
        )}
      </div>
      {conflict && !running && (
        <div className="batch-conflict small" data-testid="batch-conflict" role="alert">
          <div>{conflict.message}</div>
          <button
            type="button"
            className="ghost"
            data-testid="batch-mix"
            disabled={!ready}
            title="Write into this folder anyway: the images that do not match this run are made again, the rest are kept"
            onClick={() => void mixIntoFolder(getEngine(), studio)}
          >
            Mix into this folder
          </button>
        </div>
      )}
      <ProgressBar kinds={['batch']} />
      {items.length > 0 && (
        <>
          <div className="batch-summary" data-testid="batch-summary" data-done={done} data-total={items.length}>
            {done} of {items.length} finished{counts.failed ? ` · ${counts.failed} failed` : ''}{outDir ? ` · ${outDir}` : ''}
          </div>
          {outDir && !running && inPage && (
            <button type="button" className="ghost" data-testid="download-batch-zip" title="The batch folder lives in this browser: save it as a zip" onClick={() => void downloadBatchZip(studio, outDir)}>
              Download zip
            </button>
          )}
          <ol className="batch-items">
            {items.map((item, i) => (
              <li key={i} className={`batch-item state-${item.state}`} title={item.error ?? item.file ?? ''}>
                <span className="dot" />
                <span>{item.layout}</span>
                <span className="muted">seed {item.seed}</span>
                <span className="muted small">{item.state === 'skipped' ? 'done earlier' : item.state}</span>
              </li>
            ))}
          </ol>
        </>
      )}
      {inPage && <StoredBatchFolders />}
    </div>
  );
}
