/**
 * How main starts the engine host (electron/host/utility-entry, bundled to out/host/): the module
 * path, its arguments and environment, and how an exit is explained to the user. Main never
 * imports engine code — it only knows this path and the protocol in shared/. Plain, tested.
 */
import type { Backend } from '../../shared/protocol.ts';

export interface EngineLaunchInputs {
  entryPath: string;
  /** The default model shipped with the app (resources/models when packaged, assets/models in dev). */
  embeddedModelsDir: string;
  /** User folders (the studio's models folder in userData). */
  modelDirs: readonly string[];
  backend: Backend;
  /** The parent environment; copied, then the engine's own variables are set. */
  env: Readonly<Record<string, string | undefined>>;
}

export interface EngineLaunch {
  modulePath: string;
  args: string[];
  serviceName: string;
  env: Record<string, string>;
}

/** The message main posts (with a MessagePort in `ports[0]`) to give the host a new client. */
export const ENGINE_CONNECT_MESSAGE = { type: 'engine.connect' } as const;

export function buildEngineLaunch({ entryPath, embeddedModelsDir, modelDirs, backend, env }: EngineLaunchInputs): EngineLaunch {
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    // Never let the engine inherit run-as-node or a debugger port meant for main.
    if (value === undefined || key === 'ELECTRON_RUN_AS_NODE' || key === 'NODE_OPTIONS') continue;
    childEnv[key] = value;
  }
  return {
    modulePath: entryPath,
    // The bundled host cannot find assets/models relative to its own file (it moved into out/ or
    // app.asar), so the embedded folder is always passed explicitly.
    args: [`--embedded-models-dir=${embeddedModelsDir}`, ...modelDirs.map((dir) => `--models-dir=${dir}`), `--backend=${backend}`],
    serviceName: 'Tessera Engine',
    env: childEnv,
  };
}

/** utilityProcess 'exit' gives only a code (waitpid status on POSIX); say what it means. */
export function describeEngineExit(code: number, fatalError?: string): string {
  if (fatalError !== undefined) return `The engine hit a fatal error (${fatalError}).`;
  if (code === 0) return 'The engine exited.';
  return `The engine stopped unexpectedly (exit code ${code}).`;
}

export function parseBackend(value: string | undefined): Backend {
  return value === 'cpu' || value === 'webgpu' || value === 'wasm' || value === 'auto' ? value : 'auto';
}
