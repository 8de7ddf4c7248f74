/** Entry point: connect to the engine, start autosave, offer recovery, mount the studio. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { startSession, wireEngineEvents } from './actions/action-connect.ts';
import { App } from './app/App.tsx';
import { installE2eHook } from './app/e2e-hook.ts';
import { installMenuCommands } from './app/menu-commands.ts';
import { setServices } from './app/services.ts';
import { connectEngine } from './bridge/connect.ts';
import { startAutosave } from './documents/autosave.ts';
import { warnWhenBatchesAreNotKept } from './documents/batch-zip.ts';
import { offerRecovery } from './documents/recovery.ts';
import { recoverySlot } from './documents/recovery-slot.ts';
import { studio } from './state/store.ts';
import './styles.css';

const engine = connectEngine();
const slot = recoverySlot();
const autosave = startAutosave(studio, slot);
setServices({ engine, autosave });
wireEngineEvents(engine, studio);
warnWhenBatchesAreNotKept(studio);
void startSession(engine, studio);
void offerRecovery(studio, slot, autosave);
installMenuCommands(studio);
if (new URLSearchParams(window.location.search).get('e2e') === '1') installE2eHook(studio, autosave);
window.addEventListener('pagehide', () => void autosave.flush());

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
