/**
 * Shows that the layering is enforced by lint: fixture files that break it are linted as if they
 * lived in the layer they pretend to be in, and every forbidden import is reported. `npm test`
 * runs the same lint over the real tree, so such a file anywhere in it fails the suite.
 */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root, ignore: false });

async function layeringErrors(fixture: string, pretendPath: string): Promise<string[]> {
  const code = readFileSync(path.join(root, 'tests/layering-fixtures', fixture), 'utf8');
  const [result] = await eslint.lintText(code, { filePath: path.join(root, pretendPath) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'tessera/layering').map((m) => m.message);
}

describe('layering lint', () => {
  it('rejects Node, electron and engine imports in the renderer', async () => {
    const errors = await layeringErrors('renderer-imports-node.ts', 'renderer/bad.ts');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/renderer code may not import Node built-ins \("node:fs"\)/);
    expect(errors[1]).toMatch(/renderer code may not import "electron"/);
    expect(errors[2]).toMatch(/renderer code \(renderer\/bad\.ts\) may not import engine\/engine\.ts/);
  });

  it('rejects project and unlisted package imports in shared/', async () => {
    const errors = await layeringErrors('shared-imports-project.ts', 'shared/bad.ts');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/shared code \(shared\/bad\.ts\) may not import renderer\/app\.ts/);
    expect(errors[1]).toMatch(/shared code may not import "react"/);
  });

  it('rejects electron, Node and the Node adapters in the engine core, but allows shared/', async () => {
    const errors = await layeringErrors('engine-imports-electron.ts', 'engine/bad.ts');
    expect(errors).toHaveLength(3);
    expect(errors.join('\n')).toMatch(/engine-core code may not import "electron"/);
    expect(errors.join('\n')).toMatch(/engine-core code may not import Node built-ins/);
    expect(errors.join('\n')).toMatch(/may not import engine\/node\/ort\.ts/);
  });

  it('lets the Node adapters of the engine use Node but still not electron', async () => {
    const errors = await layeringErrors('engine-imports-electron.ts', 'engine/node/bad.ts');
    expect(errors.join('\n')).toMatch(/engine-node code may not import "electron"/);
    expect(errors.join('\n')).not.toMatch(/Node built-ins/);
  });

  it('keeps the page engine (web/) off Node and the Node adapters, with the core, onnxruntime-web and fflate allowed', async () => {
    const errors = await layeringErrors('web-imports-node.ts', 'web/bad.ts');
    expect(errors).toHaveLength(4);
    expect(errors[0]).toMatch(/web-page code may not import Node built-ins \("node:fs\/promises"\)/);
    expect(errors[1]).toMatch(/web-page code \(web\/bad\.ts\) may not import engine\/node\/create-node-engine\.ts/);
    expect(errors[2]).toMatch(/web-page code may not import "electron"/);
    expect(errors[3]).toMatch(/web-page code may not import "react"/);
  });

  it('still keeps the renderer from importing the engine, the page engine or onnxruntime (it starts the Worker by URL)', async () => {
    const errors = await layeringErrors('renderer-imports-web.ts', 'renderer/bad.ts');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/may not import web\/worker\/engine-worker\.ts/);
    expect(errors[1]).toMatch(/may not import engine\/host\/engine-host\.ts/);
    expect(errors[2]).toMatch(/renderer code may not import "onnxruntime-web"/);
  });

  it('keeps the engine core out of its web adapter, the page layer and onnxruntime-web', async () => {
    const errors = await layeringErrors('engine-imports-web.ts', 'engine/bad.ts');
    expect(errors).toHaveLength(3);
    expect(errors[0]).toMatch(/engine-core code \(engine\/bad\.ts\) may not import engine\/web\/ort-web\.ts/);
    expect(errors[1]).toMatch(/may not import web\/runtime\/choose-backend\.ts/);
    expect(errors[2]).toMatch(/engine-core code may not import "onnxruntime-web"/);
  });

  it('the engine core type-checks without the DOM or Node: using `document` or `process` fails (tsconfig.engine.json)', () => {
    const config = ts.readConfigFile(path.join(root, 'tsconfig.engine.json'), ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const fixture = path.join(root, 'tests/layering-fixtures/engine-uses-dom.ts');
    const program = ts.createProgram([fixture], parsed.options);
    const messages = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(messages.join('\n')).toMatch(/Cannot find name 'document'/);
    expect(messages.join('\n')).toMatch(/Cannot find name 'process'/);
  });
});
