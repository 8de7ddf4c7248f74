/**
 * The layering rule: which project folders and which packages each environment may import.
 * A file's environment is read from its path (the first matching row of LAYERS); every import
 * specifier is resolved and checked against that row. Deny by default: an unlisted package is an
 * error, so adding a dependency to a layer is a deliberate edit of this table.
 */
import path from 'node:path';

const NODE_BUILTIN = /^node:/;
const TEST_FILE = /\.test\.tsx?$/;
const TEST_PACKAGES = ['vitest', 'fast-check', 'eslint', 'onnxruntime-node'];
const ROOT = path.resolve(import.meta.dirname, '..');

/** Project folders (relative to the repo root) and package names per environment. */
export const LAYERS = [
  { name: 'shared', files: 'shared/', folders: ['shared/'], packages: ['zod', 'fast-png', 'fflate', '@noble/hashes'], node: false },
  {
    name: 'engine-node',
    files: 'engine/node/',
    folders: ['shared/', 'engine/'],
    packages: ['zod', 'fast-png', 'onnxruntime-common', 'onnxruntime-node', 'onnxruntime-web', 'onnxruntime-web/webgpu', 'cli-progress'],
    node: true,
  },
  {
    name: 'engine-web',
    files: 'engine/web/',
    folders: ['shared/', 'engine/'],
    packages: ['zod', 'fast-png', 'onnxruntime-common', 'onnxruntime-web', 'onnxruntime-web/webgpu'],
    node: false,
    deny: ['engine/node/'],
  },
  {
    name: 'engine-core',
    files: 'engine/',
    folders: ['shared/', 'engine/'],
    packages: ['zod', 'fast-png', 'fflate', 'onnxruntime-common', '@noble/hashes'],
    node: false,
    deny: ['engine/node/', 'engine/web/'],
  },
  {
    // The static build's in-page engine (a Worker): the engine core on onnxruntime-web, models over
    // fetch + Cache Storage, batch output in IndexedDB (memory as the fallback). The browser's globals only: never Node, never
    // engine/node/. The renderer starts it by URL and never imports it.
    name: 'web-page',
    files: 'web/',
    folders: ['shared/', 'engine/', 'web/'],
    packages: ['zod', 'fast-png', 'fflate', 'onnxruntime-common', 'onnxruntime-web', 'onnxruntime-web/wasm', 'onnxruntime-web/webgpu', '@noble/hashes'],
    node: false,
    deny: ['engine/node/'],
  },
  { name: 'preload', files: 'electron/preload/', folders: ['shared/', 'electron/preload/'], packages: ['electron', 'zod'], node: false },
  {
    name: 'main',
    files: 'electron/main/',
    folders: ['shared/', 'electron/main/'],
    packages: ['electron', 'zod', 'fast-png'],
    node: true,
  },
  {
    name: 'node-hosts',
    files: 'electron/',
    folders: ['shared/', 'engine/', 'electron/cli/', 'electron/serve/', 'electron/host/', 'electron/launcher/', 'electron/queue/'],
    // bullmq and ioredis: the distributed batch (electron/queue/, docs/DISTRIBUTED.md).
    packages: ['zod', 'fast-png', 'commander', 'cli-progress', 'ws', 'onnxruntime-common', 'onnxruntime-node', 'onnxruntime-web', 'playwright-core', 'selfsigned', 'bullmq', 'ioredis'],
    node: true,
  },
  {
    name: 'renderer',
    files: 'renderer/',
    folders: ['shared/', 'renderer/'],
    packages: ['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'zustand', 'zustand/shallow', 'zustand/react/shallow', 'zod', 'fast-png'],
    node: false,
  },
];

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function layerFor(relativeFile) {
  return LAYERS.find((layer) => relativeFile.startsWith(layer.files));
}

/** @type {import('eslint').Rule.RuleModule} */
export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Enforce Tessera layering: which folders and packages each environment may import' },
    schema: [],
  },
  create(context) {
    const file = path.resolve(context.filename);
    const relativeFile = path.relative(ROOT, file).split(path.sep).join('/');
    const baseLayer = layerFor(relativeFile);
    if (!baseLayer) return {};
    // Tests run in Node under vitest: they may use Node, the test tooling and their layer's Node
    // adapters, but still no other layer's code.
    const layer = TEST_FILE.test(relativeFile)
      ? { ...baseLayer, name: `${baseLayer.name} test`, node: true, deny: [], packages: [...baseLayer.packages, ...TEST_PACKAGES] }
      : baseLayer;

    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (specifier.startsWith('.')) {
        const target = path.relative(ROOT, path.resolve(path.dirname(file), specifier)).split(path.sep).join('/');
        const denied = (layer.deny ?? []).find((d) => target.startsWith(d));
        const allowed = !denied && layer.folders.some((folder) => target.startsWith(folder));
        if (!allowed) {
          context.report({ node, message: `Layering: ${layer.name} code (${relativeFile}) may not import ${target}. Allowed: ${layer.folders.join(', ')}${layer.deny ? ` except ${layer.deny.join(', ')}` : ''}.` });
        }
        return;
      }
      if (NODE_BUILTIN.test(specifier)) {
        if (!layer.node) context.report({ node, message: `Layering: ${layer.name} code may not import Node built-ins ("${specifier}"); it must run without Node.` });
        return;
      }
      const allowedPackage = layer.packages.includes(specifier) || layer.packages.includes(packageName(specifier));
      if (!allowedPackage) {
        context.report({ node, message: `Layering: ${layer.name} code may not import "${specifier}". Allowed packages: ${layer.packages.join(', ')} (edit eslint-rules/layering.js deliberately to add one).` });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') check(node, node.arguments[0].value);
      },
    };
  },
};

export default { rules: { layering: layeringRule } };
