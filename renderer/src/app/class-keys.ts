/**
 * Number keys pick classes by the id the palette shows: `0`–`9` are ids 0–9 and Shift with a
 * digit is 10–19 (Shift+0 = 10), so every class of an 11-class model has a key. Read from the
 * physical key (`code`), so Shift+1 is 11 whatever character the keyboard layout makes of it.
 */
export interface KeyLike {
  key: string;
  code: string;
  shiftKey: boolean;
}

export function classIdForKey(e: KeyLike): number | null {
  const digit = /^Digit([0-9])$/.exec(e.code)?.[1] ?? /^Numpad([0-9])$/.exec(e.code)?.[1] ?? (/^[0-9]$/.test(e.key) ? e.key : null);
  if (digit === null) return null;
  return (e.shiftKey ? 10 : 0) + Number(digit);
}

/** The key that picks class `id`, as the palette and the README write it (null above 19). */
export function keyForClassId(id: number): string | null {
  if (!Number.isInteger(id) || id < 0 || id > 19) return null;
  return id < 10 ? String(id) : `Shift+${id - 10}`;
}
