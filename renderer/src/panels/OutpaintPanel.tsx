/** Outpaint controls: extend the canvas by whole token windows on a side, then sample the new area. */
import type { JSX } from 'react';
import { cancelJob } from '../actions/action-generate.ts';
import { extendCanvas, runOutpaint } from '../actions/action-outpaint.ts';
import { getEngine } from '../app/services.ts';
import { selectJobRunning } from '../state/generation-slice.ts';
import { selectCanOutpaint, selectOutpaintFrame } from '../state/outpaint-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { EXTEND_SIDES } from '../tools/extend-layout.ts';
import { Field, SliderField } from './fields.tsx';
import { Icon } from './icons.tsx';
import { ProgressBar } from './ProgressBar.tsx';

export function OutpaintPanel(): JSX.Element {
  const side = useStudio((s) => s.extendSide);
  const windows = useStudio((s) => s.extendWindows);
  const blend = useStudio((s) => s.blend);
  const running = useStudio(selectJobRunning);
  const jobKind = useStudio((s) => s.job?.kind);
  const canOutpaint = useStudio(selectCanOutpaint);
  const frame = useStudio(selectOutpaintFrame);
  const source = useStudio((s) => s.outpaintSource);
  const hasResult = useStudio((s) => s.gallery.length > 0 || s.baseImage !== null);
  const ready = useStudio((s) => s.modelStatus === 'ready');
  return (
    <div className="panel-body">
      <p className="muted">Grow the canvas around the selected result by whole token windows, paint the new area if you like, then Outpaint: only the new area is sampled; the result’s pixels are kept exactly.</p>
      <Field label="Side">
        <div className="segmented" role="radiogroup" aria-label="Side to extend">
          {EXTEND_SIDES.map((s) => (
            <button key={s} type="button" role="radio" aria-checked={side === s} className={side === s ? 'active' : ''} data-testid={`extend-side-${s}`} onClick={() => studio.getState().setExtend({ side: s })}>
              {s}
            </button>
          ))}
        </div>
      </Field>
      <SliderField name="extend-windows" label="Windows" min={1} max={4} step={1} value={windows} onChange={(v) => studio.getState().setExtend({ windows: v })} />
      <button type="button" data-testid="extend-canvas" disabled={!hasResult || running || !ready} onClick={() => extendCanvas(studio, side, windows)}>
        <Icon name="plus" /> Extend {side}
      </button>
      {frame && source && canOutpaint && (
        <div className="muted small" data-testid="outpaint-frame">
          The {source.image.width}×{source.image.height} result sits at {frame.x},{frame.y} in {frame.width}×{frame.height}.
        </div>
      )}
      <SliderField name="outpaint-blend" label="Seam blend (px)" min={0} max={32} step={1} value={blend} onChange={(v) => studio.getState().setInpaintOptions({ blend: v })} />
      <div className="generate-row">
        {running && jobKind === 'outpaint' ? (
          <button type="button" className="primary danger" data-testid="cancel-outpaint" onClick={() => void cancelJob(getEngine(), studio)}>
            <Icon name="stop" /> Cancel
          </button>
        ) : (
          <button type="button" className="primary" data-testid="run-outpaint" disabled={running || !canOutpaint || !ready} onClick={() => void runOutpaint(getEngine(), studio)}>
            <Icon name="sparkle" /> Outpaint
          </button>
        )}
      </div>
      <ProgressBar kinds={['outpaint']} />
    </div>
  );
}
