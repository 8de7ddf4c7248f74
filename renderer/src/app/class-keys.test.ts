import { describe, expect, it } from 'vitest';
import { classIdForKey, keyForClassId } from './class-keys.ts';

const press = (code: string, shiftKey = false, key = code.replace(/^Digit|^Numpad/, '')) => classIdForKey({ code, key, shiftKey });

describe('class number keys', () => {
  it('pick the id the palette shows: 0–9, then Shift+0–9 for 10–19', () => {
    expect(press('Digit0')).toBe(0);
    expect(press('Digit1')).toBe(1);
    expect(press('Digit9')).toBe(9);
    expect(press('Numpad7')).toBe(7);
    expect(press('Digit0', true, ')')).toBe(10);
    expect(press('Digit9', true, '(')).toBe(19);
    expect(press('KeyB', false, 'b')).toBeNull();
  });

  it('every class of an 11-class model has a key, and the key names its id', () => {
    for (let id = 0; id <= 10; id++) {
      const key = keyForClassId(id) as string;
      const [shift, digit] = key.startsWith('Shift+') ? [true, key.slice(6)] : [false, key];
      expect(press(`Digit${digit}`, shift)).toBe(id);
    }
    expect(keyForClassId(20)).toBeNull();
  });
});
