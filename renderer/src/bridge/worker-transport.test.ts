/**
 * The static build's transport with a scripted Worker: envelopes are parsed, a crash fails what
 * was in flight, announces the loss and a restart (`engine.restarted`), and a fresh Worker
 * serves the next request; a crash loop gives up with "reload the page".
 */
import { describe, expect, it } from 'vitest';
import type { PageToWorker } from '../../../shared/page-worker.ts';
import { createEngineClient } from './engine-client.ts';
import { createWorkerTransport, type WorkerLike } from './worker-transport.ts';

class FakeWorker implements WorkerLike {
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;
  readonly received: PageToWorker[] = [];
  terminated = false;
  constructor(private readonly answer: boolean) {}
  postMessage(message: PageToWorker): void {
    this.received.push(message);
    if (!this.answer || message.kind !== 'request') return;
    const request = message.message as { id: string; type: string };
    // Answers models.list like the engine host would, after a tick.
    setTimeout(() => this.emit({ kind: 'message', message: { type: 'reply', id: request.id, ok: true, value: [] } }), 0);
  }
  terminate(): void {
    this.terminated = true;
  }
  emit(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }
  crash(message: string): void {
    this.onerror?.({ message, preventDefault: () => undefined } as ErrorEvent);
  }
}

const tick = (ms = 5): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('in-page Worker transport', () => {
  it('sends init first, then requests in envelopes, and delivers validated replies', async () => {
    const workers: FakeWorker[] = [];
    const transport = createWorkerTransport({ spawn: () => (workers.push(new FakeWorker(true)), workers.at(-1)!), baseUrl: 'http://127.0.0.1:1/', forceBackend: 'wasm' });
    const client = createEngineClient(transport);
    await expect(client.request('models.list', {})).resolves.toEqual([]);
    expect(workers[0]?.received[0]).toEqual({ kind: 'init', baseUrl: 'http://127.0.0.1:1/', forceBackend: 'wasm' });
    expect(workers[0]?.received[1]).toMatchObject({ kind: 'request', message: { type: 'models.list' } });
    // A malformed envelope is dropped, not delivered.
    const events: unknown[] = [];
    client.onEvent((e) => events.push(e));
    workers[0]?.emit({ kind: 'surprise' });
    expect(events).toEqual([]);
    client.close();
  });

  it('a crash fails the request in flight, says so, restarts the Worker and announces engine.restarted', async () => {
    const workers: FakeWorker[] = [];
    const transport = createWorkerTransport({
      spawn: () => (workers.push(new FakeWorker(workers.length > 0)), workers.at(-1)!),
      baseUrl: 'http://127.0.0.1:1/',
      forceBackend: null,
      policy: { backoffMs: [0], maxCrashes: 2, windowMs: 60_000, giveUpAdvice: 'reload the page' },
    });
    const client = createEngineClient(transport);
    const states: string[] = [];
    const events: Array<{ type: string; reason?: string }> = [];
    client.onConnection((state, reason) => states.push(`${state}${reason ? `: ${reason}` : ''}`));
    client.onEvent((e) => events.push(e as { type: string; reason?: string }));
    const inFlight = client.request('models.list', {});
    await tick();
    workers[0]?.crash('wasm memory access out of bounds');
    await expect(inFlight).rejects.toMatchObject({ code: 'ENGINE_CRASHED' });
    expect(workers[0]?.terminated).toBe(true);
    await tick(20);
    expect(workers).toHaveLength(2);
    expect(states[0]).toBe('open');
    expect(states[1]).toMatch(/^closed: The in-page engine crashed: wasm memory access out of bounds/);
    expect(states[2]).toBe('open');
    expect(events.at(-1)).toMatchObject({ type: 'engine.restarted' });
    expect(events.at(-1)?.reason).toMatch(/document is untouched/);
    await expect(client.request('models.list', {})).resolves.toEqual([]);
    // A crash loop gives up with advice for a page.
    workers[1]?.crash('again');
    await tick(20);
    workers[2]?.crash('and again');
    await tick(20);
    expect(states.at(-1)).toMatch(/stopped restarting it; reload the page/);
    // ...and says it is for good, so the studio does not wait to reconnect.
    expect(events.at(-1)).toMatchObject({ type: 'engine.stopped', reason: expect.stringMatching(/reload the page/) });
    client.close();
  });

  it('zips a batch folder through the Worker, and fails it cleanly when the Worker dies first', async () => {
    const workers: FakeWorker[] = [];
    const transport = createWorkerTransport({ spawn: () => (workers.push(new FakeWorker(false)), workers.at(-1)!), baseUrl: 'http://127.0.0.1:1/', forceBackend: null, policy: { backoffMs: [0], maxCrashes: 5, windowMs: 1 } });
    createEngineClient(transport);
    await tick();
    const zip = transport.archive('lakes');
    const asked = workers[0]?.received.find((m) => m.kind === 'archive');
    expect(asked).toMatchObject({ kind: 'archive', folder: 'lakes' });
    workers[0]?.emit({ kind: 'archive', id: asked?.kind === 'archive' ? asked.id : '', result: { ok: true, name: 'lakes.zip', bytes: new Uint8Array([80, 75]) } });
    await expect(zip).resolves.toMatchObject({ name: 'lakes.zip' });
    const lost = transport.archive('lakes');
    workers[0]?.crash('gone');
    await expect(lost).rejects.toMatchObject({ code: 'ENGINE_CRASHED' });
    transport.close();
  });

  it('lists and deletes stored batch folders through the Worker, and passes on where it keeps them', async () => {
    const workers: FakeWorker[] = [];
    const transport = createWorkerTransport({ spawn: () => (workers.push(new FakeWorker(false)), workers.at(-1)!), baseUrl: 'http://127.0.0.1:1/', forceBackend: null, policy: { backoffMs: [0], maxCrashes: 5, windowMs: 1 } });
    createEngineClient(transport);
    await tick();
    const heard: unknown[] = [];
    transport.onBatchStorage((s) => heard.push(s));
    expect(transport.batchStorage()).toBeNull();
    workers[0]?.emit({ kind: 'storage', persistent: false, detail: 'Batch output will not survive a reload: …' });
    expect(transport.batchStorage()).toEqual({ persistent: false, detail: 'Batch output will not survive a reload: …' });
    expect(heard).toHaveLength(1);
    const listed = transport.batchFolders('old');
    const asked = workers[0]?.received.find((m) => m.kind === 'folders');
    expect(asked).toMatchObject({ kind: 'folders', remove: 'old' });
    const id = asked?.kind === 'folders' ? asked.id : '';
    workers[0]?.emit({ kind: 'folders', id, result: { ok: true, folders: [{ name: 'lakes', files: 3, bytes: 1200 }] } });
    await expect(listed).resolves.toEqual([{ name: 'lakes', files: 3, bytes: 1200 }]);
    const refused = transport.batchFolders(null);
    const second = workers[0]?.received.filter((m) => m.kind === 'folders').at(-1);
    workers[0]?.emit({ kind: 'folders', id: second?.kind === 'folders' ? second.id : '', result: { ok: false, message: "the browser's storage (IndexedDB) failed" } });
    await expect(refused).rejects.toMatchObject({ code: 'IO_ERROR' });
    const lost = transport.batchFolders(null);
    workers[0]?.crash('gone');
    await expect(lost).rejects.toMatchObject({ code: 'ENGINE_CRASHED' });
    transport.close();
  });
});
