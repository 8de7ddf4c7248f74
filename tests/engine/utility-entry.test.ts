/**
 * electron/host/utility-entry.ts outside Electron: a child Node process gets a stand-in for
 * `process.parentPort` (Electron's ParentPort API over a worker_threads MessageChannel), then
 * loads the entry. Requests on parentPort are answered on parentPort; a MessagePort transferred
 * in a message gets its own replies.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO } from './support/fixture.ts';

const CHILD = `
import { MessageChannel } from 'node:worker_threads';
const wrap = (port) => ({
  on: (event, listener) => event === 'message' ? port.on('message', (m) => listener(m && m.__ports ? { data: m.data, ports: m.__ports.map(wrap) } : { data: m })) : port.on(event, listener),
  postMessage: (m) => port.postMessage(m),
  start: () => port.start?.(),
});
const parent = new MessageChannel();
process.parentPort = wrap(parent.port2);
const replies = [];
parent.port1.on('message', (m) => replies.push(['parent', m]));
await import(${JSON.stringify(`${REPO}/electron/host/utility-entry.ts`)});
const client = new MessageChannel();
client.port1.on('message', (m) => replies.push(['client', m]));
parent.port1.postMessage({ type: 'models.list', id: 'p1' });
parent.port1.postMessage({ data: { type: 'engine.connect' }, __ports: [client.port2] }, [client.port2]);
setTimeout(() => client.port1.postMessage({ type: 'model.verify', id: 'c1', model: 'no-such-model' }), 200);
setTimeout(() => client.port1.postMessage({ type: 'bogus', id: 'c2' }), 250);
const done = () => {
  process.stdout.write('REPLIES ' + JSON.stringify(replies.map(([who, m]) => [who, m.id, m.ok, m.ok ? null : m.error.code])) + '\\n');
  process.exit(0);
};
setInterval(() => replies.length >= 3 && setTimeout(done, 50), 20);
setTimeout(done, 20000);
`;

describe('utility-entry', () => {
  it('answers requests on parentPort and on transferred ports', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, '--', '--backend=cpu', `--models-dir=${REPO}/assets/fixtures`], { cwd: REPO, encoding: 'utf8', timeout: 60_000, env: { ...process.env, TESSERA_CACHE_DIR: '/tmp/tessera-utility-test' } });
    const line = r.stdout.split('\n').find((l) => l.startsWith('REPLIES '));
    expect(line, r.stderr).toBeDefined();
    const replies = JSON.parse((line as string).slice(8));
    expect(replies).toContainEqual(['parent', 'p1', true, null]);
    expect(replies).toContainEqual(['client', 'c1', false, 'MODEL_NOT_FOUND']);
    expect(replies).toContainEqual(['client', 'c2', false, 'BAD_REQUEST']);
    expect(replies.filter((x: unknown[]) => x[0] === 'parent')).toHaveLength(1);
  });
});
