import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChildToParent } from '../host/child-protocol.ts';
import { describeChildExit, spawnEngineChild } from './engine-child.ts';

describe('describeChildExit', () => {
  it('names an out-of-memory, whichever way it shows', () => {
    expect(describeChildExit(null, 'SIGABRT', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory')).toMatch(/ran out of memory.*smaller canvas/);
    expect(describeChildExit(134, null, "terminate called after throwing an instance of 'std::bad_alloc'")).toMatch(/ran out of memory/);
    expect(describeChildExit(null, 'SIGKILL')).toMatch(/killed \(SIGKILL\).*ran out of memory: try a smaller canvas/);
  });

  it('says what else stopped it', () => {
    expect(describeChildExit(null, 'SIGABRT')).toMatch(/aborted \(SIGABRT\).*onnxruntime/);
    expect(describeChildExit(null, 'SIGSEGV')).toBe('The engine process crashed in native code (SIGSEGV).');
    expect(describeChildExit(null, 'SIGTERM')).toBe('The engine process was stopped by SIGTERM.');
    expect(describeChildExit(0, null)).toBe('The engine process exited.');
    expect(describeChildExit(1, null, 'some noise\nError: Cannot find module x\n')).toBe('The engine process stopped unexpectedly (exit code 1); its last words: Error: Cannot find module x');
    expect(describeChildExit(7, null)).toBe('The engine process stopped unexpectedly (exit code 7).');
  });
});

describe('spawnEngineChild', () => {
  it('passes the models folders and backend, parses what the child sends, drops what does not match, and explains the exit', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-child-'));
    const entry = path.join(dir, 'entry.mjs');
    // A stand-in child: echoes its arguments and environment in a valid message, sends one invalid message, then dies.
    writeFileSync(
      entry,
      `process.send({ type: 'ready' });
       process.send({ type: 'client.message', client: 1, message: { type: 'reply', id: 'args', ok: true, value: { argv: process.argv.slice(2), models: process.env.TESSERA_MODELS_DIR, typed: new Uint8Array([1, 2]) } } });
       process.send({ type: 'client.message', client: 1, message: { type: 'not-a-message' } });
       process.stderr.write('Error: the stand-in gave up\\n', () => setTimeout(() => process.exit(3), 50));`,
    );
    const log: string[] = [];
    const child = spawnEngineChild({ entry, embeddedDirs: [], modelDirs: ['/models/a', '/models/b'], backend: 'cpu', env: { ...process.env, TESSERA_MODELS_DIR: '/from/env' }, log: (line) => log.push(line) });
    const received: ChildToParent[] = [];
    child.onMessage((m) => received.push(m));
    const reason = await new Promise<string>((resolve) => child.onExit(resolve));
    await child.exited;
    expect(received[0]).toEqual({ type: 'ready' });
    expect(received[1]).toEqual({
      type: 'client.message',
      client: 1,
      message: { type: 'reply', id: 'args', ok: true, value: { argv: ['--models-dir=/models/a', '--models-dir=/models/b', '--backend=cpu'], models: '/from/env', typed: new Uint8Array([1, 2]) } },
    });
    // Structured clone, not JSON: typed arrays arrive as typed arrays.
    const value = received[1]?.type === 'client.message' && received[1].message.type === 'reply' && received[1].message.ok ? (received[1].message.value as { typed: unknown }) : null;
    expect(value?.typed).toBeInstanceOf(Uint8Array);
    expect(received).toHaveLength(2);
    expect(log).toEqual([expect.stringMatching(/^serve: dropped a message from the engine process that does not match the protocol/)]);
    expect(reason).toBe('The engine process stopped unexpectedly (exit code 3); its last words: Error: the stand-in gave up');
  });
});
