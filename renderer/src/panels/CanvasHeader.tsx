/** Above the layout: canvas size presets, grid toggle, zoom readout and fit. */
import type { JSX } from 'react';
import { checkCanvasSize } from '../../../shared/grid.ts';
import { selectCanvasSize } from '../state/document-slice.ts';
import { RESIZE_MODES, type ResizeMode } from '../tools/resize-layout.ts';
import { studio, useStudio } from '../state/store.ts';
import { Icon } from './icons.tsx';

export const CANVAS_PRESETS: Array<{ width: number; height: number; label: string }> = [
  { width: 256, height: 256, label: 'Square S' },
  { width: 512, height: 256, label: 'Wide S' },
  { width: 256, height: 512, label: 'Tall S' },
  { width: 512, height: 512, label: 'Square M' },
  { width: 768, height: 512, label: 'Landscape 3:2' },
  { width: 1024, height: 512, label: 'Panorama 2:1' },
  { width: 1024, height: 1024, label: 'Square L' },
];

export function CanvasHeader({ title }: { title: string }): JSX.Element {
  const size = useStudio(selectCanvasSize);
  const zoom = useStudio((s) => s.zoom);
  const showGrid = useStudio((s) => s.showGrid);
  const model = useStudio((s) => s.activeModel);
  const inpaint = useStudio((s) => s.inpaintActive);
  const resizeMode = useStudio((s) => s.resizeMode);
  const gf = model?.gridFactor ?? 16;
  const presets = CANVAS_PRESETS.filter((p) => !model || checkCanvasSize(p, gf, model.window).ok);
  return (
    <div className="pane-header">
      <span className="pane-title">{title}</span>
      <select
        className="size-select"
        aria-label="Canvas size"
        value={size}
        disabled={inpaint}
        onChange={(e) => {
          const [w, h] = e.target.value.split('×').map(Number);
          const s = studio.getState();
          if (w && h) s.resizeCanvas(w, h, s.backgroundClass, s.resizeMode);
        }}
      >
        {!presets.some((p) => `${p.width}×${p.height}` === size) && <option value={size}>{size}</option>}
        {presets.map((p) => (
          <option key={p.label} value={`${p.width}×${p.height}`}>
            {p.width}×{p.height} · {p.label}
          </option>
        ))}
      </select>
      <select className="size-select" aria-label="When resizing" title="When the canvas size changes: scale the layout, or keep its size at an anchor (new space gets the eraser's background class)" value={resizeMode} disabled={inpaint} onChange={(e) => studio.getState().setResizeMode(e.target.value as ResizeMode)}>
        {RESIZE_MODES.map((m) => (
          <option key={m.mode} value={m.mode}>
            {m.label}
          </option>
        ))}
      </select>
      <span className="muted small">{gf}px tokens</span>
      <span className="spacer" />
      <button type="button" className={`icon-button${showGrid ? ' active' : ''}`} title="Token grid (#)" aria-pressed={showGrid} onClick={() => studio.getState().toggleGrid()}>
        <Icon name="grid" />
      </button>
      <button type="button" className="icon-button" title="Fit to view (F)" onClick={() => studio.getState().requestFit()}>
        <Icon name="fit" />
      </button>
      <span className="zoom-readout">{Math.round(zoom * 100)}%</span>
    </div>
  );
}
