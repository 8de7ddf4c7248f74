import { describe, expect, it } from 'vitest';
import { canvasForPicture } from './picture-canvas.ts';

const square = { width: 256, height: 256 };
const win = { rows: 16, cols: 16 };

describe('the canvas a picture is imported into', () => {
  it('follows the picture’s aspect ratio instead of squeezing it into the current canvas', () => {
    const c = canvasForPicture({ width: 1200, height: 600 }, square, 8, win);
    expect(c.width / c.height).toBe(2);
    expect(c).toEqual({ width: 368, height: 184 });
    expect(canvasForPicture({ width: 600, height: 1200 }, { width: 512, height: 512 }, 8, win)).toEqual({ width: 360, height: 720 });
  });

  it('keeps a square canvas for a square picture, and stays usable for extreme ones', () => {
    expect(canvasForPicture({ width: 4000, height: 4000 }, square, 8, win)).toEqual(square);
    const wide = canvasForPicture({ width: 5000, height: 100 }, square, 8, win);
    expect(wide.height).toBe(128); // one window high at least
    expect(wide.width % 8).toBe(0);
  });
});
