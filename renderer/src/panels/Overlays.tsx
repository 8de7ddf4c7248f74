/** Toasts and modal dialogs (crash recovery, class mapping on a model switch). */
import type { JSX } from 'react';
import { useEffect, useState } from 'react';
import { applyClassMapping } from '../actions/action-load-model.ts';
import { getAutosave } from '../app/services.ts';
import { newProject, saveProject } from '../documents/file-actions.ts';
import { resolveRecovery } from '../documents/recovery.ts';
import { selectHasUnsavedWork } from '../state/document-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { toastLifetimeMs } from '../state/ui-slice.ts';
import { mapClassesByName, usedClasses } from '../tools/class-mapping.ts';
import { Icon } from './icons.tsx';

const toastTimers = new Map<number, ReturnType<typeof setTimeout>>();

export function Toasts(): JSX.Element {
  const toasts = useStudio((s) => s.toasts);
  useEffect(() => {
    // One timer per toast, started when it first appears (not restarted when another one arrives).
    for (const t of toasts) {
      if (toastTimers.has(t.id)) continue;
      toastTimers.set(
        t.id,
        setTimeout(() => {
          toastTimers.delete(t.id);
          studio.getState().dismissToast(t.id);
        }, toastLifetimeMs(t.tone)),
      );
    }
  }, [toasts]);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast tone-${t.tone}`} role={t.tone === 'error' ? 'alert' : 'status'} data-testid={`toast-${t.tone}`}>
          <div className="toast-text">
            <div className="toast-title">{t.title}</div>
            {t.detail && <div className="toast-detail">{t.detail}</div>}
          </div>
          <button type="button" className="icon-button small" aria-label="Dismiss" onClick={() => studio.getState().dismissToast(t.id)}>
            <Icon name="close" size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}

function ClassMappingDialog({ dialog }: { dialog: Extract<NonNullable<ReturnType<typeof studio.getState>['dialog']>, { kind: 'classMapping' }> }): JSX.Element {
  const target = dialog.targetModel;
  const [choices, setChoices] = useState<Record<number, number>>(() => Object.fromEntries(dialog.unmatched.map((c) => [c.id, target.classes[0]?.id ?? 0])));
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="map-title">
      <h3 id="map-title">Map classes to {target.name}</h3>
      <p className="muted">These classes in your layout have no class of the same name in {target.name}. Choose what each becomes:</p>
      <div className="mapping-rows">
        {dialog.unmatched.map((c) => (
          <label key={c.id} className="mapping-row">
            <span>{c.name}</span>
            <span className="muted">→</span>
            <select value={choices[c.id]} onChange={(e) => setChoices({ ...choices, [c.id]: Number(e.target.value) })}>
              {target.classes.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
            </select>
          </label>
        ))}
      </div>
      <div className="dialog-actions">
        <button type="button" className="ghost" onClick={() => studio.getState().setDialog(null)}>
          Keep the current model
        </button>
        <button
          type="button"
          className="primary"
          onClick={() => {
            const s = studio.getState();
            const from = s.activeModel?.classes ?? [];
            const { matched } = mapClassesByName(from, target.classes, usedClasses(s.layout));
            applyClassMapping(studio, target, matched, new Map(Object.entries(choices).map(([k, v]) => [Number(k), v])));
          }}
        >
          Switch and map
        </button>
      </div>
    </div>
  );
}

/** New with unsaved work: keep working, save first, or discard (the recovery copy stays until the new document is edited). */
function ConfirmNewDialog({ summary }: { summary: string }): JSX.Element {
  const close = (): void => studio.getState().setDialog(null);
  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="new-title" data-testid="confirm-new-dialog">
      <h3 id="new-title">Start a new project?</h3>
      <p>
        {summary} has unsaved work. Save it first, or discard it: until you edit or save the new project, its autosaved copy stays in the recovery slot, and reloading the studio
        offers it back.
      </p>
      <div className="dialog-actions">
        <button type="button" className="ghost" data-testid="confirm-new-cancel" onClick={close}>
          Keep working
        </button>
        <button
          type="button"
          className="ghost"
          data-testid="confirm-new-save"
          onClick={() => {
            close();
            void saveProject(studio, getAutosave()).then(() => {
              if (!selectHasUnsavedWork(studio.getState())) newProject(studio, getAutosave());
            });
          }}
        >
          Save first
        </button>
        <button
          type="button"
          className="primary danger"
          data-testid="confirm-new-discard"
          onClick={() => {
            close();
            newProject(studio, getAutosave());
          }}
        >
          Discard and start new
        </button>
      </div>
    </div>
  );
}

export function Dialogs(): JSX.Element | null {
  const dialog = useStudio((s) => s.dialog);
  if (!dialog) return null;
  return (
    <div className="backdrop">
      {dialog.kind === 'recovery' ? (
        <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="rec-title" data-testid="recovery-dialog">
          <h3 id="rec-title">Recover unsaved work?</h3>
          <p>
            Tessera found an autosaved copy from {dialog.savedAt ? new Date(dialog.savedAt).toLocaleString() : 'an earlier session'}: {dialog.summary}.
          </p>
          <div className="dialog-actions">
            <button type="button" className="ghost" data-testid="recovery-discard" onClick={() => void resolveRecovery(studio, getAutosave(), false)}>
              Discard
            </button>
            <button type="button" className="primary" data-testid="recovery-restore" onClick={() => void resolveRecovery(studio, getAutosave(), true)}>
              Restore
            </button>
          </div>
        </div>
      ) : dialog.kind === 'confirmNew' ? (
        <ConfirmNewDialog summary={dialog.summary} />
      ) : (
        <ClassMappingDialog dialog={dialog} />
      )}
    </div>
  );
}
