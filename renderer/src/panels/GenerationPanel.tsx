/** Model picker, sampling settings, seed (lock and dice), Generate/Cancel and progress. */
import type { JSX } from 'react';
import { DEFAULT_LEAD } from '../../../shared/parallel-schedule.ts';
import { BACKENDS, SAMPLERS } from '../../../shared/protocol.ts';
import { generate, cancelJob } from '../actions/action-generate.ts';
import { loadModel } from '../actions/action-load-model.ts';
import { getEngine } from '../app/services.ts';
import { selectJobRunning } from '../state/generation-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { Field, SliderField } from './fields.tsx';
import { Icon } from './icons.tsx';
import { ProgressBar } from './ProgressBar.tsx';

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(0)} MB`;
  return `${(bytes / 1e3).toFixed(0)} kB`;
}

export function ModelPicker(): JSX.Element {
  const models = useStudio((s) => s.models);
  const active = useStudio((s) => s.activeModel);
  const status = useStudio((s) => s.modelStatus);
  const error = useStudio((s) => s.modelError);
  const backend = useStudio((s) => s.backend);
  const running = useStudio(selectJobRunning);
  return (
    <div className="model-picker">
      <Field label="Model">
        <select
          aria-label="Model"
          data-testid="model-select"
          value={active?.id ?? ''}
          disabled={running || status === 'loading' || models.length === 0}
          onChange={(e) => void loadModel(getEngine(), studio, e.target.value, { mapClasses: true })}
        >
          {models.length === 0 && <option value="">{status === 'error' ? 'No model' : 'Looking for models…'}</option>}
          {models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name} · {m.version}
            </option>
          ))}
        </select>
      </Field>
      <div className="model-meta" data-testid="model-status" data-status={status}>
        {status === 'ready' && active ? (
          <>
            <span className="chip ok">{active.backend ?? 'loaded'}</span>
            <span className="muted">
              {formatBytes(active.bytes)} · f{active.gridFactor} · window {active.window.rows}×{active.window.cols} · {active.classes.length} classes
            </span>
          </>
        ) : status === 'error' ? (
          <span className="error-text">{error}</span>
        ) : (
          <span className="muted">{status === 'loading' ? 'Loading model…' : status === 'listing' ? 'Listing models…' : 'Connecting to the engine…'}</span>
        )}
      </div>
      {active?.backendNote && <div className="muted small">{active.backendNote}</div>}
      <Field label="Backend" hint="Where the model runs; auto picks the fastest available.">
        <select
          aria-label="Backend"
          value={backend}
          disabled={running}
          onChange={(e) => {
            studio.getState().setBackend(e.target.value as (typeof BACKENDS)[number]);
            const id = studio.getState().activeModel?.id;
            if (id) void loadModel(getEngine(), studio, id, { mapClasses: false });
          }}
        >
          {BACKENDS.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
      </Field>
    </div>
  );
}

export function SamplingFields(): JSX.Element {
  const settings = useStudio((s) => s.settings);
  const locked = useStudio((s) => s.seedLocked);
  const maxStride = useStudio((s) => s.activeModel?.window.cols ?? 16);
  const set = studio.getState().setSettings;
  return (
    <div className="sampling">
      <Field label="Seed" hint="Locked: the same seed every time. Unlocked: a new seed per generation.">
        <div className="seed-row">
          <input
            className="num wide"
            type="number"
            name="seed"
            aria-label="Seed"
            min={0}
            max={4294967295}
            value={settings.seed}
            onChange={(e) => {
              const v = Math.floor(Number(e.target.value));
              if (Number.isFinite(v) && v >= 0 && v <= 0xffffffff) set({ seed: v });
            }}
          />
          <button type="button" className={`icon-button${locked ? ' active' : ''}`} title={locked ? 'Seed locked' : 'Seed unlocked (new seed each run)'} aria-pressed={locked} onClick={() => studio.getState().setSeedLocked(!locked)}>
            <Icon name={locked ? 'lock' : 'unlock'} />
          </button>
          <button type="button" className="icon-button" title="Roll a random seed" onClick={() => studio.getState().rollSeed()}>
            <Icon name="dice" />
          </button>
        </div>
      </Field>
      <SliderField name="temperature" label="Temperature" hint="0 = greedy; higher = more varied" min={0} max={2} step={0.05} value={settings.temperature} onChange={(v) => set({ temperature: v })} />
      <SliderField name="topK" label="Top-k" hint="0 = off" min={0} max={1024} step={1} value={settings.topK} onChange={(v) => set({ topK: Math.round(v) })} />
      <SliderField name="topP" label="Top-p" hint="1 = off" min={0.05} max={1} step={0.01} value={settings.topP} onChange={(v) => set({ topP: v })} />
      <div className="field-grid">
        <Field label="Sampler" hint="exact: taming's window per token; cached: one KV-cached window per stride tokens (faster); parallel: several rows per forward (fastest)">
          <div className="segmented" role="radiogroup" aria-label="Sampler">
            {SAMPLERS.map((m) => (
              <button key={m} type="button" role="radio" aria-checked={settings.sampler === m} className={settings.sampler === m ? 'active' : ''} onClick={() => set({ sampler: m })}>
                {m}
              </button>
            ))}
          </div>
        </Field>
        {settings.sampler === 'parallel' ? (
          <Field label="Lead" hint="Columns a row stays ahead of the row below (smaller: fewer forwards)">
            <input className="num" type="number" name="lead" aria-label="Lead" min={1} max={maxStride} value={settings.lead ?? DEFAULT_LEAD} onChange={(e) => set({ lead: Math.min(maxStride, Math.max(1, Math.round(Number(e.target.value)) || 1)) })} />
          </Field>
        ) : (
          <Field label="Stride" hint="Tokens per cached window">
            <input className="num" type="number" name="stride" aria-label="Stride" min={1} max={maxStride} disabled={settings.sampler !== 'cached'} value={settings.stride} onChange={(e) => set({ stride: Math.min(maxStride, Math.max(1, Math.round(Number(e.target.value)) || 1)) })} />
          </Field>
        )}
      </div>
      <label className="check">
        <input type="checkbox" checked={settings.decodedPreviews} onChange={(e) => set({ decodedPreviews: e.target.checked })} />
        Decoded previews while sampling
      </label>
    </div>
  );
}

export function GenerationPanel(): JSX.Element {
  // While a cancelled job winds down, Generate is offered again: it starts once the old job stops.
  const running = useStudio((s) => s.job?.state === 'running');
  const ready = useStudio((s) => s.modelStatus === 'ready');
  const kind = useStudio((s) => s.job?.kind);
  return (
    <div className="panel-body">
      <ModelPicker />
      <div className="divider" />
      <SamplingFields />
      <div className="generate-row">
        {running ? (
          <button type="button" className="primary danger" data-testid="cancel" onClick={() => void cancelJob(getEngine(), studio)}>
            <Icon name="stop" /> Cancel {kind === 'batch' ? 'batch' : ''}
          </button>
        ) : (
          <button type="button" className="primary" data-testid="generate" disabled={!ready} title="Generate (Ctrl+Enter)" onClick={() => void generate(getEngine(), studio)}>
            <Icon name="sparkle" /> Generate
          </button>
        )}
      </div>
      <ProgressBar kinds={['generate', 'resample']} />
    </div>
  );
}
