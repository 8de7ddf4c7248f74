/* global window, document, DataTransfer, DragEvent */
// Helpers for driving the studio page: the browser, the read-only test hook, real mouse strokes
// in label-map coordinates, and PNG fixtures.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { encode } from 'fast-png';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts');

/** `args` replaces `--disable-gpu` (e.g. the static build's WebGPU run on SwiftShader). */
export async function launchStudio(url, { args = ['--disable-gpu'] } = {}) {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', ...args, '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1440, height: 900 },
  });
  // Long tasks are recorded from the first script on, so a generation's can be measured.
  await context.addInitScript(() => {
    window.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      /* not supported */
    }
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(withE2e(url));
  return { context, page, errors, userDataDir };
}

export function withE2e(url) {
  const u = new URL(url);
  u.searchParams.set('e2e', '1');
  return u.toString();
}

export const snapshot = (page) => page.evaluate(() => window.__tessera.snapshot());

export function labelsOf(snap) {
  return Buffer.from(snap.labels, 'base64');
}

export function labelAt(snap, x, y) {
  return labelsOf(snap)[y * snap.width + x];
}

export async function waitFor(page, predicate, arg, timeout = 60_000) {
  await page.waitForFunction(predicate, arg, { timeout, polling: 50 });
}

/** A real mouse stroke through label-map points (pixel centres). */
export async function stroke(page, points, steps = 12) {
  const client = async (p) => page.evaluate(([x, y]) => window.__tessera.mapToClient(x + 0.5, y + 0.5), [p[0], p[1]]);
  const first = await client(points[0]);
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  for (const p of points.slice(1)) {
    const c = await client(p);
    await page.mouse.move(c.x, c.y, { steps });
  }
  await page.mouse.up();
}

export async function clickMap(page, x, y) {
  const c = await page.evaluate(([px, py]) => window.__tessera.mapToClient(px + 0.5, py + 0.5), [x, y]);
  await page.mouse.click(c.x, c.y);
}

/**
 * Pixels that differ between two RGBA images of `width`×`height`, split by whether they lie inside
 * the box [x0, x1]×[y0, y1] grown by `margin` (an edited region and its seam blend) or outside it.
 */
export function changedPixels(before, after, width, height, { x0, x1, y0, y1 }, margin) {
  let outside = 0;
  let inside = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const differs = before[i] !== after[i] || before[i + 1] !== after[i + 1] || before[i + 2] !== after[i + 2];
      if (!differs) continue;
      if (x >= x0 - margin && x <= x1 + margin && y >= y0 - margin && y <= y1 + margin) inside++;
      else outside++;
    }
  }
  return { outside, inside };
}

/**
 * An outpainted image against its source placed at its top left: how many of the source's pixels
 * changed, and how many distinct colours the new area (everything outside the source) holds.
 */
function outpaintChanges(before, oldWidth, oldHeight, after, width, height) {
  let changedOld = 0;
  const fresh = new Set();
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (x < oldWidth && y < oldHeight) {
        const j = (y * oldWidth + x) * 4;
        if (after[i] !== before[j] || after[i + 1] !== before[j + 1] || after[i + 2] !== before[j + 2]) changedOld++;
      } else fresh.add((after[i] << 16) | (after[i + 1] << 8) | after[i + 2]);
    }
  }
  return { changedOld, freshColours: fresh.size };
}

/**
 * Checks a finished outpainting as both suites see it: the result joined the history at the
 * canvas's size, and against `source` (its old image, `width`×`height`) no old pixel changed
 * while the new area holds the model's colours. `s` is the snapshot after the job.
 */
export async function assertOutpaintResult(page, s, source, width, height, shot) {
  assert.equal(s.gallery[0].kind, 'outpaint', 'the result joined the history');
  assert.deepEqual([s.selected.width, s.selected.height], [s.width, s.height]);
  await screenshot(page, shot);
  const pixels = async (id) => Buffer.from(await page.evaluate((x) => window.__tessera.resultPixels(x), id), 'base64');
  const { changedOld, freshColours } = outpaintChanges(await pixels(source.id), width, height, await pixels(s.selected.id), s.width, s.height);
  assert.equal(changedOld, 0, 'every pixel of the old image is unchanged');
  assert.ok(freshColours > 200, `the new area was painted by the model (${freshColours} distinct colours)`);
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** A palette-coloured label PNG; `stray` paints an unknown colour patch. */
export function labelPng(classes, width, height, pick, stray) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = classes[pick(x, y)];
      const hex = stray && stray.test(x, y) ? stray.colour : c.color;
      const i = (y * width + x) * 3;
      rgb[i] = parseInt(hex.slice(1, 3), 16);
      rgb[i + 1] = parseInt(hex.slice(3, 5), 16);
      rgb[i + 2] = parseInt(hex.slice(5, 7), 16);
    }
  }
  return encode({ width, height, data: rgb, channels: 3, depth: 8 });
}

export function writeTemp(dir, name, bytes) {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Drops a file onto the studio window the way a person drags one from the desktop. */
export async function dropFile(page, name, bytes, type) {
  await page.evaluate(
    ([fileName, b64, mime]) => {
      const bin = atob(b64);
      const data = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([data], fileName, { type: mime }));
      const target = document.querySelector('.app');
      target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
      target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
    },
    [name, Buffer.from(bytes).toString('base64'), type],
  );
}

export async function longestLongTask(page, sinceMs) {
  return page.evaluate((since) => {
    const tasks = (window.__longTasks ?? []).filter((t) => t.start >= since);
    return { count: tasks.length, longest: tasks.reduce((m, t) => Math.max(m, t.duration), 0) };
  }, sinceMs);
}

/**
 * Runs `fn` under a Chrome trace and sums the page's main-thread tasks. On a shared machine wall
 * time includes waiting for a core, so CPU time per task (`tdur`) is reported beside wall time.
 */
export async function traceMainThread(context, page, fn) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline', transferMode: 'ReturnAsStream' });
  const value = await fn();
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  await cdp.detach();
  const parsed = JSON.parse(text);
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const tasks = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.name === 'RunTask');
  const wall = tasks.map((t) => (t.dur ?? 0) / 1000);
  const cpu = tasks.map((t) => (t.tdur ?? t.dur ?? 0) / 1000);
  const first = Math.min(...tasks.map((t) => t.ts));
  const last = Math.max(...tasks.map((t) => t.ts + (t.dur ?? 0)));
  return {
    value,
    tasks: tasks.length,
    longestWallMs: Math.max(0, ...wall),
    longestCpuMs: Math.max(0, ...cpu),
    overCpu50: cpu.filter((d) => d > 50).length,
    cpuMs: cpu.reduce((a, b) => a + b, 0),
    spanMs: tasks.length ? (last - first) / 1000 : 0,
  };
}
