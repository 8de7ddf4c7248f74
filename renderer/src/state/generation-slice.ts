/**
 * Generation settings and the running job. Progress and previews live in separate fields so the
 * progress bar and the result pane each re-render only for their own events, and nothing here is
 * read by the layout canvas.
 */
import type { StateCreator } from 'zustand';
import type { EngineEvent } from '../../../shared/protocol.ts';
import type { Studio } from './store.ts';
import type { GenerationSettings, JobKind, JobProgress, Preview, RgbaImage } from './types.ts';

export interface GenerationSlice {
  settings: GenerationSettings;
  seedLocked: boolean;
  job: JobProgress | null;
  preview: Preview | null;
  setSettings(patch: Partial<GenerationSettings>): void;
  setSeedLocked(locked: boolean): void;
  rollSeed(): number;
  startJob(id: string, kind: JobKind): void;
  setJobState(id: string, state: JobProgress['state'], error?: string | null): void;
  /** Folds one engine event into progress and preview (`previews`: window events it stands for). */
  handleJobEvent(event: EngineEvent, previews?: number): void;
  showFinal(jobId: string, image: RgbaImage): void;
}

export const DEFAULT_SETTINGS: GenerationSettings = {
  seed: 1,
  temperature: 1,
  topK: 100,
  topP: 1,
  sampler: 'cached',
  stride: 4,
  decodedPreviews: true,
};

export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] as number;
}

let previewSeq = 0;

export const createGenerationSlice: StateCreator<Studio, [], [], GenerationSlice> = (set, get) => ({
  settings: DEFAULT_SETTINGS,
  seedLocked: false,
  job: null,
  preview: null,
  setSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),
  setSeedLocked: (locked) => set({ seedLocked: locked }),
  rollSeed() {
    const seed = randomSeed();
    set((s) => ({ settings: { ...s.settings, seed } }));
    return seed;
  },
  startJob(id, kind) {
    set({
      job: { id, kind, state: 'running', tokensDone: 0, tokensTotal: 1, tokensPerSecond: 0, etaSeconds: null, item: null, startedAt: performance.now(), finishedAt: null, previewCount: 0, error: null },
    });
  },
  setJobState(id, state, error = null) {
    const job = get().job;
    const ended = state === 'done' || state === 'failed' || state === 'cancelled';
    if (job?.id === id) set({ job: { ...job, state, error, finishedAt: ended ? (job.finishedAt ?? performance.now()) : null } });
  },
  handleJobEvent(event, previews = 1) {
    const job = get().job;
    if (!job || !('jobId' in event) || event.jobId !== job.id) return;
    // A late partial must never replace the final image.
    if (job.state !== 'running' && job.state !== 'cancelling') return;
    if (event.type === 'job.progressed' && job.kind === 'batch') {
      // Per image (with `item`): that row is being made. Whole batch (without): the bar and ETA.
      if (event.item) get().markBatchRunning(event.item.index);
      else set({ job: { ...job, tokensDone: event.tokensDone, tokensTotal: event.tokensTotal, tokensPerSecond: event.tokensPerSecond, etaSeconds: event.etaSeconds, item: null } });
    } else if (event.type === 'job.progressed') {
      set({
        job: { ...job, tokensDone: event.tokensDone, tokensTotal: event.tokensTotal, tokensPerSecond: event.tokensPerSecond, etaSeconds: event.etaSeconds, item: event.item ?? null },
      });
    } else if (event.type === 'job.windowCompleted') {
      set({
        job: { ...job, previewCount: job.previewCount + Math.max(1, previews), item: event.item ?? job.item },
        preview: { jobId: job.id, kind: event.preview.kind, image: event.preview.image, seq: ++previewSeq },
      });
    }
  },
  showFinal(jobId, image) {
    set({ preview: { jobId, kind: 'final', image, seq: ++previewSeq } });
  },
});

export const selectJobRunning = (s: Studio): boolean => s.job !== null && (s.job.state === 'running' || s.job.state === 'cancelling');
