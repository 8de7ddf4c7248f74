/**
 * The gallery along the bottom: every result with its parameters. Select to view; the details
 * bar restores parameters and layout in one click, exports the PNG (with metadata) or the layout,
 * starts inpainting, or picks a second result to compare.
 */
import type { JSX } from 'react';
import { beginInpaint } from '../actions/action-inpaint.ts';
import { restoreEntry } from '../actions/action-restore.ts';
import { imageToCanvas } from '../canvas/rgba-canvas.ts';
import { exportLayoutPng, exportResultPng } from '../documents/file-actions.ts';
import { selectSelectedEntry } from '../state/gallery-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { Icon } from './icons.tsx';
import { Thumb } from './Thumb.tsx';

export function GalleryStrip(): JSX.Element {
  const gallery = useStudio((s) => s.gallery);
  const selectedId = useStudio((s) => s.selectedId);
  const compareId = useStudio((s) => s.compareId);
  const selected = useStudio(selectSelectedEntry);
  const heatmap = useStudio((s) => s.heatmap);
  return (
    <section className="gallery" aria-label="Gallery" data-testid="gallery" data-count={gallery.length}>
      <div className="gallery-bar">
        <span className="pane-title">History</span>
        <span className="muted small">{gallery.length} result{gallery.length === 1 ? '' : 's'}</span>
        {selected && (
          <div className="entry-details" data-testid="entry-details">
            <span className="chip">{selected.kind}</span>
            <span className="params">
              {selected.label ? `${selected.label} · ` : ''}seed {selected.result.settings.seed} · T {selected.result.settings.temperature} · k {selected.result.settings.topK} · p {selected.result.settings.topP} · {selected.result.settings.sampler}
              {selected.result.settings.sampler === 'cached' ? `/${selected.result.settings.stride}` : selected.result.settings.sampler === 'parallel' ? `/L${selected.result.settings.lead ?? ''}` : ''} · {selected.result.backend} · {selected.result.seconds.toFixed(1)} s
            </span>
            <button type="button" className="ghost small" data-testid="restore" title="Restore this layout and its settings" onClick={() => restoreEntry(studio, selected)}>
              <Icon name="restore" size={14} /> Restore
            </button>
            <button type="button" className="ghost small" title="Export PNG with parameters" onClick={() => void exportResultPng(selected, studio)}>
              <Icon name="download" size={14} /> PNG
            </button>
            <button type="button" className="ghost small" title="Export this result's layout as a label PNG" onClick={() => void exportLayoutPng(studio, selected.layout)}>
              <Icon name="download" size={14} /> Layout
            </button>
            <button type="button" className={`ghost small${heatmap ? ' active' : ''}`} data-testid="heatmap" title="Token uncertainty heat-map; click a token to resample it" onClick={() => studio.getState().setHeatmap(!heatmap)}>
              <Icon name="heat" size={14} /> Uncertainty
            </button>
            <button type="button" className="ghost small" title="Inpaint a region of this result" onClick={() => beginInpaint(studio, selected.result.image)}>
              <Icon name="mask" size={14} /> Inpaint
            </button>
            {compareId && (
              <button type="button" className="ghost small active" onClick={() => studio.getState().setCompare(null)}>
                <Icon name="close" size={14} /> End compare
              </button>
            )}
          </div>
        )}
      </div>
      <div className="gallery-thumbs">
        {gallery.length === 0 && <div className="muted small gallery-empty">Results appear here with their parameters.</div>}
        {gallery.map((e) => (
          <div key={e.id} className={`gallery-item${e.id === selectedId ? ' selected' : ''}${e.id === compareId ? ' comparing' : ''}`}>
            <button type="button" className="thumb-button" title={`${e.modelName} · seed ${e.result.settings.seed}`} onClick={() => studio.getState().selectResult(e.id)}>
              <Thumb source={imageToCanvas(e.result.image)} />
            </button>
            <div className="gallery-item-actions">
              <button
                type="button"
                className="mini"
                title="Compare with the selected result"
                disabled={e.id === selectedId}
                onClick={() => studio.getState().setCompare(compareId === e.id ? null : e.id)}
              >
                <Icon name="compare" size={12} />
              </button>
              <button type="button" className="mini" title="Remove from history" onClick={() => studio.getState().removeResult(e.id)}>
                <Icon name="trash" size={12} />
              </button>
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}
