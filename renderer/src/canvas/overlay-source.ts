/** Which image, if any, the layout canvas draws over the layout. */
import type { RgbaImage } from '../../../shared/protocol.ts';
import { selectSelectedEntry } from '../state/gallery-slice.ts';
import type { Studio } from '../state/store.ts';

/**
 * Inpaint mode: the staged candidate under review, else the image being edited. Overlay view: the
 * live preview while a job runs, else the selected result. Side-by-side view: nothing.
 */
export function selectOverlayImage(s: Studio): RgbaImage | null {
  if (s.inpaintActive) return s.staging[s.stagingIndex]?.result.image ?? s.baseImage;
  if (s.viewMode !== 'overlay') return null;
  const running = s.job !== null && (s.job.state === 'running' || s.job.state === 'cancelling');
  if (running && s.preview) return s.preview.image;
  return selectSelectedEntry(s)?.result.image ?? s.preview?.image ?? null;
}

/** The image the result pane shows: the live preview while running, else the selected result. */
export function selectResultImage(s: Studio): { image: RgbaImage; kind: string } | null {
  const running = s.job !== null && (s.job.state === 'running' || s.job.state === 'cancelling') && s.job.kind !== 'inpaint' && s.job.kind !== 'resample';
  if (running && s.preview && s.preview.jobId === s.job?.id) return { image: s.preview.image, kind: s.preview.kind };
  const entry = selectSelectedEntry(s);
  if (entry) return { image: entry.result.image, kind: 'final' };
  return null;
}
