/** The README's hotkey list is the studio's: every tool key, the class keys, and nothing the studio lacks. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classIdForKey, keyForClassId } from '../renderer/src/app/class-keys.ts';
import { TOOL_KEYS } from '../renderer/src/app/keymap.ts';

const readme = readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
const line = /In the studio: ([\s\S]*?)\n\n|In the studio: ([\s\S]*?)Canvas presets/.exec(readme)?.[0] ?? '';

const TOOL_NAMES: Record<string, string> = { brush: 'brush', eraser: 'eraser', line: 'line', rectangle: 'rectangle', fill: 'fill', replace: 'replace-class', eyedropper: 'eyedropper', pan: 'pan' };

describe('README hotkeys', () => {
  it('names every tool with its key', () => {
    for (const [key, tool] of Object.entries(TOOL_KEYS)) expect(line).toContain(`${TOOL_NAMES[tool]} \`${key.toUpperCase()}\``);
  });

  it('describes the class keys as the studio reads them', () => {
    expect(line).toContain('classes `0`–`9` by the id the palette');
    expect(line).toContain('`Shift+0`–`Shift+9` for ids 10–19');
    expect(keyForClassId(0)).toBe('0');
    expect(keyForClassId(10)).toBe('Shift+0');
    expect(classIdForKey({ key: '0', code: 'Digit0', shiftKey: false })).toBe(0);
    expect(line).not.toContain('`1`–`9`');
  });
});
