/**
 * A read-only test hook, installed only with `?e2e=1`: the e2e suite reads the label map and job
 * state through it and maps map pixels to page coordinates so real mouse strokes hit known
 * pixels. It changes nothing in the app except `flushAutosave`, which saves early; `engineTokens`
 * runs a generation that never touches the document.
 */
import { layoutCanvasController } from '../canvas/LayoutCanvas.tsx';
import { getEngine } from './services.ts';
import type { GenerationSettings } from '../../../shared/protocol.ts';
import type { Autosave } from '../documents/autosave.ts';
import type { StudioStore } from '../state/store.ts';

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function installE2eHook(store: StudioStore, autosave: Autosave): void {
  // Every preview the result pane was given, in order, so a test can see "previews before final".
  const previews: Array<{ jobId: string; kind: string; at: number }> = [];
  store.subscribe((s, prev) => {
    if (s.preview && s.preview !== prev.preview) previews.push({ jobId: s.preview.jobId, kind: s.preview.kind, at: performance.now() });
  });
  const hook = {
    previews: (jobId: string) => previews.filter((p) => p.jobId === jobId),
    snapshot() {
      const s = store.getState();
      const selected = s.gallery.find((e) => e.id === s.selectedId) ?? null;
      return {
        width: s.layout.width,
        height: s.layout.height,
        labels: toBase64(s.layout.data),
        layoutRevision: s.layoutRevision,
        classId: s.classId,
        classes: s.activeModel?.classes ?? [],
        model: s.activeModel ? { id: s.activeModel.id, gridFactor: s.activeModel.gridFactor, window: s.activeModel.window } : null,
        modelStatus: s.modelStatus,
        undo: s.history.undo.length,
        redo: s.history.redo.length,
        job: s.job ? { id: s.job.id, kind: s.job.kind, state: s.job.state, previewCount: s.job.previewCount, tokensDone: s.job.tokensDone, tokensTotal: s.job.tokensTotal } : null,
        preview: s.preview ? { kind: s.preview.kind, seq: s.preview.seq, jobId: s.preview.jobId } : null,
        gallery: s.gallery.map((e) => ({ id: e.id, kind: e.kind, seed: e.result.settings.seed, file: e.file ?? null })),
        selected: selected ? { id: selected.id, width: selected.result.image.width, height: selected.result.image.height } : null,
        inpaint: { active: s.inpaintActive, staged: s.staging.length, maskPixels: s.mask.data.reduce((a, b) => a + b, 0) },
        batch: { items: s.batchItems, outDir: s.batchOutDir },
        dialog: s.dialog?.kind ?? null,
        seed: { value: s.settings.seed, locked: s.seedLocked },
        toasts: s.toasts.map((t) => ({ tone: t.tone, title: t.title, detail: t.detail ?? '' })),
      };
    },
    /** RGBA of a gallery entry (base64), for pixel comparisons. */
    resultPixels(id: string): string | null {
      const e = store.getState().gallery.find((x) => x.id === id) ?? store.getState().staging.find((x) => x.id === id);
      return e ? toBase64(e.result.image.rgba) : null;
    },
    stagedIds(): string[] {
      return store.getState().staging.map((e) => e.id);
    },
    mapToClient(x: number, y: number): { x: number; y: number } | null {
      return layoutCanvasController()?.mapToClient(x, y) ?? null;
    },
    flushAutosave: () => autosave.flush(),
    /**
     * One job.generate on the active model through the studio's own engine client, outside the
     * document (the static build's WebGPU-vs-WASM agreement check): the tokens and the backend that ran.
     */
    async engineTokens(request: { width: number; height: number; labels: string; settings: GenerationSettings }): Promise<{ tokens: number[]; rows: number; cols: number; backend: string; seconds: number }> {
      const model = store.getState().activeModel;
      if (!model) throw new Error('no model loaded');
      const data = Uint8Array.from(atob(request.labels), (c) => c.charCodeAt(0));
      const result = await getEngine().request('job.generate', { jobId: `e2e-${Date.now().toString(36)}`, model: model.id, layout: { width: request.width, height: request.height, data }, settings: request.settings });
      return { tokens: Array.from(result.tokens), rows: result.grid.rows, cols: result.grid.cols, backend: result.backend, seconds: result.seconds };
    },
  };
  Object.defineProperty(window, '__tessera', { value: Object.freeze(hook), configurable: false, writable: false });
}
