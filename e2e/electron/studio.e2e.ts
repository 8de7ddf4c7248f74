/**
 * The desktop app end to end, with Playwright's `_electron`: launch, security of the page, paint,
 * generate and watch previews arrive, save a project and reopen it, kill the engine process and
 * see recovery (failed job, restarted engine, untouched document, generating works again).
 *
 * The binary is detected BEFORE anything is launched (electron/launcher/electron-binary.ts: a path
 * check, then `ELECTRON_RUN_AS_NODE=1 <binary> -p process.versions.electron`), because handing
 * `_electron.launch` something that is not Electron crashes the test process uncatchably. Where no
 * binary exists the suite prints one line and reports a skipped test.
 *
 * Run with `npm run test:electron` (e2e/electron/run.mjs). Uses the tiny fixture model
 * (assets/fixtures) and a throwaway user-data folder.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { detectElectron, systemDetectDeps } from '../../electron/launcher/electron-binary.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function skipReason(): string | null {
  const detection = detectElectron(systemDetectDeps(ROOT));
  if (!detection.ok) return detection.reason;
  if (process.env.TESSERA_E2E_HEADLESS_NO_X === '1') return 'no display and no xvfb-run (apt-get install xvfb)';
  return null;
}

interface Snapshot {
  width: number;
  height: number;
  labels: string;
  layoutRevision: number;
  classId: number;
  classes: { id: number; name: string }[];
  model: { id: string } | null;
  modelStatus: string;
  job: { id: string; state: string; previewCount: number } | null;
  gallery: { id: string }[];
  toasts: { tone: string; title: string; detail: string }[];
}

const reason = skipReason();
if (reason !== null) {
  console.log(`electron e2e skipped: ${reason}`);
  test('Electron studio e2e', { skip: reason }, () => {});
} else {
  describe('Electron studio', () => {
    let app: ElectronApplication;
    let page: Page;
    const userData = mkdtempSync(path.join(tmpdir(), 'tessera-e2e-user-'));
    const projectFile = path.join(userData, 'saved.tessera.json');

    const snapshot = (): Promise<Snapshot> => page.evaluate(() => (globalThis as unknown as { __tessera: { snapshot(): Snapshot } }).__tessera.snapshot());
    async function waitFor<T>(what: string, probe: () => Promise<T | null | false | undefined>, timeoutMs = 120_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const enginePid = (): Promise<number | undefined> =>
      app.evaluate(() => (globalThis as unknown as { __tesseraE2E: { enginePid(): number | undefined } }).__tesseraE2E.enginePid());

    before(async () => {
      const detection = detectElectron(systemDetectDeps(ROOT));
      if (!detection.ok) throw new Error(detection.reason);
      for (const [cmd, args] of [
        ['npm', ['run', 'build']],
        [process.execPath, ['build/bundle.mjs', '--check']],
      ] as const) {
        const built = spawnSync(cmd, [...args], { cwd: ROOT, stdio: 'inherit' });
        assert.equal(built.status, 0, `${cmd} ${args.join(' ')} failed`);
      }
      app = await _electron.launch({
        executablePath: detection.binary,
        args: [ROOT],
        cwd: ROOT,
        env: { ...process.env, TESSERA_E2E: '1', TESSERA_USER_DATA_DIR: userData, TESSERA_MODELS_DIR: path.join(ROOT, 'assets', 'fixtures'), TESSERA_BACKEND: 'cpu' },
        timeout: 60_000,
      });
      page = await app.firstWindow();
      await page.waitForSelector('[data-testid=layout-canvas]');
      await waitFor('a loaded model', async () => (await snapshot()).model !== null, 180_000);
      // Native dialogs answer with the temp project file (downloads, the browser fallback, too).
      await app.evaluate(({ session, dialog }, file) => {
        session.defaultSession.on('will-download', (_event, item) => item.setSavePath(file));
        dialog.showSaveDialog = (async () => ({ canceled: false, filePath: file })) as typeof dialog.showSaveDialog;
        dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [file] })) as typeof dialog.showOpenDialog;
      }, projectFile);
    });

    after(async () => {
      await app?.close().catch(() => {});
      rmSync(userData, { recursive: true, force: true });
    });

    test('the page is locked down: app:// origin, no Node, one small bridge', async () => {
      assert.match(page.url(), /^app:\/\/tessera\/index\.html/);
      const probe = await page.evaluate(() => ({
        require: typeof (globalThis as unknown as { require?: unknown }).require,
        process: typeof (globalThis as unknown as { process?: unknown }).process,
        bridge: Object.keys((globalThis as unknown as { tessera: object }).tessera).sort(),
        desktop: Object.keys((globalThis as unknown as { tessera: { desktop: object } }).tessera.desktop).sort(),
      }));
      assert.equal(probe.require, 'undefined');
      assert.equal(probe.process, 'undefined');
      assert.deepEqual(probe.bridge, ['apiVersion', 'desktop', 'onMessage', 'postMessage', 'recovery']);
      assert.ok(probe.desktop.includes('saveProject') && !probe.desktop.some((k) => /path|ipc|invoke|send/i.test(k)));
      // window.open and navigation are refused: the studio stays where it is, no new window appears.
      await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.org'));
      assert.equal(app.windows().length, 1);
      const csp = await app.evaluate(async ({ net }) => (await net.fetch('app://tessera/index.html')).headers.get('content-security-policy'));
      assert.match(csp ?? '', /default-src 'none'/);
    });

    test('paint, generate and watch previews arrive', async () => {
      const before = await snapshot();
      const other = before.classes.find((c) => c.id !== before.classId);
      assert.ok(other, 'the fixture model has at least two classes');
      await page.keyboard.press(String(before.classes.indexOf(other) + 1));
      const from = await page.evaluate(() => (globalThis as unknown as { __tessera: { mapToClient(x: number, y: number): { x: number; y: number } } }).__tessera.mapToClient(4, 4));
      const to = await page.evaluate(({ w, h }) => (globalThis as unknown as { __tessera: { mapToClient(x: number, y: number): { x: number; y: number } } }).__tessera.mapToClient(w - 4, h - 4), { w: before.width, h: before.height });
      await page.mouse.move(from.x, from.y);
      await page.mouse.down();
      await page.mouse.move(to.x, to.y, { steps: 12 });
      await page.mouse.up();
      const painted = await snapshot();
      assert.notEqual(painted.labels, before.labels, 'the stroke changed the label map');

      await page.click('[data-testid=generate]');
      await waitFor('a preview', async () => ((await snapshot()).job?.previewCount ?? 0) > 0);
      await waitFor('the result in the gallery', async () => (await snapshot()).gallery.length === before.gallery.length + 1, 300_000);
    });

    test('save the project and reopen it (native dialogs, stubbed to a temp file)', async () => {
      const saved = await snapshot();
      // Ctrl+S is the renderer's own shortcut; it saves through window.tessera.desktop → main.
      await page.keyboard.press('Control+S');
      await waitFor('the project file', async () => existsSync(projectFile) && readFileSync(projectFile).length > 0);

      // Change the document, then File → Open (menu → renderer → main's dialog → bytes back).
      await page.keyboard.press('Control+Z');
      await waitFor('the undo', async () => (await snapshot()).labels !== saved.labels);
      await app.evaluate(({ Menu }) => {
        const item = Menu.getApplicationMenu()?.getMenuItemById('file.open');
        if (!item) throw new Error('no File → Open menu item');
        item.click();
      });
      await waitFor('the reopened layout', async () => (await snapshot()).labels === saved.labels);
      const recent = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.getMenuItemById('file.openRecent.0')?.label ?? null);
      assert.equal(recent, path.basename(projectFile));
    });

    test('kill the engine: the job fails, the engine restarts, the document is untouched', async () => {
      const beforeKill = await snapshot();
      const pid = await enginePid();
      assert.ok(pid, 'the engine runs in its own process');

      await page.click('[data-testid=generate]');
      await waitFor('a running job', async () => (await snapshot()).job?.state === 'running');
      process.kill(pid, 'SIGKILL');

      const failed = await waitFor('the job marked failed', async () => {
        const s = await snapshot();
        return s.job && s.job.state !== 'running' ? s : null;
      });
      assert.notEqual(failed.job?.state, 'done');
      const restartedPid = await waitFor('a new engine process', async () => {
        const next = await enginePid();
        return next !== undefined && next !== pid ? next : null;
      });
      assert.notEqual(restartedPid, pid);
      await waitFor('the restart notice', async () => (await snapshot()).toasts.some((t) => /engine/i.test(`${t.title} ${t.detail}`)));
      assert.equal((await snapshot()).labels, beforeKill.labels, 'the document survived the crash');

      const galleryBefore = (await snapshot()).gallery.length;
      await page.click('[data-testid=generate]');
      await waitFor('a result from the restarted engine', async () => (await snapshot()).gallery.length === galleryBefore + 1, 300_000);
    });
  });
}
