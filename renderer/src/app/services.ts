/**
 * The app's long-lived services (engine client, autosave), created once in main.tsx. Components
 * reach them through these getters rather than React context, because the canvas controller and
 * actions outside React need them too.
 */
import type { EngineClient } from '../bridge/engine-client.ts';
import type { Autosave } from '../documents/autosave.ts';

let engine: EngineClient | null = null;
let autosave: Autosave | null = null;

export function setServices(services: { engine: EngineClient; autosave: Autosave }): void {
  engine = services.engine;
  autosave = services.autosave;
}

export function getEngine(): EngineClient {
  if (!engine) throw new Error('engine client not started');
  return engine;
}

export function getAutosave(): Autosave {
  if (!autosave) throw new Error('autosave not started');
  return autosave;
}
