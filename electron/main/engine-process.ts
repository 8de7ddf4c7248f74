/**
 * The engine as a utilityProcess, and MessagePorts to it. Main creates each channel and hands one
 * end to the host and the other to whoever talks to the engine (the renderer's preload, or main
 * itself for the About window's backend query); after that, messages flow port to port and never
 * through main's event loop.
 */
import type { z } from 'zod';
import { MessageChannelMain, utilityProcess, type UtilityProcess, type WebContents } from 'electron';
import { IPC, type EnginePortNotice } from '../../shared/desktop-ipc.ts';
import { ReplySchema, ReplyValueSchemas, type ReplyValues, type Request, type RequestType } from '../../shared/protocol.ts';
import { TesseraError } from '../../shared/errors.ts';
import { describeEngineExit, ENGINE_CONNECT_MESSAGE, type EngineLaunch } from './engine-launch.ts';
import type { EngineHandle } from '../../shared/engine-supervisor.ts';

export interface EngineProcess extends EngineHandle {
  readonly child: UtilityProcess;
}

export function spawnEngine(launch: EngineLaunch): EngineProcess {
  const child = utilityProcess.fork(launch.modulePath, launch.args, { serviceName: launch.serviceName, env: launch.env, stdio: 'inherit' });
  let fatal: string | undefined;
  child.on('error', (type, location) => {
    fatal = `${type} at ${location}`;
  });
  return {
    child,
    get pid() {
      return child.pid;
    },
    onExit(listener) {
      child.once('exit', (code) => listener(describeEngineExit(code, fatal)));
    },
    kill() {
      child.kill();
    },
  };
}

/** Gives the renderer (its preload) a fresh port to the engine. */
export function connectRenderer(child: UtilityProcess, contents: WebContents, notice: EnginePortNotice): void {
  const { port1, port2 } = new MessageChannelMain();
  child.postMessage(ENGINE_CONNECT_MESSAGE, [port1]);
  contents.postMessage(IPC.enginePort, notice, [port2]);
}

/** One request from main itself over a short-lived port; the reply is validated like any other. */
export function queryEngine<T extends RequestType>(child: UtilityProcess, request: Extract<Request, { type: T }>, timeoutMs = 3000): Promise<ReplyValues[T]> {
  const { port1, port2 } = new MessageChannelMain();
  child.postMessage(ENGINE_CONNECT_MESSAGE, [port1]);
  return new Promise<ReplyValues[T]>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new TesseraError('INTERNAL', `The engine did not answer ${request.type} in ${timeoutMs} ms.`))), timeoutMs);
    const finish = (settle: () => void): void => {
      clearTimeout(timer);
      port2.close();
      settle();
    };
    port2.on('message', ({ data }) => {
      const reply = ReplySchema.safeParse(data);
      if (!reply.success || reply.data.id !== request.id) return; // events, or someone else's reply
      if (!reply.data.ok) {
        const error = reply.data.error;
        finish(() => reject(TesseraError.fromPayload(error)));
        return;
      }
      // The table is keyed by request type; TypeScript cannot follow the generic index, hence the widening.
      const schema: z.ZodType = ReplyValueSchemas[request.type as RequestType];
      const value = schema.safeParse(reply.data.value);
      if (!value.success) finish(() => reject(new TesseraError('INTERNAL', `The engine's ${request.type} reply did not match the protocol.`)));
      else finish(() => resolve(value.data as ReplyValues[T]));
    });
    port2.start();
    port2.postMessage(request);
  });
}
