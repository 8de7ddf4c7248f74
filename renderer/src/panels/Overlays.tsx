/** Toasts and modal dialogs (crash recovery, class mapping on a model switch). */
import type { JSX } from 'react';
import { useEffect, useState } from 'react';
import { applyClassMapping } from '../actions/action-load-model.ts';
import { getAutosave } from '../app/services.ts';
import { resolveRecovery } from '../documents/recovery.ts';
import { studio, useStudio } from '../state/store.ts';
import { mapClassesByName, usedClasses } from '../tools/class-mapping.ts';
import { Icon } from './icons.tsx';

export function Toasts(): JSX.Element {
  const toasts = useStudio((s) => s.toasts);
  useEffect(() => {
    const timers = toasts.filter((t) => t.tone !== 'error').map((t) => setTimeout(() => studio.getState().dismissToast(t.id), 4500));
    return () => timers.forEach(clearTimeout);
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
      ) : (
        <ClassMappingDialog dialog={dialog} />
      )}
    </div>
  );
}
