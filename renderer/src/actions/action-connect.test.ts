import { describe, expect, it } from 'vitest';
import { createStudioStore } from '../state/store.ts';
import { wireEngineEvents } from './action-connect.ts';
import { fakeEngine, modelInfo } from './fake-engine.ts';

describe('engine events that no request caused', () => {
  it('engine.stopped puts the model in error with the reason, and says so', () => {
    const store = createStudioStore();
    store.getState().setActiveModel(modelInfo('m', ['sky']));
    const { client, emit } = fakeEngine({});
    const off = wireEngineEvents(client, store);
    emit({ type: 'engine.restarted', reason: 'It crashed once.' });
    expect(store.getState().modelStatus).toBe('ready');
    const reason = 'The engine crashed 3 times in a row, so Tessera stopped restarting it; restart serve mode (npm run serve).';
    emit({ type: 'engine.stopped', reason });
    expect(store.getState().modelStatus).toBe('error');
    expect(store.getState().modelError).toBe(reason);
    expect(store.getState().toasts.at(-1)).toMatchObject({ tone: 'error', title: 'The engine stopped', detail: reason });
    off();
  });
});
