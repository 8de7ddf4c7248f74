/** Small labelled inputs: a slider paired with a number box, and a select. */
import type { JSX, ReactNode } from 'react';

export function Field({ label, hint, children }: { label: string; hint?: string; children: ReactNode }): JSX.Element {
  return (
    <label className="field" title={hint}>
      <span className="field-label">{label}</span>
      {children}
    </label>
  );
}

export function SliderField(props: { label: string; hint?: string; min: number; max: number; step: number; value: number; onChange(value: number): void; format?: (v: number) => string; name: string }): JSX.Element {
  return (
    <Field label={props.label} hint={props.hint}>
      <div className="slider-row">
        <input type="range" aria-label={props.label} min={props.min} max={props.max} step={props.step} value={props.value} onChange={(e) => props.onChange(Number(e.target.value))} />
        <input
          className="num"
          name={props.name}
          type="number"
          aria-label={`${props.label} value`}
          min={props.min}
          max={props.max}
          step={props.step}
          value={props.value}
          onChange={(e) => {
            const v = Number(e.target.value);
            if (Number.isFinite(v)) props.onChange(Math.min(props.max, Math.max(props.min, v)));
          }}
        />
      </div>
    </Field>
  );
}
