/**
 * The token uncertainty heat-map: each token's sampling entropy (nats) as a colour, normalised
 * to the largest entropy in the result so the map shows where the model hesitated most.
 */
export function heatColour(t: number): [number, number, number] {
  // A perceptual-ish ramp: deep blue → magenta → orange → pale yellow.
  const stops: Array<[number, number, number]> = [
    [13, 8, 135],
    [156, 23, 158],
    [237, 121, 83],
    [240, 249, 33],
  ];
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i] as [number, number, number];
  const b = stops[i + 1] as [number, number, number];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** One RGBA pixel per token (rows×cols), alpha `alpha`. */
export function heatmapPixels(entropy: Float32Array, rows: number, cols: number, alpha = 170): Uint8ClampedArray<ArrayBuffer> {
  let max = 1e-6;
  for (let i = 0; i < entropy.length; i++) max = Math.max(max, entropy[i] as number);
  const out = new Uint8ClampedArray(rows * cols * 4);
  for (let i = 0; i < rows * cols; i++) {
    const [r, g, b] = heatColour((entropy[i] ?? 0) / max);
    out.set([r, g, b, alpha], i * 4);
  }
  return out;
}
