/**
 * Projects saved in this browser (the static build, which has no file system to save to): one
 * IndexedDB object store, a record per project name holding the same JSON a project file holds
 * (project-format.ts), so opening one runs the same parser and checks as opening a file. Each save
 * is one IndexedDB transaction: it lands whole or not at all. Its own database ('tessera-projects'),
 * so the recovery slot's database (recovery-slot.ts) never needs a schema upgrade.
 */
import { z } from 'zod';
import { idbStore } from './idb-store.ts';

const DB = 'tessera-projects';
const STORE = 'projects';

const StoredProjectSchema = z.strictObject({
  name: z.string().min(1).max(200),
  savedAt: z.number().nonnegative(),
  /** The project file's JSON text (project-format.ts serialiseProject). */
  text: z.string(),
});
export type StoredProject = z.infer<typeof StoredProjectSchema>;

const run = idbStore({
  database: DB,
  store: STORE,
  keyPath: 'name',
  openError: 'This browser refused to open its project storage (IndexedDB); save the project as a file instead.',
  writeError: 'The browser could not store the project (is its storage full?); save it as a file instead.',
});

export function browserProjectsAvailable(): boolean {
  return typeof indexedDB !== 'undefined';
}

export async function saveBrowserProject(name: string, text: string): Promise<void> {
  const record: StoredProject = { name, savedAt: Date.now(), text };
  await run('readwrite', (s) => s.put(record));
}

/** Saved projects, newest first; records that do not parse (another app's, a damaged one) are left out. */
export async function listBrowserProjects(): Promise<Array<Omit<StoredProject, 'text'>>> {
  const all = await run('readonly', (s) => s.getAll() as IDBRequest<unknown[]>);
  return all
    .map((v) => StoredProjectSchema.safeParse(v))
    .filter((r) => r.success)
    .map((r) => ({ name: r.data.name, savedAt: r.data.savedAt }))
    .sort((a, b) => b.savedAt - a.savedAt);
}

export async function readBrowserProject(name: string): Promise<StoredProject | null> {
  const value = await run('readonly', (s) => s.get(name) as IDBRequest<unknown>);
  const parsed = StoredProjectSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export async function deleteBrowserProject(name: string): Promise<void> {
  await run('readwrite', (s) => s.delete(name));
}
