/** Shared by the batch and inpainting tests: an in-memory file system, the fixture engine, layouts. */
import type { BatchFs } from '../../engine/batch/batch-fs.ts';
import type { NamedLayout } from '../../engine/batch/plan.ts';
import { benchLayout } from '../../electron/cli/bench/layouts.ts';
import type { GenerationSettings } from '../../shared/protocol.ts';

/** An in-memory BatchFs; `failWrite(path)` may return an error to throw (a disk that fills up). */
export function memoryFs(failWrite?: (path: string) => Error | null): BatchFs & { files: Map<string, Uint8Array> } {
  const files = new Map<string, Uint8Array>();
  return {
    files,
    readFile: async (p) => files.get(p) ?? null,
    writeFile: async (p, d) => {
      const error = failWrite?.(p);
      if (error) throw error;
      files.set(p, d.slice());
    },
    rename: async (a, b) => {
      const d = files.get(a);
      if (!d) throw Object.assign(new Error(`ENOENT ${a}`), { code: 'ENOENT' });
      files.delete(a);
      files.set(b, d);
    },
    remove: async (p) => void files.delete(p),
    list: async (dir) => [...files.keys()].filter((k) => k.startsWith(`${dir}/`)).map((k) => k.slice(dir.length + 1)),
    mkdir: async () => undefined,
  };
}

export function enospc(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/** Two small layouts of different sizes (fixture: grid factor 8, 4×4 window). */
export function testLayouts(): NamedLayout[] {
  return [
    { name: 'lake', layout: benchLayout(48, 40, 5) },
    { name: 'valley', layout: benchLayout(40, 48, 5) },
  ];
}

export const SETTINGS: GenerationSettings = { seed: 0, temperature: 1, topK: 8, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: false };
