/** Outpainting by extending the canvas: the public surface (see run-outpaint.ts and docs/SAMPLING.md "Outpainting"). */
export { defaultCandidates, MAX_CANDIDATES, outpaint, runOutpaintJob, type OutpaintOptions, type OutpaintOutcome, type OutpaintParams } from './run-outpaint.ts';
export { checkPlacement, inferOffset, newAreaRegion, placeImage, placeTokens, type PixelOffset, type Placement } from './placement.ts';
export { scoreSeam, seamBand } from './seam-score.ts';
