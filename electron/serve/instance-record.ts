/**
 * The record of a running serve-mode studio: its URL (with the token) and pid, written 0600 when
 * it starts listening and removed when it closes. A second `npm start` reads it to open the studio
 * that is already running instead of failing on the busy port. The record is only trusted after the
 * server at its address answers with that token: a stale file (crash, kill -9) or a port taken over
 * by another program is ignored. Only loopback plain-HTTP studios (what `npm start` runs) write one.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../cli/support/files.ts';

const RecordSchema = z.strictObject({
  format: z.literal('tessera-serve-instance'),
  version: z.literal(1),
  pid: z.number().int().positive(),
  url: z.string().url(),
  startedAt: z.string(),
});
export type InstanceRecord = z.infer<typeof RecordSchema>;

export function instanceRecordPath(stateDir: string): string {
  return path.join(stateDir, 'running-studio.json');
}

export async function writeInstanceRecord(file: string, url: string): Promise<void> {
  const record: InstanceRecord = { format: 'tessera-serve-instance', version: 1, pid: process.pid, url, startedAt: new Date().toISOString() };
  await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`, 0o600);
}

/** Removes the record if it is still this process's (another studio may have replaced it). */
export async function removeInstanceRecord(file: string): Promise<void> {
  const record = await readInstanceRecord(file);
  if (record?.pid === process.pid) await rm(file, { force: true });
}

export async function readInstanceRecord(file: string): Promise<InstanceRecord | null> {
  try {
    const parsed = RecordSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: alive but another user's, so not a studio this user may open.
    return false;
  }
}

/** The URL of a studio that is running and answers with its recorded token, or null. */
export async function findRunningStudio(file: string, timeoutMs = 1500): Promise<string | null> {
  const record = await readInstanceRecord(file);
  if (!record || !processAlive(record.pid)) return null;
  try {
    const response = await fetch(record.url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    return response.status === 200 ? record.url : null;
  } catch {
    return null;
  }
}
