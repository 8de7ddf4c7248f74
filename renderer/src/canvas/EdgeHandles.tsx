/**
 * Drag a canvas edge to extend it (Outpaint tab): a handle on each side of the layout; dragging it
 * outward shows the new area snapped to whole token windows, and releasing extends the canvas by
 * that many windows (the same undoable step as the panel's Extend).
 */
import type { JSX, PointerEvent as ReactPointerEvent } from 'react';
import { useState } from 'react';
import { extendCanvas } from '../actions/action-outpaint.ts';
import { selectJobRunning } from '../state/generation-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { EXTEND_SIDES, type ExtendSide } from '../tools/extend-layout.ts';
import { mapToScreen } from './viewport-math.ts';

interface Drag {
  side: ExtendSide;
  x: number;
  y: number;
  /** Whole windows the drag has reached so far. */
  windows: number;
}

const HANDLE = 44;
const THICK = 10;

function outward(side: ExtendSide, dx: number, dy: number): number {
  return side === 'right' ? dx : side === 'left' ? -dx : side === 'bottom' ? dy : -dy;
}

export function EdgeHandles(): JSX.Element | null {
  const active = useStudio((s) => s.rightTab === 'outpaint' && s.modelStatus === 'ready' && !selectJobRunning(s) && (s.gallery.length > 0 || s.baseImage !== null));
  const model = useStudio((s) => s.activeModel);
  const zoom = useStudio((s) => s.zoom);
  const panX = useStudio((s) => s.panX);
  const panY = useStudio((s) => s.panY);
  const width = useStudio((s) => s.layout.width);
  const height = useStudio((s) => s.layout.height);
  const [drag, setDrag] = useState<Drag | null>(null);
  if (!active || !model) return null;
  const view = { zoom, panX, panY };
  const a = mapToScreen(view, 0, 0);
  const b = mapToScreen(view, width, height);
  const stepOf = (side: ExtendSide): number => (side === 'left' || side === 'right' ? model.window.cols : model.window.rows) * model.gridFactor * zoom;
  const place = (side: ExtendSide): { left: number; top: number; width: number; height: number } => {
    const midX = (a.x + b.x) / 2;
    const midY = (a.y + b.y) / 2;
    if (side === 'right') return { left: b.x, top: midY - HANDLE / 2, width: THICK, height: HANDLE };
    if (side === 'left') return { left: a.x - THICK, top: midY - HANDLE / 2, width: THICK, height: HANDLE };
    if (side === 'bottom') return { left: midX - HANDLE / 2, top: b.y, width: HANDLE, height: THICK };
    return { left: midX - HANDLE / 2, top: a.y - THICK, width: HANDLE, height: THICK };
  };
  const ghost = (d: Drag): { left: number; top: number; width: number; height: number } => {
    const grow = d.windows * stepOf(d.side);
    return {
      left: a.x - (d.side === 'left' ? grow : 0),
      top: a.y - (d.side === 'top' ? grow : 0),
      width: b.x - a.x + (d.side === 'left' || d.side === 'right' ? grow : 0),
      height: b.y - a.y + (d.side === 'top' || d.side === 'bottom' ? grow : 0),
    };
  };
  const down = (side: ExtendSide) => (e: ReactPointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    setDrag({ side, x: e.clientX, y: e.clientY, windows: 0 });
  };
  const move = (e: ReactPointerEvent<HTMLDivElement>): void => {
    if (!drag) return;
    const windows = Math.max(0, Math.round(outward(drag.side, e.clientX - drag.x, e.clientY - drag.y) / stepOf(drag.side)));
    if (windows !== drag.windows) setDrag({ ...drag, windows });
  };
  const up = (): void => {
    if (drag && drag.windows > 0) extendCanvas(studio, drag.side, drag.windows);
    setDrag(null);
  };
  return (
    <>
      {drag && drag.windows > 0 && (
        <div className="extend-ghost" data-testid="extend-ghost" style={ghost(drag)}>
          <span>
            +{drag.windows} window{drag.windows === 1 ? '' : 's'} {drag.side}
          </span>
        </div>
      )}
      {EXTEND_SIDES.map((side) => (
        <div
          key={side}
          role="separator"
          aria-label={`Drag to extend the canvas ${side}`}
          title={`Drag to extend the canvas ${side} by whole token windows`}
          className={`extend-handle extend-${side}${drag?.side === side ? ' dragging' : ''}`}
          data-testid={`extend-handle-${side}`}
          style={place(side)}
          onPointerDown={down(side)}
          onPointerMove={move}
          onPointerUp={up}
          onPointerCancel={() => setDrag(null)}
        />
      ))}
    </>
  );
}
