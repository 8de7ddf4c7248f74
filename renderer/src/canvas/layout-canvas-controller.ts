/**
 * The layout canvas, outside React. Pointer input runs the pure tools and writes their patches
 * straight into the label map; drawing happens at most once per animation frame, re-colouring
 * only the changed rectangle. Nothing here goes through React state: the store learns of a
 * stroke once, when it ends (one undo step), and of a pan once, when it ends.
 */
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { Studio, StudioStore } from '../state/store.ts';
import type { Point } from '../tools/brush.ts';
import { brushRadius, brushSegment } from '../tools/brush.ts';
import { pickClass } from '../tools/eyedropper.ts';
import { floodFill } from '../tools/flood-fill.ts';
import { constrainAngle, drawLine } from '../tools/line.ts';
import type { LabelPatch } from '../tools/patch.ts';
import { applyPatch } from '../tools/patch.ts';
import { drawRectangle, rectFromCorners } from '../tools/rectangle.ts';
import { replaceClass } from '../tools/replace-class.ts';
import type { Rect } from '../tools/spans.ts';
import { StrokeRecorder } from '../tools/stroke-recorder.ts';
import { buildLut, colouriseRect, packRgba } from './palette-lut.ts';
import { imageToCanvas, transientCanvas } from './rgba-canvas.ts';
import type { View } from './viewport-math.ts';
import { fitView, mapToScreen, screenToMap, zoomAt } from './viewport-math.ts';
import { selectOverlayImage } from './overlay-source.ts';

type Drag =
  | { kind: 'stroke'; last: Point; recorder: StrokeRecorder; target: LabelMap; classId: number; onMask: boolean }
  | { kind: 'line'; start: Point; end: Point }
  | { kind: 'rect'; start: Point; end: Point }
  | { kind: 'pan'; sx: number; sy: number; panX: number; panY: number };

/** A bitmap the size of a label map, coloured through a lookup table. */
class MapLayer {
  readonly canvas = document.createElement('canvas');
  private readonly ctx: CanvasRenderingContext2D;
  private readonly image: ImageData;
  private readonly pixels: Uint32Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.canvas.width = width;
    this.canvas.height = height;
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('Canvas 2D is not available');
    this.ctx = ctx;
    this.image = ctx.createImageData(width, height);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  paint(map: LabelMap, lut: Uint32Array, rect: Rect | null): void {
    colouriseRect(map.data, map.width, map.height, lut, this.pixels, rect);
    if (rect) this.ctx.putImageData(this.image, 0, 0, rect.x, rect.y, rect.width, rect.height);
    else this.ctx.putImageData(this.image, 0, 0);
  }
}

const MASK_LUT = (() => {
  const lut = new Uint32Array(256);
  lut[1] = packRgba(255, 70, 110, 120);
  return lut;
})();

export interface HoverInfo {
  x: number;
  y: number;
  row: number;
  col: number;
  classId: number;
}

export class LayoutCanvasController {
  private readonly ctx: CanvasRenderingContext2D;
  private layer: MapLayer;
  private maskLayer: MapLayer | null = null;
  /** Which token cells the mask touches, kept up to date per change (not recounted per frame). */
  private maskTokens: { grid: Uint8Array; cols: number; rows: number; gf: number } | null = null;
  private lut: Uint32Array;
  private view: View;
  private drag: Drag | null = null;
  /** The layout revision of a stroke we already painted live: its commit needs no recolour. */
  private paintedRevision = -1;
  private pointer: { sx: number; sy: number } | null = null;
  private spaceHeld = false;
  private frame = 0;
  private cssWidth = 1;
  private cssHeight = 1;
  private readonly unsubscribe: () => void;
  private readonly resizeObserver: ResizeObserver;
  private readonly cleanups: Array<() => void> = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly store: StudioStore,
    private readonly onHover: (info: HoverInfo | null) => void,
  ) {
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('Canvas 2D is not available');
    this.ctx = ctx;
    const s = store.getState();
    this.lut = buildLut(s.activeModel?.classes ?? []);
    this.layer = new MapLayer(s.layout.width, s.layout.height);
    this.layer.paint(s.layout, this.lut, null);
    this.view = { zoom: s.zoom, panX: s.panX, panY: s.panY };
    this.unsubscribe = store.subscribe((next, prev) => this.onStore(next, prev));
    this.resizeObserver = new ResizeObserver(() => this.resize(true));
    this.resizeObserver.observe(canvas.parentElement ?? canvas);
    this.listen(canvas, 'pointerdown', (e) => this.pointerDown(e as PointerEvent));
    this.listen(canvas, 'pointermove', (e) => this.pointerMove(e as PointerEvent));
    this.listen(canvas, 'pointerup', (e) => this.pointerUp(e as PointerEvent));
    this.listen(canvas, 'pointercancel', (e) => this.pointerUp(e as PointerEvent));
    this.listen(canvas, 'pointerleave', () => {
      this.pointer = null;
      this.onHover(null);
      this.schedule();
    });
    this.listen(canvas, 'wheel', (e) => this.wheel(e as WheelEvent), { passive: false });
    this.listen(window, 'keydown', (e) => this.key(e as KeyboardEvent, true));
    this.listen(window, 'keyup', (e) => this.key(e as KeyboardEvent, false));
    this.resize(false);
    this.fit();
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.unsubscribe();
    this.resizeObserver.disconnect();
    for (const c of this.cleanups) c();
  }

  /** Client (page) coordinates of a map position: used by the e2e hook to paint known pixels. */
  mapToClient(x: number, y: number): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    const p = mapToScreen(this.view, x, y);
    return { x: r.left + p.x, y: r.top + p.y };
  }

  private listen(target: EventTarget, type: string, fn: (e: Event) => void, options?: AddEventListenerOptions): void {
    target.addEventListener(type, fn, options);
    this.cleanups.push(() => target.removeEventListener(type, fn, options));
  }

  private onStore(s: Studio, prev: Studio): void {
    let redraw = false;
    if (s.activeModel?.classes !== prev.activeModel?.classes) {
      this.lut = buildLut(s.activeModel?.classes ?? []);
      this.layer.paint(s.layout, this.lut, null);
      redraw = true;
    }
    if (s.layout !== prev.layout) {
      const resized = s.layout.width !== this.layer.width || s.layout.height !== this.layer.height;
      if (resized) this.layer = new MapLayer(s.layout.width, s.layout.height);
      this.layer.paint(s.layout, this.lut, null);
      if (resized) this.fit();
      redraw = true;
    } else if (s.layoutRevision !== prev.layoutRevision) {
      if (s.layoutRevision !== this.paintedRevision) this.layer.paint(s.layout, this.lut, s.layoutDirty);
      redraw = true;
    }
    if (s.mask !== prev.mask || s.maskRevision !== prev.maskRevision || s.inpaintActive !== prev.inpaintActive) {
      this.refreshMask(s, s.mask === prev.mask ? s.maskDirty : null);
      redraw = true;
    }
    if (s.fitRequest !== prev.fitRequest) this.fit();
    if (s.zoomRequest !== prev.zoomRequest) {
      const factor = s.zoomRequest.factor === 0 ? 1 / this.view.zoom : s.zoomRequest.factor;
      this.view = zoomAt(this.view, this.cssWidth / 2, this.cssHeight / 2, factor);
      s.setView(this.view);
      redraw = true;
    }
    if (!this.drag && (s.zoom !== this.view.zoom || s.panX !== this.view.panX || s.panY !== this.view.panY)) {
      this.view = { zoom: s.zoom, panX: s.panX, panY: s.panY };
      redraw = true;
    }
    if (
      s.showGrid !== prev.showGrid ||
      s.tool !== prev.tool ||
      s.brushSize !== prev.brushSize ||
      s.viewMode !== prev.viewMode ||
      s.overlayOpacity !== prev.overlayOpacity ||
      selectOverlayImage(s) !== selectOverlayImage(prev) ||
      s.activeModel !== prev.activeModel ||
      s.staging.length !== prev.staging.length
    ) {
      redraw = true;
    }
    if (redraw) this.schedule();
  }

  private refreshMask(s: Studio, dirty: Rect | null): void {
    if (!s.inpaintActive) {
      this.maskLayer = null;
      return;
    }
    if (!this.maskLayer || this.maskLayer.width !== s.mask.width || this.maskLayer.height !== s.mask.height) {
      this.maskLayer = new MapLayer(s.mask.width, s.mask.height);
      dirty = null;
    }
    this.maskLayer.paint(s.mask, MASK_LUT, dirty);
    this.updateMaskTokens(s.mask, s.activeModel?.gridFactor ?? 16, dirty);
  }

  private updateMaskTokens(mask: LabelMap, gf: number, dirty: Rect | null): void {
    const cols = Math.ceil(mask.width / gf);
    const rows = Math.ceil(mask.height / gf);
    let cache = this.maskTokens;
    if (!cache || cache.cols !== cols || cache.rows !== rows || cache.gf !== gf) {
      cache = { grid: new Uint8Array(cols * rows), cols, rows, gf };
      this.maskTokens = cache;
      dirty = null;
    }
    const c0 = dirty ? Math.floor(dirty.x / gf) : 0;
    const r0 = dirty ? Math.floor(dirty.y / gf) : 0;
    const c1 = dirty ? Math.min(cols - 1, Math.floor((dirty.x + dirty.width - 1) / gf)) : cols - 1;
    const r1 = dirty ? Math.min(rows - 1, Math.floor((dirty.y + dirty.height - 1) / gf)) : rows - 1;
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) cache.grid[r * cols + c] = tokenTouched(mask, r, c, gf) ? 1 : 0;
  }

  private resize(keepCentre: boolean): void {
    const parent = this.canvas.parentElement;
    const w = Math.max(1, parent?.clientWidth ?? this.canvas.clientWidth);
    const h = Math.max(1, parent?.clientHeight ?? this.canvas.clientHeight);
    const dpr = window.devicePixelRatio || 1;
    if (keepCentre && this.cssWidth > 1 && (w !== this.cssWidth || h !== this.cssHeight)) {
      // Keep what was in the middle in the middle (e.g. when the result pane opens or closes).
      this.view = { ...this.view, panX: this.view.panX + (w - this.cssWidth) / 2, panY: this.view.panY + (h - this.cssHeight) / 2 };
      this.store.getState().setView(this.view);
    }
    this.cssWidth = w;
    this.cssHeight = h;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.schedule();
  }

  private fit(): void {
    const { layout } = this.store.getState();
    this.view = fitView(layout.width, layout.height, this.cssWidth, this.cssHeight);
    this.store.getState().setView(this.view);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private localPoint(e: PointerEvent | WheelEvent | MouseEvent): { sx: number; sy: number } {
    const r = this.canvas.getBoundingClientRect();
    return { sx: e.clientX - r.left, sy: e.clientY - r.top };
  }

  private mapPoint(e: { clientX: number; clientY: number }): Point {
    const r = this.canvas.getBoundingClientRect();
    return screenToMap(this.view, e.clientX - r.left, e.clientY - r.top);
  }

  /** Where edits go: the inpaint mask (class 1 = regenerate) or the layout. */
  private target(): { map: LabelMap; onMask: boolean } {
    const s = this.store.getState();
    if (s.inpaintActive && s.paintTarget === 'mask') return { map: s.mask, onMask: true };
    return { map: s.layout, onMask: false };
  }

  private commit(patch: LabelPatch, label: string, onMask: boolean, alreadyApplied: boolean): void {
    const s = this.store.getState();
    if (onMask) {
      if (!alreadyApplied) applyPatch(s.mask, patch);
      s.commitMaskPatch(patch);
    } else if (alreadyApplied) s.commitAppliedPatch(patch, label);
    else s.applyPatchEdit(patch, label);
  }

  private pointerDown(e: PointerEvent): void {
    const s = this.store.getState();
    const local = this.localPoint(e);
    if (e.button === 1 || (e.button === 0 && (this.spaceHeld || s.tool === 'pan'))) {
      this.drag = { kind: 'pan', sx: local.sx, sy: local.sy, panX: this.view.panX, panY: this.view.panY };
      this.canvas.setPointerCapture(e.pointerId);
      e.preventDefault();
      return;
    }
    if (e.button !== 0) return;
    const p = this.mapPoint(e);
    const { map, onMask } = this.target();
    const paintClass = onMask ? 1 : s.classId;
    const eraseClass = onMask ? 0 : s.backgroundClass;
    // Alt-click picks a class with any painting tool, as in most paint programs.
    if (s.tool === 'eyedropper' || (e.altKey && !onMask)) {
      const picked = pickClass(s.layout, p);
      if (picked !== null) s.setClass(picked);
      return;
    }
    switch (s.tool) {
      case 'brush':
      case 'eraser': {
        const classId = s.tool === 'brush' ? paintClass : eraseClass;
        const recorder = new StrokeRecorder(map);
        this.drag = { kind: 'stroke', last: p, recorder, target: map, classId, onMask };
        this.strokeTo(p);
        break;
      }
      case 'line':
        this.drag = { kind: 'line', start: p, end: p };
        break;
      case 'rectangle':
        this.drag = { kind: 'rect', start: p, end: p };
        break;
      case 'fill':
        this.commit(floodFill(map, p.x, p.y, paintClass), 'fill', onMask, false);
        return;
      case 'replace': {
        const from = pickClass(map, p);
        if (from !== null) this.commit(replaceClass(map, from, paintClass), 'replace class', onMask, false);
        return;
      }
      default:
        return;
    }
    this.canvas.setPointerCapture(e.pointerId);
    this.schedule();
  }

  private strokeTo(p: Point): void {
    const drag = this.drag;
    if (drag?.kind !== 'stroke') return;
    const size = this.store.getState().brushSize;
    const patch = brushSegment(drag.target, drag.last, p, size, drag.classId);
    drag.last = p;
    if (!patch.bounds) return;
    drag.recorder.record(patch);
    applyPatch(drag.target, patch);
    if (drag.onMask) {
      this.maskLayer?.paint(drag.target, MASK_LUT, patch.bounds);
      this.updateMaskTokens(drag.target, this.store.getState().activeModel?.gridFactor ?? 16, patch.bounds);
    }
    else this.layer.paint(drag.target, this.lut, patch.bounds);
  }

  private pointerMove(e: PointerEvent): void {
    this.pointer = this.localPoint(e);
    const drag = this.drag;
    if (drag?.kind === 'pan') {
      this.view = { ...this.view, panX: drag.panX + this.pointer.sx - drag.sx, panY: drag.panY + this.pointer.sy - drag.sy };
    } else if (drag?.kind === 'stroke') {
      // Coalesced events keep fast strokes continuous without one segment per frame only.
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      for (const ce of events.length > 0 ? events : [e]) this.strokeTo(this.mapPoint(ce));
    } else if (drag?.kind === 'line') {
      const p = this.mapPoint(e);
      drag.end = e.shiftKey ? constrainAngle(drag.start, p) : p;
    } else if (drag?.kind === 'rect') {
      drag.end = this.mapPoint(e);
    }
    this.reportHover(e);
    this.schedule();
  }

  private reportHover(e: PointerEvent): void {
    const s = this.store.getState();
    const p = this.mapPoint(e);
    const x = Math.floor(p.x);
    const y = Math.floor(p.y);
    if (x < 0 || y < 0 || x >= s.layout.width || y >= s.layout.height) {
      this.onHover(null);
      return;
    }
    const gf = s.activeModel?.gridFactor ?? 16;
    this.onHover({ x, y, row: Math.floor(y / gf), col: Math.floor(x / gf), classId: s.layout.data[y * s.layout.width + x] as number });
  }

  private pointerUp(e: PointerEvent): void {
    const drag = this.drag;
    if (!drag) return;
    this.drag = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    const s = this.store.getState();
    if (drag.kind === 'pan') {
      s.setView(this.view);
    } else if (drag.kind === 'stroke') {
      const patch = drag.recorder.finish();
      // Only a non-empty patch creates a revision; otherwise the next edit must recolour as usual.
      if (!drag.onMask && patch.bounds) this.paintedRevision = s.layoutRevision + 1;
      this.commit(patch, s.tool === 'eraser' ? 'erase' : 'brush', drag.onMask, true);
    } else {
      const { map, onMask } = this.target();
      const classId = onMask ? 1 : s.classId;
      const patch = drag.kind === 'line' ? drawLine(map, drag.start, drag.end, s.brushSize, classId) : drawRectangle(map, drag.start, drag.end, classId);
      this.commit(patch, drag.kind === 'line' ? 'line' : 'rectangle', onMask, false);
    }
    this.schedule();
  }

  private wheel(e: WheelEvent): void {
    e.preventDefault();
    const { sx, sy } = this.localPoint(e);
    if (e.ctrlKey || e.metaKey || Math.abs(e.deltaY) >= Math.abs(e.deltaX)) {
      const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
      this.view = zoomAt(this.view, sx, sy, factor);
    } else {
      this.view = { ...this.view, panX: this.view.panX - e.deltaX, panY: this.view.panY - e.deltaY };
    }
    this.store.getState().setView(this.view);
    this.schedule();
  }

  private key(e: KeyboardEvent, down: boolean): void {
    if (e.code !== 'Space') return;
    const el = e.target as HTMLElement | null;
    if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT')) return;
    this.spaceHeld = down;
    this.canvas.style.cursor = down ? 'grab' : '';
    if (down) e.preventDefault();
  }

  private render(): void {
    const s = this.store.getState();
    const ctx = this.ctx;
    const dpr = this.canvas.width / this.cssWidth;
    const { zoom, panX, panY } = this.view;
    const { width: W, height: H } = s.layout;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * panX, dpr * panY);
    ctx.imageSmoothingEnabled = false;
    ctx.shadowColor = 'rgba(0,0,0,0.55)';
    ctx.shadowBlur = 24 / zoom;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, W, H);
    ctx.shadowBlur = 0;
    ctx.shadowColor = 'transparent';
    ctx.drawImage(this.layer.canvas, 0, 0);
    const overlay = selectOverlayImage(s);
    if (overlay && overlay.width > 0) {
      ctx.globalAlpha = s.inpaintActive ? 1 - s.overlayOpacity * 0.5 : s.overlayOpacity;
      ctx.imageSmoothingEnabled = true;
      const isPreview = s.preview !== null && overlay === s.preview.image && s.preview.kind !== 'final';
      ctx.drawImage(isPreview ? transientCanvas(overlay, 'overlay-preview') : imageToCanvas(overlay), 0, 0, W, H);
      ctx.imageSmoothingEnabled = false;
      ctx.globalAlpha = 1;
    }
    if (s.inpaintActive && this.maskLayer) {
      // While a candidate is under review, only hint at the mask so the new pixels stay visible.
      ctx.globalAlpha = s.staging.length > 0 ? 0.2 : 1;
      ctx.drawImage(this.maskLayer.canvas, 0, 0);
      ctx.globalAlpha = 1;
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const gf = s.activeModel?.gridFactor ?? 16;
    if (s.showGrid && gf * zoom >= 6) this.drawGrid(ctx, W, H, gf);
    if (s.inpaintActive) this.drawMaskTokens(ctx, s, gf);
    ctx.strokeStyle = 'rgba(255,255,255,0.18)';
    ctx.lineWidth = 1;
    ctx.strokeRect(Math.round(panX) - 0.5, Math.round(panY) - 0.5, Math.round(W * zoom) + 1, Math.round(H * zoom) + 1);
    this.drawToolPreview(ctx, s);
  }

  private drawGrid(ctx: CanvasRenderingContext2D, W: number, H: number, gf: number): void {
    const { zoom, panX, panY } = this.view;
    ctx.beginPath();
    for (let x = gf; x < W; x += gf) {
      const sx = Math.round(panX + x * zoom) + 0.5;
      ctx.moveTo(sx, panY);
      ctx.lineTo(sx, panY + H * zoom);
    }
    for (let y = gf; y < H; y += gf) {
      const sy = Math.round(panY + y * zoom) + 0.5;
      ctx.moveTo(panX, sy);
      ctx.lineTo(panX + W * zoom, sy);
    }
    ctx.strokeStyle = 'rgba(255,255,255,0.14)';
    ctx.lineWidth = 1;
    ctx.stroke();
  }

  /** Outlines the token cells the mask touches: the region the engine will actually resample. */
  private drawMaskTokens(ctx: CanvasRenderingContext2D, s: Studio, gf: number): void {
    const { zoom, panX, panY } = this.view;
    if (!this.maskTokens || this.maskTokens.gf !== gf) this.updateMaskTokens(s.mask, gf, null);
    const { grid, rows, cols } = this.maskTokens as NonNullable<typeof this.maskTokens>;
    ctx.beginPath();
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (!grid[r * cols + c]) continue;
        ctx.rect(Math.round(panX + c * gf * zoom) + 0.5, Math.round(panY + r * gf * zoom) + 0.5, Math.round(gf * zoom) - 1, Math.round(gf * zoom) - 1);
      }
    }
    ctx.strokeStyle = 'rgba(255,120,150,0.95)';
    ctx.setLineDash([4, 3]);
    ctx.stroke();
    ctx.setLineDash([]);
  }

  private drawToolPreview(ctx: CanvasRenderingContext2D, s: Studio): void {
    const { zoom } = this.view;
    const drag = this.drag;
    ctx.strokeStyle = 'rgba(255,255,255,0.9)';
    ctx.lineWidth = 1;
    if (drag?.kind === 'line') {
      const a = mapToScreen(this.view, drag.start.x, drag.start.y);
      const b = mapToScreen(this.view, drag.end.x, drag.end.y);
      ctx.lineCap = 'round';
      ctx.lineWidth = Math.max(1, s.brushSize * zoom);
      ctx.strokeStyle = 'rgba(255,255,255,0.35)';
      ctx.beginPath();
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
      ctx.stroke();
      ctx.lineWidth = 1;
    } else if (drag?.kind === 'rect') {
      const r = rectFromCorners(drag.start, drag.end, s.layout.width, s.layout.height);
      if (r) {
        const a = mapToScreen(this.view, r.x, r.y);
        ctx.fillStyle = 'rgba(255,255,255,0.18)';
        ctx.fillRect(a.x, a.y, r.width * zoom, r.height * zoom);
        ctx.strokeRect(a.x + 0.5, a.y + 0.5, r.width * zoom - 1, r.height * zoom - 1);
      }
    }
    const usesBrush = s.tool === 'brush' || s.tool === 'eraser' || s.tool === 'line';
    if (this.pointer && usesBrush && !this.spaceHeld && drag?.kind !== 'pan') {
      const m = screenToMap(this.view, this.pointer.sx, this.pointer.sy);
      const c = mapToScreen(this.view, Math.floor(m.x) + 0.5, Math.floor(m.y) + 0.5);
      const radius = Math.max(2, brushRadius(s.brushSize) * zoom);
      ctx.beginPath();
      ctx.arc(c.x, c.y, radius, 0, Math.PI * 2);
      ctx.strokeStyle = 'rgba(0,0,0,0.7)';
      ctx.lineWidth = 3;
      ctx.stroke();
      ctx.strokeStyle = 'rgba(255,255,255,0.95)';
      ctx.lineWidth = 1;
      ctx.stroke();
    }
  }
}

function tokenTouched(mask: LabelMap, row: number, col: number, gf: number): boolean {
  const y1 = Math.min(mask.height, (row + 1) * gf);
  const x1 = Math.min(mask.width, (col + 1) * gf);
  for (let y = row * gf; y < y1; y++) {
    const base = y * mask.width;
    for (let x = col * gf; x < x1; x++) if (mask.data[base + x]) return true;
  }
  return false;
}
