/* global console */
// Generates every icon the packagers need from the one source, build/icon.svg:
//   build/icons/<n>x<n>.png   16…1024 (Linux: electron-builder reads the folder; the window icon)
//   build/icon.ico            Windows (PNG-compressed entries 16…256)
//   build/icon.icns           macOS (PNG entries icp4…ic10)
//   build/icon.png            1024 px (electron-builder's fallback)
// The SVG is rendered by Chromium at each size (crisper than downscaling one bitmap), with
// playwright-core driving the system Chromium; ICO and ICNS are plain containers of PNGs, written
// here byte by byte. Outputs are committed, so packaging needs no browser; rerun after editing the SVG.
// Usage: npm run icons   (CHROMIUM=/path/to/chrome to pick a browser)
import { Buffer } from 'node:buffer';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { chromium } from 'playwright-core';

const here = import.meta.dirname;
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
// ICNS PNG-capable types: https://en.wikipedia.org/wiki/Apple_Icon_Image_format
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
];

function findChromium() {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  return candidates.find((c) => existsSync(c));
}

export function buildIco(pngs) {
  // ICONDIR (6 bytes) + one ICONDIRENTRY (16 bytes) per image, then the PNG data.
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach(({ size, data }, i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e); // 0 means 256
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt8(0, e + 2); // no palette
    header.writeUInt8(0, e + 3);
    header.writeUInt16LE(1, e + 4); // colour planes
    header.writeUInt16LE(32, e + 6); // bits per pixel
    header.writeUInt32LE(data.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...pngs.map((p) => p.data)]);
}

export function buildIcns(entries) {
  const chunks = entries.map(({ type, data }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

async function main() {
  const executablePath = findChromium();
  if (!executablePath) {
    console.error('make-icons: no Chromium found (set CHROMIUM=...). The committed icons in build/ are still valid.');
    process.exit(1);
  }
  const svg = readFileSync(path.join(here, 'icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const rendered = new Map();
  try {
    const page = await browser.newPage();
    for (const size of SIZES) {
      await page.setViewportSize({ width: size, height: size });
      await page.setContent(`<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
      rendered.set(size, await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } }));
    }
  } finally {
    await browser.close();
  }
  mkdirSync(path.join(here, 'icons'), { recursive: true });
  for (const [size, data] of rendered) writeFileSync(path.join(here, 'icons', `${size}x${size}.png`), data);
  writeFileSync(path.join(here, 'icon.png'), rendered.get(1024));
  writeFileSync(path.join(here, 'icon.ico'), buildIco(ICO_SIZES.map((size) => ({ size, data: rendered.get(size) }))));
  writeFileSync(path.join(here, 'icon.icns'), buildIcns(ICNS_TYPES.map(([type, size]) => ({ type, data: rendered.get(size) }))));
  console.log(`make-icons: wrote build/icons/ (${SIZES.join(', ')} px), build/icon.png, build/icon.ico, build/icon.icns`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(here, 'make-icons.mjs')) await main();
