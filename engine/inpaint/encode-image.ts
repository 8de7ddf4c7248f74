/**
 * RGB pixels → image tokens with the bundle's image VQGAN encoder (opened on first use): the
 * tokens an inpainting job keeps outside its region. Pixels map to [-1, 1] as `v / 127.5 − 1`,
 * the inverse of the decoder's `(x + 1) · 127.5` (engine/image.ts); alpha is ignored.
 */
import { TesseraError } from '../../shared/errors.ts';
import type { GridSize } from '../../shared/grid.ts';
import type { RgbaImage } from '../../shared/protocol.ts';
import { raceCancel, type CancelToken } from '../cancel.ts';
import type { LoadedModel } from '../model/loaded-model.ts';
import { expectInt64, float32Tensor } from '../runtime.ts';

export function rgbaToChw(image: RgbaImage): Float32Array {
  const plane = image.width * image.height;
  const chw = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) chw[c * plane + p] = (image.rgba[4 * p + c] as number) / 127.5 - 1;
  return chw;
}

export async function encodeImage(model: LoadedModel, image: RgbaImage, grid: GridSize, cancel: CancelToken): Promise<Int32Array> {
  const names = model.manifest.tensors.imageEncoder;
  const session = await raceCancel(model.imageEncoder(), cancel);
  const out = await raceCancel(session.run({ [names.image]: float32Tensor(rgbaToChw(image), [1, 3, image.height, image.width]) }, [names.tokens]), cancel);
  const tokens = expectInt64(out[names.tokens], 'image tokens');
  const dims = out[names.tokens]?.dims ?? [];
  if (dims[1] !== grid.rows || dims[2] !== grid.cols) {
    throw new TesseraError('MODEL_INVALID', `The image encoder turned a ${image.width}×${image.height} image into ${dims[2]}×${dims[1]} tokens; the grid is ${grid.cols}×${grid.rows}.`);
  }
  const result = new Int32Array(grid.rows * grid.cols);
  for (let i = 0; i < result.length; i++) {
    const v = Number(tokens[i]);
    if (!(v >= 0 && v < model.manifest.vocab.image)) throw new TesseraError('MODEL_INVALID', `The image encoder produced token ${v}, outside the image codebook (0..${model.manifest.vocab.image - 1}).`);
    result[i] = v;
  }
  return result;
}
