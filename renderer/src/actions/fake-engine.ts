/** A scripted EngineClient for action tests: each request type answers through a handler. */
import { TesseraError } from '../../../shared/errors.ts';
import type { EngineEvent, GenerationResult, ModelInfo, ReplyValues, RequestType } from '../../../shared/protocol.ts';
import type { EngineClient, RequestPayload } from '../bridge/engine-client.ts';
import { Listeners } from '../bridge/transport.ts';

type Handler<T extends RequestType> = (payload: RequestPayload<T>, emit: (e: EngineEvent) => void) => Promise<ReplyValues[T]> | ReplyValues[T];

export function fakeEngine(handlers: { [K in RequestType]?: Handler<K> }) {
  const events = new Listeners<EngineEvent>();
  const sent: Array<{ type: RequestType; payload: unknown }> = [];
  const client: EngineClient = {
    async request(type, payload) {
      sent.push({ type, payload });
      const handler = handlers[type] as Handler<typeof type> | undefined;
      if (!handler) throw new TesseraError('BAD_REQUEST', `${type} is not available yet in this engine build.`);
      return handler(payload as never, (e) => events.emit(e)) as never;
    },
    onEvent: (l) => events.add(l),
    onProtocolError: () => () => undefined,
    onConnection: () => () => undefined,
    close: () => undefined,
  };
  /** `emit`: an event from the engine that no request caused (a restart, the engine stopping). */
  return { client, sent, emit: (e: EngineEvent) => events.emit(e) };
}

export function modelInfo(id: string, classNames: string[]): ModelInfo {
  return {
    id,
    name: id,
    version: '1',
    origin: 'user',
    path: `/models/${id}`,
    bytes: 1000,
    gridFactor: 8,
    window: { rows: 4, cols: 4 },
    classes: classNames.map((name, i) => ({ id: i, name, color: `#0000${(i * 40).toString(16).padStart(2, '0')}` })),
  };
}

export function resultFor(jobId: string, width: number, height: number, seed: number, fill = 100): GenerationResult {
  const rows = height / 8;
  const cols = width / 8;
  return {
    jobId,
    image: { width, height, rgba: new Uint8Array(width * height * 4).fill(fill) },
    tokens: new Uint16Array(rows * cols),
    entropy: new Float32Array(rows * cols),
    grid: { rows, cols },
    settings: { seed, temperature: 1, topK: 0, topP: 1, sampler: 'cached', stride: 2, decodedPreviews: true },
    modelId: 'm',
    backend: 'cpu',
    seconds: 0.1,
  };
}
