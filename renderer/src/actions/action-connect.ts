/**
 * Start-up: listen to engine events, list the models and load the first one (the embedded
 * default comes first in models.list; until it ships, whatever the engine lists first).
 */
import type { EngineEvent } from '../../../shared/protocol.ts';
import type { EngineClient } from '../bridge/engine-client.ts';
import type { StudioStore } from '../state/store.ts';
import { describeError } from './errors.ts';
import { loadModel } from './action-load-model.ts';

/**
 * Progress and preview events can arrive faster than frames are drawn (one per stride of tokens);
 * only the latest of each matters on screen, so they are applied at most once per frame (the
 * preview count still counts every one). Any other event flushes them first, keeping the order.
 */
function frameCoalescer(apply: (event: EngineEvent, previews: number) => void): { push(event: EngineEvent): void; flush(): void } {
  let progress: EngineEvent | null = null;
  // A batch's per-image progress (with `item`): the latest per image, so every row learns it started.
  const itemProgress = new Map<number, EngineEvent>();
  let preview: EngineEvent | null = null;
  let previews = 0;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    const p = progress;
    const w = preview;
    const n = previews;
    const items = [...itemProgress.values()];
    progress = null;
    preview = null;
    previews = 0;
    itemProgress.clear();
    for (const e of items) apply(e, 0);
    if (p) apply(p, 0);
    if (w) apply(w, n);
  };
  const schedule = typeof requestAnimationFrame === 'function' ? (fn: () => void) => requestAnimationFrame(fn) : (fn: () => void) => setTimeout(fn, 16);
  return {
    push(event) {
      if (event.type === 'job.progressed' && event.item) itemProgress.set(event.item.index, event);
      else if (event.type === 'job.progressed') progress = event;
      else if (event.type === 'job.windowCompleted') {
        preview = event;
        previews++;
      }
      if (!scheduled) {
        scheduled = true;
        schedule(flush);
      }
    },
    flush,
  };
}

export function wireEngineEvents(client: EngineClient, store: StudioStore): () => void {
  const coalesced = frameCoalescer((event, previews) => store.getState().handleJobEvent(event, previews));
  const offEvent = client.onEvent((event) => {
    if (event.type === 'job.progressed' || event.type === 'job.windowCompleted') {
      coalesced.push(event);
      return;
    }
    coalesced.flush();
    const s = store.getState();
    if (event.type === 'engine.restarted') {
      s.notify({ tone: 'error', title: 'The engine restarted', detail: event.reason });
      return;
    }
    if (event.type === 'engine.stopped') {
      // For good: the model cannot be used until the engine is restarted, and the status says why.
      s.setModelStatus('error', event.reason);
      s.notify({ tone: 'error', title: 'The engine stopped', detail: event.reason });
      return;
    }
    s.handleJobEvent(event);
    if (event.type === 'job.itemFinished') s.updateBatchItem(event.index, event.item);
  });
  const offProblem = client.onProtocolError((problem) => console.warn(`[tessera] dropped an engine message: ${problem}`));
  const offConnection = client.onConnection((state, reason) => {
    store.getState().setConnection(state);
    if (state === 'closed') store.getState().notify({ tone: 'error', title: 'Engine connection lost', detail: `${reason ?? ''} Reconnecting…` });
    else if (store.getState().modelStatus === 'error' || store.getState().activeModel === null) void startSession(client, store);
  });
  return () => {
    offEvent();
    offProblem();
    offConnection();
  };
}

let starting: Promise<void> | null = null;

export function startSession(client: EngineClient, store: StudioStore): Promise<void> {
  starting ??= (async () => {
    const s = store.getState();
    s.setModelStatus('listing');
    try {
      const models = await client.request('models.list', {});
      s.setModels(models);
      const first = models[0];
      if (!first) {
        s.setModelStatus('error', 'No model found. Put a model bundle in the models folder (or start serve mode with --models DIR).');
        return;
      }
      await loadModel(client, store, first.id, { mapClasses: false });
    } catch (error) {
      const { detail } = describeError(error);
      s.setModelStatus('error', detail);
    } finally {
      starting = null;
    }
  })();
  return starting;
}
