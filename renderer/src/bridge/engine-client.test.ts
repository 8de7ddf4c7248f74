import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../../shared/errors.ts';
import type { ModelInfo } from '../../../shared/protocol.ts';
import { decodeWire, encodeWire } from '../../../shared/wire.ts';
import { createEngineClient } from './engine-client.ts';
import type { Transport } from './transport.ts';
import { Listeners } from './transport.ts';

function fakeTransport() {
  const sent: Array<Record<string, unknown>> = [];
  const messages = new Listeners<unknown>();
  const status = new Listeners<{ state: 'open' } | { state: 'closed'; reason: string }>();
  const transport: Transport = {
    // Round-trip through the wire codec, as serve mode does.
    send: (m) => sent.push(decodeWire(encodeWire(m)) as Record<string, unknown>),
    onMessage: (l) => messages.add(l),
    onStatus: (l) => status.add(l),
    close: () => undefined,
  };
  return { transport, sent, receive: (m: unknown) => messages.emit(decodeWire(encodeWire(m))), drop: (reason: string) => status.emit({ state: 'closed', reason }) };
}

const model: ModelInfo = {
  id: 'tiny',
  name: 'Tiny',
  version: '1',
  origin: 'embedded',
  path: '/m',
  bytes: 10,
  gridFactor: 8,
  window: { rows: 4, cols: 4 },
  classes: [{ id: 0, name: 'sky', color: '#0000ff' }],
};

describe('engine client', () => {
  it('sends typed requests and resolves with the validated reply value', async () => {
    const t = fakeTransport();
    const client = createEngineClient(t.transport);
    const reply = client.request('models.list', {});
    const sent = t.sent[0]!;
    expect(sent.type).toBe('models.list');
    t.receive({ type: 'reply', id: sent.id, ok: true, value: [model] });
    await expect(reply).resolves.toEqual([model]);
  });

  it('rejects with the engine error as a TesseraError', async () => {
    const t = fakeTransport();
    const client = createEngineClient(t.transport);
    const reply = client.request('model.load', { model: 'nope' });
    t.receive({ type: 'reply', id: t.sent[0]!.id, ok: false, error: { code: 'MODEL_NOT_FOUND', message: 'no model "nope"' } });
    await expect(reply).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND', message: 'no model "nope"' });
  });

  it('rejects a reply whose value does not match the request type, and reports it', async () => {
    const t = fakeTransport();
    const client = createEngineClient(t.transport);
    const problems: string[] = [];
    client.onProtocolError((p) => problems.push(p));
    const reply = client.request('models.list', {});
    t.receive({ type: 'reply', id: t.sent[0]!.id, ok: true, value: [{ id: 'x' }] });
    await expect(reply).rejects.toBeInstanceOf(TesseraError);
    expect(problems[0]).toMatch(/models\.list/);
  });

  it('delivers valid events with typed arrays intact and drops invalid ones', () => {
    const t = fakeTransport();
    const client = createEngineClient(t.transport);
    const events: unknown[] = [];
    const problems: string[] = [];
    client.onEvent((e) => events.push(e));
    client.onProtocolError((p) => problems.push(p));
    const image = { width: 1, height: 1, rgba: new Uint8Array([1, 2, 3, 255]) };
    t.receive({ type: 'job.windowCompleted', jobId: 'j', tokensDone: 3, preview: { kind: 'tokens', image } });
    t.receive({ type: 'job.progressed', jobId: 'j', tokensDone: -1 });
    t.receive({ type: 'job.unknown' });
    expect(events).toHaveLength(1);
    expect((events[0] as { preview: { image: { rgba: Uint8Array } } }).preview.image.rgba).toBeInstanceOf(Uint8Array);
    expect(problems).toHaveLength(2);
  });

  it('aborting a job request rejects at once and asks the engine to cancel the job', async () => {
    const t = fakeTransport();
    const client = createEngineClient(t.transport);
    const controller = new AbortController();
    const layout = { width: 8, height: 8, data: new Uint8Array(64) };
    const settings = { seed: 1, temperature: 1, topK: 0, topP: 1, sampler: 'cached' as const, stride: 1 };
    const reply = client.request('job.generate', { jobId: 'job-1', model: 'tiny', layout, settings }, { signal: controller.signal });
    controller.abort();
    await expect(reply).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(t.sent[1]).toMatchObject({ type: 'job.cancel', jobId: 'job-1' });
    // A late reply for the abandoned request is ignored.
    t.receive({ type: 'reply', id: t.sent[0]!.id, ok: false, error: { code: 'CANCELLED', message: 'x' } });
  });

  it('fails requests in flight when the connection drops', async () => {
    const t = fakeTransport();
    const client = createEngineClient(t.transport);
    const reply = client.request('models.list', {});
    t.drop('server stopped');
    await expect(reply).rejects.toMatchObject({ code: 'ENGINE_CRASHED' });
  });
});
