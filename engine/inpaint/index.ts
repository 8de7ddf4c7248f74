/** Inpainting by token regions: the public surface (see run-inpaint.ts and engine/README.md "Inpainting"). */
export { inpaint, runInpaintJob, type InpaintOptions, type InpaintOutcome, type InpaintParams } from './run-inpaint.ts';
export { addTokens, countRegion, dilateRegion, layoutChangeRegion, maskToRegion, type PixelMask } from './region.ts';
export { compositeImages, seamWeights } from './composite.ts';
export { encodeImage, rgbaToChw } from './encode-image.ts';
export { cropImage, fitImage, fitLabelMap, fitMask, fittedSize, type FitMode } from './fit.ts';
export { decodeImagePng, decodeMaskPng, readImagePng } from './png-input.ts';
