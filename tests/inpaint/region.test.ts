/** Regions, seams, fitting and mask PNGs: the pure parts of inpainting. */
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../shared/errors.ts';
import { compositeImages, seamWeights } from '../../engine/inpaint/composite.ts';
import { fitImage, fitMask, fittedSize } from '../../engine/inpaint/fit.ts';
import { decodeImagePng, decodeMaskPng } from '../../engine/inpaint/png-input.ts';
import { addTokens, countRegion, dilateRegion, layoutChangeRegion, maskToRegion } from '../../engine/inpaint/region.ts';

const grid = { rows: 3, cols: 4 };
const f = 8;
const show = (r: Uint8Array): string[] => Array.from({ length: grid.rows }, (_, row) => Array.from(r.subarray(row * grid.cols, (row + 1) * grid.cols)).join(''));

describe('inpainting regions', () => {
  it('resamples a token when any one of its pixels is masked', () => {
    const mask = { width: 32, height: 24, data: new Uint8Array(32 * 24) };
    mask.data[9 * 32 + 15] = 1; // token (1, 1), its last column
    mask.data[23 * 32 + 31] = 255; // token (2, 3), its last pixel
    expect(show(maskToRegion(mask, grid, f))).toEqual(['0000', '0100', '0001']);
  });

  it('dilates by whole tokens, diagonals included, clipped at the edges', () => {
    const one = Uint8Array.from([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect(show(dilateRegion(one, grid, 1))).toEqual(['1110', '1110', '1110']);
    expect(countRegion(dilateRegion(one, grid, 5))).toBe(12);
    expect(dilateRegion(one, grid, 0)).toEqual(one);
  });

  it('in layout-edit mode the region is where the classes changed', () => {
    const before = { width: 32, height: 24, data: new Uint8Array(32 * 24) };
    const after = { ...before, data: before.data.slice() };
    for (let x = 20; x < 26; x++) after.data[17 * 32 + x] = 3; // row 2, columns 2 and 3
    expect(show(layoutChangeRegion(before, after, grid, f))).toEqual(['0000', '0000', '0011']);
  });

  it('adds clicked tokens and rejects indices outside the grid', () => {
    expect(show(addTokens(new Uint8Array(12), [0, 11], grid))).toEqual(['1000', '0000', '0001']);
    expect(() => addTokens(new Uint8Array(12), [12], grid)).toThrow(/Token 12 is outside the 4×3 token grid/);
  });
});

describe('seam', () => {
  it('keeps every pixel outside the region, ramps inside over `blend` pixels, and blend 0 is a hard edge', () => {
    const region = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0]);
    const w = seamWeights(region, grid, f, 4);
    const at = (x: number, y: number): number => w[y * 32 + x]!;
    expect(at(7, 8)).toBe(0); // outside, next to the region
    expect(at(8, 8)).toBeCloseTo(0.2); // first pixel inside: d = 1 of 5
    expect(at(10, 12)).toBeCloseTo(0.6);
    expect(at(12, 16)).toBe(1); // 5 px from every outside pixel
    const hard = seamWeights(region, grid, f, 0);
    for (let i = 0; i < hard.length; i++) expect(hard[i]).toBe(region[Math.floor(Math.floor(i / 32) / f) * 4 + Math.floor((i % 32) / f)] ? 1 : 0);
    // A region that touches the image edge has no seam there.
    expect(seamWeights(new Uint8Array(12).fill(1), grid, f, 4).every((v) => v === 1)).toBe(true);

    const input = { width: 32, height: 24, rgba: new Uint8Array(32 * 24 * 4).fill(0) };
    const decoded = { width: 32, height: 24, rgba: new Uint8Array(32 * 24 * 4).fill(200) };
    const out = compositeImages(input, decoded, w);
    expect(out.rgba[(8 * 32 + 7) * 4]).toBe(0);
    expect(out.rgba[(8 * 32 + 8) * 4]).toBe(40);
    expect(out.rgba[(16 * 32 + 12) * 4]).toBe(200);
    expect(out.rgba[3]).toBe(255);
  });
});

describe('fitting', () => {
  const window = { rows: 4, cols: 4 };
  const max = { width: 256, height: 256 };
  it('pads up or crops down to whole tokens only when asked, and says why it cannot', () => {
    expect(fittedSize({ width: 61, height: 50 }, 8, window, max, 'pad')).toEqual({ width: 64, height: 56 });
    expect(fittedSize({ width: 61, height: 50 }, 8, window, max, 'crop')).toEqual({ width: 56, height: 48 });
    expect(fittedSize({ width: 300, height: 40 }, 8, window, max, 'crop')).toEqual({ width: 256, height: 40 });
    expect(() => fittedSize({ width: 300, height: 40 }, 8, window, max, 'pad')).toThrow(/over the canvas limit.*Try --fit crop/);
    expect(() => fittedSize({ width: 20, height: 40 }, 8, window, max, 'crop')).toThrow(TesseraError);
  });

  it('pads images by repeating edges and masks with unmasked pixels', () => {
    const image = { width: 2, height: 1, rgba: Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 255]) };
    expect(Array.from(fitImage(image, { width: 3, height: 2 }).rgba)).toEqual([1, 2, 3, 255, 4, 5, 6, 255, 4, 5, 6, 255, 1, 2, 3, 255, 4, 5, 6, 255, 4, 5, 6, 255]);
    expect(Array.from(fitMask({ width: 2, height: 1, data: Uint8Array.from([1, 1]) }, { width: 3, height: 2 }).data)).toEqual([1, 1, 0, 0, 0, 0]);
  });
});

describe('mask and image PNGs', () => {
  it('reads light opaque pixels as masked, from gray, 1-bit, RGB and painted-on-transparent masks', () => {
    const gray = encode({ width: 4, height: 1, data: Uint8Array.from([0, 127, 128, 255]), channels: 1, depth: 8 });
    expect(Array.from(decodeMaskPng(gray).data)).toEqual([0, 0, 1, 1]);
    const oneBit = encode({ width: 10, height: 1, data: Uint8Array.from([0b10100000, 0b01000000]), channels: 1, depth: 1 });
    expect(Array.from(decodeMaskPng(oneBit).data)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    const rgba = encode({ width: 3, height: 1, data: Uint8Array.from([255, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255]), channels: 4, depth: 8 });
    expect(Array.from(decodeMaskPng(rgba).data)).toEqual([1, 0, 0]);
    expect(() => decodeMaskPng(Uint8Array.from([1, 2, 3]))).toThrow(/The mask is not a readable PNG/);
  });

  it('reads any PNG as RGBA: gray+alpha and 16-bit too', () => {
    const ga = decodeImagePng(encode({ width: 1, height: 1, data: Uint8Array.from([9, 100]), channels: 2, depth: 8 }));
    expect(Array.from(ga.rgba)).toEqual([9, 9, 9, 100]);
    const deep = decodeImagePng(encode({ width: 1, height: 1, data: Uint16Array.from([65535, 256, 0]), channels: 3, depth: 16 }));
    expect(Array.from(deep.rgba)).toEqual([255, 1, 0, 255]);
  });
});

describe('image PNGs', () => {
  it('refuses palette pixels beyond the palette as bad input, not an internal error', () => {
    const png = encode({ width: 2, height: 1, data: new Uint8Array([0, 5]), depth: 8, channels: 1, palette: [[10, 20, 30]] });
    expect(() => decodeImagePng(png)).toThrow(TesseraError);
    expect(() => decodeImagePng(png)).toThrow(/beyond its 1-colour palette/);
    expect(() => decodeMaskPng(png)).toThrow(/beyond its 1-colour palette/);
  });
});
