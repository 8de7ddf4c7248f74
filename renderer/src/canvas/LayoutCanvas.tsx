/**
 * Hosts the layout canvas: React mounts the element and the controller once; from then on the
 * controller paints and draws on its own. The hover readout is written straight into a span.
 */
import type { JSX } from 'react';
import { useEffect, useRef } from 'react';
import { studio } from '../state/store.ts';
import { EdgeHandles } from './EdgeHandles.tsx';
import type { HoverInfo } from './layout-canvas-controller.ts';
import { LayoutCanvasController } from './layout-canvas-controller.ts';

let current: LayoutCanvasController | null = null;

/** The mounted controller (for the e2e hook's coordinate mapping). */
export function layoutCanvasController(): LayoutCanvasController | null {
  return current;
}

export function LayoutCanvas(): JSX.Element {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const hoverRef = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const onHover = (info: HoverInfo | null): void => {
      const el = hoverRef.current;
      if (!el) return;
      if (!info) {
        el.textContent = '';
        return;
      }
      const name = studio.getState().activeModel?.classes.find((c) => c.id === info.classId)?.name ?? `class ${info.classId}`;
      el.textContent = `${info.x}, ${info.y}  ·  token ${info.row}:${info.col}  ·  ${name}`;
    };
    const controller = new LayoutCanvasController(canvas, studio, onHover);
    current = controller;
    return () => {
      controller.dispose();
      if (current === controller) current = null;
    };
  }, []);
  return (
    <div className="canvas-host">
      <canvas ref={canvasRef} className="layout-canvas" data-testid="layout-canvas" />
      <span ref={hoverRef} className="hover-readout" aria-live="off" />
      <EdgeHandles />
    </div>
  );
}
