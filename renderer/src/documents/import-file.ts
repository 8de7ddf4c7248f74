/**
 * Importing a dropped or opened file: a project (.json), a label PNG (palette colours or
 * grayscale indices) or a picture to inpaint. A PNG with few distinct colours is treated as a
 * label map, so a label map with a stray colour gets the readable "unknown colours" error
 * instead of silently becoming a photo; pictures have thousands of colours.
 */
import type { DecodedPng } from 'fast-png';
import { TesseraError } from '../../../shared/errors.ts';
import { checkCanvasSize, DEFAULT_MAX_CANVAS } from '../../../shared/grid.ts';
import { decodeLabelPng } from '../../../shared/labelmap.ts';
import { decodePngSafely, inspectPng, pngLimits, readPngHeader, type PngHeader } from '../../../shared/png-guard.ts';
import type { LabelMap } from '../../../shared/labelmap.ts';
import type { ModelClass } from '../../../shared/manifest.ts';
import type { RgbaImage } from '../../../shared/protocol.ts';
import { PARAMETERS_KEY, readRecordPng, type ResultRecord } from '../../../shared/result-record.ts';
import { canvasToImage } from '../canvas/rgba-canvas.ts';
import { canvasForPicture } from './picture-canvas.ts';
import type { Project } from './project-format.ts';
import { deserialiseProject } from './project-format.ts';

export type Imported =
  | { kind: 'layout'; layout: LabelMap; name: string }
  /**
   * `text`: an unscaled PNG's tEXt (a Tessera result carries its tokens there, for outpainting).
   * `made`: a Tessera result's record and the layout it was made from (unscaled PNGs only);
   * `madeProblem`: why a PNG that claims to be one could not be read as one.
   */
  | { kind: 'image'; image: RgbaImage; name: string; scaled: boolean; text?: Record<string, string>; made?: { record: ResultRecord; layout: LabelMap }; madeProblem?: string }
  | { kind: 'project'; project: Project };

/** Label maps have a handful of colours; photos and renders have thousands. */
const LABEL_COLOUR_LIMIT = 64;

/**
 * Pictures are scaled to the canvas on import, so they may be larger than the canvas limit (a
 * 48-megapixel photo fits); a PNG over this is refused from its header before anything decodes it.
 */
export const PICTURE_LIMIT = { width: 8192, height: 8192 };

export function countColours(png: DecodedPng, limit: number): number {
  if (png.palette || png.channels === 1) return 0;
  const seen = new Set<number>();
  const { data, channels } = png;
  for (let i = 0; i < data.length; i += channels) {
    seen.add(((data[i] as number) << 16) | ((data[i + 1] as number) << 8) | (data[i + 2] as number));
    if (seen.size > limit) break;
  }
  return seen.size;
}

/**
 * Whether a PNG is a label map rather than a picture. 8-bit palette and grayscale PNGs are, from
 * the header alone; 8-bit RGB(A) ones are when they have few colours, counted only when the PNG fits
 * the canvas limit (a larger one can only be a picture, scaled on import). Nothing is decoded
 * before the PNG passed the guard (shared/png-guard.ts).
 */
export function looksLikeLabelPng(bytes: Uint8Array): boolean {
  let header: PngHeader;
  try {
    header = inspectPng(bytes, pngLimits('the file', PICTURE_LIMIT));
  } catch {
    return false;
  }
  if (header.bitDepth !== 8) return false;
  if (header.colorType === 0 || header.colorType === 3) return true;
  if (header.width > DEFAULT_MAX_CANVAS.width || header.height > DEFAULT_MAX_CANVAS.height) return false;
  try {
    return countColours(decodePngSafely(bytes, pngLimits('the file')), LABEL_COLOUR_LIMIT) <= LABEL_COLOUR_LIMIT;
  } catch {
    return false;
  }
}

/** A label PNG as a layout; `name` says which file in errors. */
export function importLabelPng(bytes: Uint8Array, classes: readonly ModelClass[], gridFactor: number, window: { rows: number; cols: number }, name = 'the label map'): LabelMap {
  const layout = decodeLabelPng(bytes, classes, pngLimits(name));
  const check = checkCanvasSize(layout, gridFactor, window);
  if (!check.ok) {
    const hint = check.suggestions.map((s) => `${s.width}×${s.height}`).join(' or ');
    throw new TesseraError('BAD_CANVAS_SIZE', `${check.reason}. Resize the label map to ${hint}.`);
  }
  return layout;
}

async function decodePicture(file: Blob, context: { gridFactor: number; window: { rows: number; cols: number }; canvas: { width: number; height: number } }): Promise<{ image: RgbaImage; scaled: boolean }> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new TesseraError('BAD_INPUT', 'This file is not an image the studio can read (use PNG, JPEG or WebP).');
  }
  // Inpainting needs the image at the canvas size: a canvas of the picture's aspect ratio (the
  // caller resizes the layout to it), then scale with a cover fit for the last grid rounding.
  const target = canvasForPicture({ width: bitmap.width, height: bitmap.height }, context.canvas, context.gridFactor, context.window);
  const canvas = document.createElement('canvas');
  canvas.width = target.width;
  canvas.height = target.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new TesseraError('INTERNAL', 'Canvas 2D is not available.');
  const scale = Math.max(target.width / bitmap.width, target.height / bitmap.height);
  const w = bitmap.width * scale;
  const h = bitmap.height * scale;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, (target.width - w) / 2, (target.height - h) / 2, w, h);
  const scaled = bitmap.width !== target.width || bitmap.height !== target.height;
  bitmap.close();
  return { image: canvasToImage(canvas), scaled };
}

export async function importFile(
  file: File,
  context: { classes: readonly ModelClass[]; gridFactor: number; window: { rows: number; cols: number }; canvas: { width: number; height: number } },
): Promise<Imported> {
  const name = file.name.replace(/\.[^.]+$/, '');
  if (/\.json$/i.test(file.name) || file.type === 'application/json') return { kind: 'project', project: deserialiseProject(await file.text()) };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const isPng = bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  if (isPng) {
    // Checked from its header and chunks before anything decodes it, here or in the browser: an
    // unusable PNG is refused at once with the reason (size, damage, decompression bomb).
    const header = readPngHeader(bytes, `“${file.name}”`);
    const labelKind = header.bitDepth === 8 && (header.colorType === 0 || header.colorType === 3);
    inspectPng(bytes, pngLimits(`“${file.name}”`, labelKind ? DEFAULT_MAX_CANVAS : PICTURE_LIMIT));
    if (looksLikeLabelPng(bytes)) {
      if (context.classes.length === 0) throw new TesseraError('BAD_INPUT', 'Load a model first: its classes give the label map meaning.');
      return { kind: 'layout', layout: importLabelPng(bytes, context.classes, context.gridFactor, context.window, `“${file.name}”`), name };
    }
  }
  const { image, scaled } = await decodePicture(file, context);
  // A picture kept at its own size may be a Tessera result: its tEXt can lend outpainting the
  // tokens it was decoded from (checked against the pixels and the model where they are used).
  const text = isPng && !scaled ? (decodePngSafely(bytes, pngLimits(`“${file.name}”`, PICTURE_LIMIT)).text as Record<string, string> | undefined) : undefined;
  return { kind: 'image', image, name, scaled, ...(text && Object.keys(text).length > 0 ? { text, ...madeWith(bytes, text, file.name) } : {}) };
}

/**
 * The record and layout of a Tessera result PNG (shared/result-record.ts), so dropping one brings
 * back what made it, not just its pixels; nothing for other PNGs, and the reason for a damaged record.
 */
function madeWith(bytes: Uint8Array, text: Record<string, string>, fileName: string): { made?: { record: ResultRecord; layout: LabelMap }; madeProblem?: string } {
  if (text[PARAMETERS_KEY] === undefined) return {};
  try {
    const { record, layout } = readRecordPng(bytes, pngLimits(`“${fileName}”`, PICTURE_LIMIT));
    return { made: { record, layout } };
  } catch (error) {
    return { madeProblem: error instanceof Error ? error.message : String(error) };
  }
}
