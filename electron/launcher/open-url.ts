/** Opens a URL in the user's browser if the platform has an opener; returns false when it cannot. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export function openerCommand(platform: NodeJS.Platform, url: string, pathEnv: string | undefined, exists: (file: string) => boolean = existsSync): [string, string[]] | null {
  if (platform === 'darwin') return ['open', [url]];
  // `start` is a cmd built-in; the empty string is the window title it would otherwise take from the URL.
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]];
  const onPath = (pathEnv ?? '').split(path.delimiter).some((dir) => dir !== '' && exists(path.join(dir, 'xdg-open')));
  return onPath ? ['xdg-open', [url]] : null;
}

export function openInBrowser(url: string): boolean {
  const command = openerCommand(process.platform, url, process.env.PATH);
  if (command === null) return false;
  try {
    const child = spawn(command[0], command[1], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
    return true;
  } catch {
    return false;
  }
}
