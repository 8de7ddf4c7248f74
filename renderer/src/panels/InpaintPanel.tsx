/** Inpaint mode controls: mask or layout painting, options, regenerate, and the staging strip. */
import type { JSX } from 'react';
import { acceptStaged, beginInpaint, discardStaged, runInpaint } from '../actions/action-inpaint.ts';
import { cancelJob } from '../actions/action-generate.ts';
import { getEngine } from '../app/services.ts';
import { imageToCanvas } from '../canvas/rgba-canvas.ts';
import { selectSelectedEntry } from '../state/gallery-slice.ts';
import { selectJobRunning } from '../state/generation-slice.ts';
import { selectMaskPixelCount, selectRepaintedPixelCount } from '../state/inpaint-slice.ts';
import { studio, useStudio } from '../state/store.ts';
import { Field, SliderField } from './fields.tsx';
import { Icon } from './icons.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { Thumb } from './Thumb.tsx';

export function InpaintPanel(): JSX.Element {
  const active = useStudio((s) => s.inpaintActive);
  const target = useStudio((s) => s.paintTarget);
  const maskPixels = useStudio(selectMaskPixelCount);
  const repainted = useStudio(selectRepaintedPixelCount);
  const dilation = useStudio((s) => s.dilation);
  const blend = useStudio((s) => s.blend);
  const running = useStudio(selectJobRunning);
  const jobKind = useStudio((s) => s.job?.kind);
  const hasSource = useStudio((s) => s.baseImage !== null || selectSelectedEntry(s) !== null);
  if (!active) {
    return (
      <div className="panel-body">
        <p className="muted">Paint a region over a result (or a dropped image) and regenerate only that part. Tokens outside the region are kept.</p>
        <button type="button" className="primary" data-testid="start-inpaint" disabled={!hasSource} onClick={() => beginInpaint(studio, selectSelectedEntry(studio.getState())?.result.image ?? null)}>
          <Icon name="mask" /> Inpaint the selected result
        </button>
        {!hasSource && <div className="muted small">Generate something first, or drop an image onto the window.</div>}
      </div>
    );
  }
  return (
    <div className="panel-body">
      <Field label="Paint on">
        <div className="segmented" role="radiogroup" aria-label="Paint target">
          <button type="button" role="radio" aria-checked={target === 'mask'} className={target === 'mask' ? 'active' : ''} data-testid="paint-mask" onClick={() => studio.getState().setPaintTarget('mask')}>
            Region mask
          </button>
          <button type="button" role="radio" aria-checked={target === 'layout'} className={target === 'layout' ? 'active' : ''} data-testid="paint-layout" onClick={() => studio.getState().setPaintTarget('layout')}>
            Layout inside
          </button>
        </div>
      </Field>
      <div className="muted small">
        {target === 'mask' ? 'Brush, rectangle or fill mark the region; the eraser removes it.' : 'Repaint classes; changed tokens join the region.'} The dashed cells are the tokens that will be resampled.
      </div>
      <div className="mask-row">
        <span data-testid="mask-pixels" data-masked={maskPixels} data-repainted={repainted}>
          {maskPixels.toLocaleString()} px masked{repainted > 0 || target === 'layout' ? ` · ${repainted.toLocaleString()} px repainted` : ''}
        </span>
        <button type="button" className="ghost" onClick={() => studio.getState().clearMask()}>
          Clear
        </button>
      </div>
      <SliderField name="dilation" label="Grow region (tokens)" min={0} max={4} step={1} value={dilation} onChange={(v) => studio.getState().setInpaintOptions({ dilation: v })} />
      <SliderField name="blend" label="Seam blend (px)" min={0} max={32} step={1} value={blend} onChange={(v) => studio.getState().setInpaintOptions({ blend: v })} />
      <div className="generate-row">
        {running && (jobKind === 'inpaint' || jobKind === 'resample') ? (
          <button type="button" className="primary danger" onClick={() => void cancelJob(getEngine(), studio)}>
            <Icon name="stop" /> Cancel
          </button>
        ) : (
          <button type="button" className="primary" data-testid="run-inpaint" disabled={running || maskPixels + repainted === 0} onClick={() => void runInpaint(getEngine(), studio)}>
            <Icon name="sparkle" /> Regenerate region
          </button>
        )}
        <button type="button" className="ghost" onClick={() => studio.getState().exitInpaint()}>
          Done
        </button>
      </div>
      <ProgressBar kinds={['inpaint', 'resample']} />
    </div>
  );
}

/** InvokeAI-style staging: review candidates, accept one into the gallery or discard it. */
export function StagingStrip(): JSX.Element | null {
  const staging = useStudio((s) => s.staging);
  const index = useStudio((s) => s.stagingIndex);
  const active = useStudio((s) => s.inpaintActive);
  if (!active || staging.length === 0) return null;
  const current = staging[index];
  return (
    <div className="staging" data-testid="staging">
      <span className="staging-title">Staging</span>
      <button type="button" className="icon-button" title="Previous" disabled={index === 0} onClick={() => studio.getState().setStagingIndex(index - 1)}>
        <Icon name="chevronLeft" />
      </button>
      <div className="staging-thumbs">
        {staging.map((e, i) => (
          <button key={e.id} type="button" className={`thumb-button${i === index ? ' selected' : ''}`} onClick={() => studio.getState().setStagingIndex(i)}>
            <Thumb source={imageToCanvas(e.result.image)} />
          </button>
        ))}
      </div>
      <button type="button" className="icon-button" title="Next" disabled={index >= staging.length - 1} onClick={() => studio.getState().setStagingIndex(index + 1)}>
        <Icon name="chevronRight" />
      </button>
      <span className="muted small">
        {index + 1}/{staging.length} · seed {current?.result.settings.seed}
      </span>
      <button type="button" className="primary small" data-testid="accept-staged" onClick={() => acceptStaged(studio)}>
        <Icon name="check" size={14} /> Accept
      </button>
      <button type="button" className="ghost small" data-testid="discard-staged" onClick={() => discardStaged(studio)}>
        <Icon name="close" size={14} /> Discard
      </button>
    </div>
  );
}
