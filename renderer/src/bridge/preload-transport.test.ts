import { describe, expect, it } from 'vitest';
import type { TesseraPreloadApi } from '../../../shared/preload-api.ts';
import { createEngineClient } from './engine-client.ts';
import { createPreloadTransport } from './preload-transport.ts';

describe('Electron preload transport', () => {
  it('carries requests and replies through window.tessera as plain objects', async () => {
    const listeners = new Set<(m: unknown) => void>();
    const posted: Array<Record<string, unknown>> = [];
    const api: TesseraPreloadApi = {
      apiVersion: 1,
      postMessage: (m) => {
        posted.push(m as Record<string, unknown>);
        // The host answers over the same port; typed arrays arrive as they are (structured clone).
        queueMicrotask(() => listeners.forEach((l) => l({ type: 'reply', id: (m as { id: string }).id, ok: true, value: { cancelled: true } })));
      },
      onMessage: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    };
    const client = createEngineClient(createPreloadTransport(api));
    const states: string[] = [];
    client.onConnection((s) => states.push(s));
    await expect(client.request('job.cancel', { jobId: 'j' })).resolves.toEqual({ cancelled: true });
    expect(posted[0]).toMatchObject({ type: 'job.cancel', jobId: 'j' });
    expect(states).toEqual(['open']);
  });
});
