import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureWindowState, clampToDisplays, DEFAULT_WINDOW_STATE, parseWindowState, type Rect } from './window-state.ts';
import { createWindowStateSaver, loadWindowState } from './window-state-store.ts';

const primary: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const right: Rect = { x: 1920, y: 0, width: 1280, height: 984 };

describe('parseWindowState', () => {
  it('keeps a valid state', () => {
    expect(parseWindowState({ x: 5, y: 6, width: 1000, height: 700, maximized: true })).toEqual({ x: 5, y: 6, width: 1000, height: 700, maximized: true });
  });
  it.each([undefined, null, 'x', { width: -1, height: 5 }, { width: 'big', height: 5 }, { width: Infinity, height: 600 }])('defaults on garbage %#', (raw) => {
    expect(parseWindowState(raw)).toEqual(DEFAULT_WINDOW_STATE);
  });
  it('drops a half position', () => {
    expect(parseWindowState({ x: 5, width: 1000, height: 700 })).toEqual({ width: 1000, height: 700, maximized: false });
  });
});

describe('clampToDisplays', () => {
  it('keeps a window that is fully visible', () => {
    const s = { x: 100, y: 100, width: 1200, height: 800, maximized: false };
    expect(clampToDisplays(s, [primary, right])).toEqual(s);
  });

  it('keeps a window on the second display', () => {
    const s = { x: 2000, y: 50, width: 1000, height: 700, maximized: false };
    expect(clampToDisplays(s, [primary, right])).toEqual(s);
  });

  it('re-centres a window left on an unplugged monitor', () => {
    const s = { x: 2000, y: 50, width: 1000, height: 700, maximized: true };
    expect(clampToDisplays(s, [primary])).toEqual({ x: 460, y: 170, width: 1000, height: 700, maximized: true });
  });

  it('pulls a partly off-screen window back inside its display', () => {
    const s = { x: 1700, y: -30, width: 800, height: 600, maximized: false };
    expect(clampToDisplays(s, [primary])).toEqual({ x: 1120, y: 0, width: 800, height: 600, maximized: false });
  });

  it('shrinks a window larger than any display, but not below the minimum', () => {
    const small: Rect = { x: 0, y: 0, width: 1024, height: 600 };
    expect(clampToDisplays({ width: 4000, height: 3000, maximized: false }, [small])).toEqual({ width: 1024, height: 600, maximized: false });
    expect(clampToDisplays({ width: 100, height: 100, maximized: false }, [primary])).toEqual({ width: 800, height: 560, maximized: false });
  });

  it('passes through when no display is known', () => {
    const s = { x: 9999, y: 9999, width: 100, height: 100, maximized: false };
    expect(clampToDisplays(s, [])).toEqual(s);
  });

  it('always returns a window whose title strip is on some display (fuzz)', () => {
    for (let i = 0; i < 2000; i++) {
      const s = { x: ((i * 7919) % 8000) - 4000, y: ((i * 104729) % 6000) - 3000, width: 200 + ((i * 31) % 4000), height: 200 + ((i * 17) % 3000), maximized: false };
      const c = clampToDisplays(s, [primary, right]);
      if (c.x === undefined || c.y === undefined) throw new Error('position lost');
      const cx = c.x;
      const cy = c.y;
      const onSome = [primary, right].some((a) => cx >= a.x && cx + Math.min(c.width, 120) <= a.x + a.width && cy >= a.y && cy < a.y + a.height);
      expect(onSome).toBe(true);
    }
  });
});

describe('captureWindowState', () => {
  it('rounds bounds', () => {
    expect(captureWindowState({ x: 1.4, y: 2.6, width: 1000.2, height: 700.7 }, true)).toEqual({ x: 1, y: 3, width: 1000, height: 701, maximized: true });
  });
});

describe('window state file', () => {
  it('round-trips through an atomic write and leaves no temp files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-ws-'));
    const file = path.join(dir, 'sub', 'window-state.json');
    const saver = createWindowStateSaver(file, 10_000);
    saver.schedule({ x: 1, y: 2, width: 900, height: 700, maximized: false });
    saver.schedule({ x: 3, y: 4, width: 901, height: 701, maximized: true });
    await saver.flush();
    expect(await loadWindowState(file)).toEqual({ x: 3, y: 4, width: 901, height: 701, maximized: true });
    expect(readdirSync(path.dirname(file))).toEqual(['window-state.json']);
  });

  it('saves synchronously on close, replacing a pending debounced save', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-ws-'));
    const file = path.join(dir, 'w.json');
    const saver = createWindowStateSaver(file, 10_000);
    saver.schedule({ width: 900, height: 700, maximized: false });
    saver.saveNowSync({ x: 0, y: 0, width: 1000, height: 800, maximized: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ x: 0, y: 0, width: 1000, height: 800, maximized: true });
    await saver.flush();
    expect(JSON.parse(readFileSync(file, 'utf8')).width).toBe(1000);
  });

  it('defaults when the file is missing or corrupt', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-ws-'));
    expect(await loadWindowState(path.join(dir, 'none.json'))).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(path.join(dir, 'bad.json'), '{"width": 10');
    expect(await loadWindowState(path.join(dir, 'bad.json'))).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('writes after the debounce delay', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tessera-ws-'));
    const file = path.join(dir, 'w.json');
    const saver = createWindowStateSaver(file, 5);
    saver.schedule({ width: 1000, height: 800, maximized: false });
    await new Promise((r) => setTimeout(r, 50));
    await saver.flush();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ width: 1000, height: 800, maximized: false });
  });
});
