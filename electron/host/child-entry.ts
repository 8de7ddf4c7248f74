/**
 * Entry of serve mode's engine child: the Node twin of utility-entry.ts, started by
 * electron/serve/engine-child.ts with `child_process.fork(…, { serialization: 'advanced' })`.
 * Each client (a WebSocket connection in the parent) gets its own host over one shared engine
 * (engine-clients.ts); messages travel as child-protocol.ts describes. The engine lives here, not
 * in the server, so a native onnxruntime abort or an out-of-memory kills only this process: the
 * parent fails the affected requests and jobs, and starts a new one.
 */
import { describeIssues } from '../../shared/manifest.ts';
import type { EngineMessage } from '../../shared/protocol.ts';
import { stderrLogger } from '../../engine/node/create-node-engine.ts';
import { ParentToChildSchema, type ChildToParent } from './child-protocol.ts';
import { createEngineClients, parseEngineProcessArgs } from './engine-clients.ts';
import type { EngineHost } from './engine-host.ts';

const toParent = process.send?.bind(process);
if (!toParent) {
  process.stderr.write('child-entry.ts must be started with child_process.fork (there is no IPC channel).\n');
  process.exit(1);
}

const logger = stderrLogger();
const clients = createEngineClients(parseEngineProcessArgs(process.argv), logger);
const hosts = new Map<number, EngineHost>();

function post(message: ChildToParent): void {
  // A closed channel means the parent is gone; 'disconnect' below ends this process.
  if (process.connected) toParent?.(message);
}

process.on('message', (raw: unknown) => {
  const parsed = ParentToChildSchema.safeParse(raw);
  if (!parsed.success) {
    logger.error(`engine child: ignored a message from serve mode that does not match child-protocol.ts: ${describeIssues(parsed.error)}`);
    return;
  }
  const message = parsed.data;
  switch (message.type) {
    case 'client.opened': {
      const client = message.client;
      if (hosts.has(client)) return;
      hosts.set(client, clients.open((reply: EngineMessage) => post({ type: 'client.message', client, message: reply })));
      return;
    }
    case 'client.closed': {
      const host = hosts.get(message.client);
      hosts.delete(message.client);
      if (host) clients.close(host);
      return;
    }
    case 'client.message': {
      const host = hosts.get(message.client);
      if (host) host.handle(message.message);
      else logger.warn(`engine child: a message for client ${message.client}, which is not open, was dropped`);
      return;
    }
    case 'engine.cancelJob':
      clients.cancel(message.jobId);
      return;
  }
});

let stopping = false;
function shutdown(): void {
  if (stopping) return;
  stopping = true;
  void clients.shutdown().finally(() => process.exit(0));
}
process.on('SIGTERM', shutdown);
// The server went away (even with kill -9): nobody is left to receive a result, and an orphaned
// engine would only burn the CPU, so leave now rather than finish the running job.
process.on('disconnect', () => process.exit(0));

post({ type: 'ready' });
