import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngineBridge, MAX_QUEUED, type PortLike } from './engine-bridge.ts';

const layout = { width: 2, height: 1, data: new Uint8Array([0, 1]) };
const settings = { seed: 1, temperature: 1, topK: 0, topP: 1, sampler: 'exact' as const, stride: 1 };
const generate = (id: string, jobId: string) => ({ type: 'job.generate', id, jobId, model: 'tiny', layout, settings });

const open: MessagePort[] = [];
afterEach(() => {
  for (const p of open.splice(0)) p.close();
});

/** A MessageChannel whose far end plays the engine: it records requests and can answer. */
function engineChannel() {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  const received: unknown[] = [];
  port2.on('message', (data: unknown) => received.push(data));
  return { port: port1 as unknown as PortLike, engine: port2, received };
}

function setup() {
  const logs: string[] = [];
  const bridge = createEngineBridge((l) => logs.push(l));
  const messages: { type?: string; id?: string; jobId?: string; ok?: boolean; error?: { code: string }; reason?: string }[] = [];
  bridge.onMessage((m) => messages.push(m as (typeof messages)[number]));
  return { bridge, messages, logs };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('engine bridge', () => {
  it('relays requests to the port and replies back, structured-cloned', async () => {
    const { bridge, messages } = setup();
    const { port, engine, received } = engineChannel();
    bridge.attachPort(port, { generation: 0 });
    bridge.postMessage(generate('r1', 'j1'));
    await tick();
    expect(received).toHaveLength(1);
    expect((received[0] as { layout: { data: Uint8Array } }).layout.data).toBeInstanceOf(Uint8Array);
    expect(bridge.inFlightCount()).toBe(1);
    engine.postMessage({ type: 'job.progressed', jobId: 'j1', tokensDone: 1, tokensTotal: 2, tokensPerSecond: 1, etaSeconds: 1 });
    engine.postMessage({ type: 'reply', id: 'r1', ok: true, value: {} });
    await tick();
    expect(messages.map((m) => m.type)).toEqual(['job.progressed', 'reply']);
    expect(bridge.inFlightCount()).toBe(0);
  });

  it('queues requests until the first port arrives', async () => {
    const { bridge } = setup();
    bridge.postMessage({ type: 'models.list', id: 'early' });
    const { port, received } = engineChannel();
    bridge.attachPort(port, { generation: 0 });
    await tick();
    expect(received).toEqual([{ type: 'models.list', id: 'early' }]);
  });

  it('refuses invalid requests locally with a BAD_REQUEST reply and a log line', async () => {
    const { bridge, messages, logs } = setup();
    const { port, received } = engineChannel();
    bridge.attachPort(port, { generation: 0 });
    bridge.postMessage({ type: 'job.generate', id: 'bad', jobId: 'j', model: 'm', layout: { width: 2, height: 2, data: new Uint8Array(1) }, settings });
    bridge.postMessage({ type: 'rm -rf', id: 'x' });
    bridge.postMessage('nonsense');
    await tick();
    expect(received).toEqual([]);
    expect(messages).toEqual([expect.objectContaining({ type: 'reply', id: 'bad', ok: false, error: expect.objectContaining({ code: 'BAD_REQUEST' }) }), expect.objectContaining({ id: 'x', ok: false })]);
    expect(logs).toHaveLength(3);
  });

  it('on engine loss fails the running job and its request at once; after restart it emits engine.restarted', async () => {
    const { bridge, messages } = setup();
    const first = engineChannel();
    bridge.attachPort(first.port, { generation: 0 });
    bridge.postMessage(generate('r1', 'job-1'));
    bridge.postMessage({ type: 'models.list', id: 'r2' });
    await tick();
    bridge.engineLost({ reason: 'The engine stopped unexpectedly (exit code 9).', willRestart: true });
    expect(messages).toEqual([
      { type: 'job.failed', jobId: 'job-1', error: { code: 'ENGINE_CRASHED', message: 'The engine stopped: The engine stopped unexpectedly (exit code 9).' } },
      { type: 'reply', id: 'r1', ok: false, error: { code: 'ENGINE_CRASHED', message: 'The engine stopped: The engine stopped unexpectedly (exit code 9).' } },
      { type: 'reply', id: 'r2', ok: false, error: { code: 'ENGINE_CRASHED', message: 'The engine stopped: The engine stopped unexpectedly (exit code 9).' } },
    ]);

    // Sent while the engine restarts: queued, delivered to the new engine, not failed.
    bridge.postMessage({ type: 'models.list', id: 'r3' });
    const second = engineChannel();
    bridge.attachPort(second.port, { generation: 1, restartReason: 'The engine stopped unexpectedly (exit code 9).' });
    await tick();
    expect(messages.at(-1)).toEqual({ type: 'engine.restarted', reason: 'The engine stopped unexpectedly (exit code 9).' });
    expect(second.received).toEqual([{ type: 'models.list', id: 'r3' }]);
    expect(messages.filter((m) => m.id === 'r3')).toEqual([]);
  });

  it('fails requests immediately once main has given up restarting', () => {
    const { bridge, messages } = setup();
    bridge.postMessage({ type: 'models.list', id: 'queued' });
    bridge.engineLost({ reason: 'crash loop', willRestart: false });
    bridge.postMessage({ type: 'models.list', id: 'later' });
    expect(messages.map((m) => [m.id, m.error?.code])).toEqual([
      ['queued', 'ENGINE_CRASHED'],
      ['later', 'ENGINE_CRASHED'],
    ]);
  });

  it('bounds the queue while no engine is connected', () => {
    const { bridge, messages } = setup();
    for (let i = 0; i < MAX_QUEUED + 2; i++) bridge.postMessage({ type: 'models.list', id: `q${i}` });
    expect(messages.map((m) => m.id)).toEqual([`q${MAX_QUEUED}`, `q${MAX_QUEUED + 1}`]);
  });

  it('keeps delivering when one listener throws', async () => {
    const { bridge, messages, logs } = setup();
    bridge.onMessage(() => {
      throw new Error('listener bug');
    });
    bridge.postMessage({ type: 'bogus', id: 'z' });
    expect(messages).toHaveLength(1);
    expect(logs.some((l) => l.includes('listener bug'))).toBe(true);
  });
});
