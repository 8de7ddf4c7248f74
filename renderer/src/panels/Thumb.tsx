/** A thumbnail drawn from a canvas source once (no image decoding, no object URLs). */
import type { JSX } from 'react';
import { useEffect, useRef } from 'react';

export function Thumb({ source, size = 72 }: { source: HTMLCanvasElement; size?: number }): JSX.Element {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const scale = Math.min(size / source.width, size / source.height);
    c.width = Math.max(1, Math.round(source.width * scale));
    c.height = Math.max(1, Math.round(source.height * scale));
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(source, 0, 0, c.width, c.height);
  }, [source, size]);
  return <canvas ref={ref} className="thumb" />;
}
