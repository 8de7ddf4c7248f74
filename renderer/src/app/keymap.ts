/** The tool keys (no DOM here: the README check reads this table). */
import type { ToolId } from '../state/types.ts';

export const TOOL_KEYS: Readonly<Record<string, ToolId>> = { b: 'brush', e: 'eraser', l: 'line', r: 'rectangle', g: 'fill', x: 'replace', i: 'eyedropper', h: 'pan' };
