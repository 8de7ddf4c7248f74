/**
 * Where serve mode keeps what must outlive one run: the record of the running studio (so a
 * second `npm start` can open it) and the self-signed TLS certificate (so its fingerprint stays the
 * same from run to run). The same folder as the desktop app's userData, so one "Tessera" folder
 * holds a user's settings whichever way they run the studio.
 */
import os from 'node:os';
import path from 'node:path';

export function serveStateDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TESSERA_STATE_DIR) return env.TESSERA_STATE_DIR;
  const home = env.HOME ?? os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Tessera', 'serve');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Tessera', 'serve');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Tessera', 'serve');
}
