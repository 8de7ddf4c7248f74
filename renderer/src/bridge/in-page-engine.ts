/**
 * The static build's engine (`npm run build:web`): a module Worker of this page, started by URL —
 * the page never imports engine code (the layering rule forbids it). scripts/build-web.mjs
 * bundles web/worker/engine-worker.ts on its own into `engine/engine-worker.js` beside index.html;
 * the page names it only as a URL relative to itself, so no renderer build bundles the Worker or
 * onnxruntime (Vite would, for the `new URL('…', import.meta.url)` form).
 *
 * `?backend=webgpu|wasm|auto` in the page URL forces the backend of every model the Worker
 * loads (e.g. WebGPU on a software adapter, which `auto` refuses).
 */
import { PageBackendOverrideSchema, type PageBackendOverride } from '../../../shared/page-worker.ts';
import { createWorkerTransport, type WorkerTransport } from './worker-transport.ts';

/** Where scripts/build-web.mjs puts the bundled Worker, relative to index.html. */
export const ENGINE_WORKER_PATH = 'engine/engine-worker.js';

export function backendOverride(search: string): PageBackendOverride | null {
  const raw = new URLSearchParams(search).get('backend');
  if (raw === null) return null;
  const parsed = PageBackendOverrideSchema.safeParse(raw);
  if (!parsed.success) {
    console.warn(`[tessera] ignored ?backend=${raw}: use webgpu, wasm or auto`);
    return null;
  }
  return parsed.data;
}

export function startInPageEngine(location: Location): WorkerTransport {
  return createWorkerTransport({
    spawn: () => new Worker(new URL(ENGINE_WORKER_PATH, location.href), { type: 'module', name: 'tessera-engine' }),
    // The folder index.html was loaded from: models/ and ort/ sit beside it.
    baseUrl: new URL('./', location.href).href,
    forceBackend: backendOverride(location.search),
  });
}
