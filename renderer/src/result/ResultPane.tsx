/**
 * The result pane: live previews while a job runs (token colours, then decoded partials), the
 * selected result afterwards, an optional entropy heat-map (click a token to resample it), and a
 * split comparison with a second result. Drawing subscribes to the store outside React, so a
 * preview event repaints this canvas without re-rendering components.
 */
import type { JSX } from 'react';
import { useEffect, useRef } from 'react';
import { imageToCanvas, transientCanvas } from '../canvas/rgba-canvas.ts';
import { selectResultImage } from '../canvas/overlay-source.ts';
import { selectCompareEntry, selectSelectedEntry } from '../state/gallery-slice.ts';
import type { Studio } from '../state/store.ts';
import { studio, useStudio } from '../state/store.ts';
import { heatmapPixels } from './heatmap.ts';

interface Placement {
  x: number;
  y: number;
  w: number;
  h: number;
}

function fitRect(iw: number, ih: number, cw: number, ch: number, margin = 16): Placement {
  const scale = Math.min((cw - 2 * margin) / iw, (ch - 2 * margin) / ih);
  const w = Math.max(1, iw * scale);
  const h = Math.max(1, ih * scale);
  return { x: (cw - w) / 2, y: (ch - h) / 2, w, h };
}

const heatCache = new WeakMap<Float32Array, HTMLCanvasElement>();
function heatCanvas(entropy: Float32Array, rows: number, cols: number): HTMLCanvasElement {
  const hit = heatCache.get(entropy);
  if (hit) return hit;
  const c = document.createElement('canvas');
  c.width = cols;
  c.height = rows;
  c.getContext('2d')?.putImageData(new ImageData(heatmapPixels(entropy, rows, cols), cols, rows), 0, 0);
  heatCache.set(entropy, c);
  return c;
}

export function ResultPane({ onResampleToken }: { onResampleToken: (index: number) => void }): JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const placement = useRef<Placement | null>(null);
  const split = useRef(0.5);
  const redraw = useRef<() => void>(() => undefined);
  const heatmap = useStudio((s) => s.heatmap);
  const hasResult = useStudio((s) => s.preview !== null || s.gallery.length > 0);
  const comparing = useStudio((s) => s.compareId !== null && s.selectedId !== null);
  const stageLabel = useStudio((s) => (s.job?.state === 'running' && s.preview?.jobId === s.job.id ? s.preview.kind : null));

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    let frame = 0;
    const draw = (): void => {
      frame = 0;
      const s = studio.getState();
      const parent = canvas.parentElement;
      const cw = parent?.clientWidth ?? 1;
      const ch = parent?.clientHeight ?? 1;
      const dpr = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(cw * dpr) || canvas.height !== Math.round(ch * dpr)) {
        canvas.width = Math.round(cw * dpr);
        canvas.height = Math.round(ch * dpr);
        canvas.style.width = `${cw}px`;
        canvas.style.height = `${ch}px`;
      }
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, cw, ch);
      const shown = selectResultImage(s);
      if (!shown) {
        placement.current = null;
        return;
      }
      const p = fitRect(shown.image.width, shown.image.height, cw, ch);
      placement.current = p;
      ctx.shadowColor = 'rgba(0,0,0,0.55)';
      ctx.shadowBlur = 24;
      ctx.fillStyle = '#000';
      ctx.fillRect(p.x, p.y, p.w, p.h);
      ctx.shadowBlur = 0;
      // Token previews are blocky by nature: keep them crisp; decoded images are smoothed.
      ctx.imageSmoothingEnabled = shown.kind !== 'tokens';
      ctx.drawImage(shown.kind === 'final' ? imageToCanvas(shown.image) : transientCanvas(shown.image, 'result-preview'), p.x, p.y, p.w, p.h);
      const selected = selectSelectedEntry(s);
      const compare = selectCompareEntry(s);
      if (compare && selected && shown.kind === 'final') {
        const sx = p.x + p.w * split.current;
        ctx.save();
        ctx.beginPath();
        ctx.rect(sx, p.y, p.x + p.w - sx, p.h);
        ctx.clip();
        ctx.drawImage(imageToCanvas(compare.result.image), p.x, p.y, p.w, p.h);
        ctx.restore();
        ctx.fillStyle = '#fff';
        ctx.fillRect(sx - 1, p.y, 2, p.h);
      }
      if (s.heatmap && selected && shown.kind === 'final') {
        const { rows, cols } = selected.result.grid;
        ctx.imageSmoothingEnabled = false;
        ctx.drawImage(heatCanvas(selected.result.entropy, rows, cols), p.x, p.y, p.w, p.h);
      }
    };
    const schedule = (): void => {
      if (!frame) frame = requestAnimationFrame(draw);
    };
    const relevant = (s: Studio) => [s.preview, s.selectedId, s.compareId, s.heatmap, s.gallery, s.job?.state] as const;
    let last = relevant(studio.getState());
    const unsubscribe = studio.subscribe((s) => {
      const next = relevant(s);
      if (next.some((v, i) => v !== last[i])) schedule();
      last = next;
    });
    redraw.current = schedule;
    const ro = new ResizeObserver(schedule);
    if (canvas.parentElement) ro.observe(canvas.parentElement);
    schedule();
    return () => {
      cancelAnimationFrame(frame);
      unsubscribe();
      ro.disconnect();
    };
  }, []);

  const tokenAt = (clientX: number, clientY: number): number | null => {
    const s = studio.getState();
    const entry = selectSelectedEntry(s);
    const p = placement.current;
    const canvas = canvasRef.current;
    if (!entry || !p || !canvas) return null;
    const r = canvas.getBoundingClientRect();
    const u = (clientX - r.left - p.x) / p.w;
    const v = (clientY - r.top - p.y) / p.h;
    if (u < 0 || v < 0 || u >= 1 || v >= 1) return null;
    const { rows, cols } = entry.result.grid;
    return Math.floor(v * rows) * cols + Math.floor(u * cols);
  };

  return (
    <div className="canvas-host result-host">
      <canvas
        ref={canvasRef}
        className={`result-canvas${heatmap ? ' picking' : ''}`}
        data-testid="result-canvas"
        onPointerDown={(e) => {
          const s = studio.getState();
          if (comparing) {
            const p = placement.current;
            const r = e.currentTarget.getBoundingClientRect();
            if (p) {
              split.current = Math.min(1, Math.max(0, (e.clientX - r.left - p.x) / p.w));
              redraw.current();
            }
            return;
          }
          if (!s.heatmap) return;
          const index = tokenAt(e.clientX, e.clientY);
          if (index !== null) onResampleToken(index);
        }}
      />
      {!hasResult && (
        <div className="empty-state">
          <div className="empty-title">No result yet</div>
          <div className="muted">Paint a layout, then press Generate (Ctrl+Enter).</div>
        </div>
      )}
      {stageLabel && <span className="stage-chip">{stageLabel === 'tokens' ? 'Token preview' : 'Decoding…'}</span>}
      {heatmap && (
        <span className="stage-chip right heat-legend">
          certain <i className="ramp" aria-hidden="true" /> uncertain · click a token to resample it
        </span>
      )}
      {comparing && <span className="stage-chip right">Compare · click to move the divider</span>}
    </div>
  );
}
