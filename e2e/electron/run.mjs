// `npm run test:electron` (and the Electron step of `npm test`): runs the Electron e2e with
// node's test runner (TAP output, which scripts/test-all.mjs counts). The spec detects the
// Electron binary itself, before launching anything, and skips with a one-line reason where there
// is none (as on machines that cannot download it). On Linux without a display it runs under
// xvfb-run when that is installed.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import process from 'node:process';

const root = path.resolve(import.meta.dirname, '..', '..');
const spec = path.join('e2e', 'electron', 'studio.e2e.ts');
const nodeArgs = ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', spec];

const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const hasXvfb = headless && spawnSync('sh', ['-c', 'command -v xvfb-run'], { stdio: 'ignore' }).status === 0;
const [command, args] = hasXvfb ? ['xvfb-run', ['-a', process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];

const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, TESSERA_E2E_HEADLESS_NO_X: headless && !hasXvfb ? '1' : '' } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
