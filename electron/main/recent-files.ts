/**
 * The File → Open Recent list: most recent first, no duplicates, at most MAX_RECENT, persisted
 * as JSON in userData. Only main sees these paths; the renderer and the menu get names and tokens.
 */
import { z } from 'zod';
import { readJsonOrUndefined, writeFileAtomic } from './atomic-file.ts';

export const MAX_RECENT = 10;

const RecentFileListSchema = z.object({ version: z.literal(1), paths: z.array(z.string().min(1).max(4096)).max(100) });

export function addRecent(paths: readonly string[], added: string, max = MAX_RECENT): string[] {
  return [added, ...paths.filter((p) => p !== added)].slice(0, max);
}

export function removeRecent(paths: readonly string[], removed: string): string[] {
  return paths.filter((p) => p !== removed);
}

export async function loadRecent(file: string): Promise<string[]> {
  const parsed = RecentFileListSchema.safeParse(await readJsonOrUndefined(file));
  return parsed.success ? parsed.data.paths.slice(0, MAX_RECENT) : [];
}

export async function saveRecent(file: string, paths: readonly string[]): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, paths }, null, 2)}\n`);
}
