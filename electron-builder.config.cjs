// electron-builder configuration for Tessera (`npm run dist`; `npm run dist -- --dir` for an
// unpacked app). Build resources (icons) live in build/; the app itself is out/ (see build/bundle.mjs).
//
// Offline machines: electron-builder downloads the Electron distribution unless it is given one.
// Set ELECTRON_DIST to an unpacked Electron folder (the one containing the `electron` executable)
// and it is used as `electronDist`; `--dir` then needs no network at all. AppImage, deb, NSIS and
// DMG also download their packaging tools on first use.
// (A relative ELECTRON_DIST is resolved against the project folder by electron-builder.)
const electronDist = process.env.ELECTRON_DIST || undefined;

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'org.tessera.studio',
  productName: 'Tessera',
  copyright: 'Copyright © Tessera contributors',
  directories: { buildResources: 'build', output: 'release' },
  ...(electronDist ? { electronDist } : {}),
  electronVersion: '45.5.0',
  // onnxruntime-node ships N-API prebuilt binaries for Node and Electron alike: nothing to rebuild
  // (and @electron/rebuild would need network and a newer Node).
  npmRebuild: false,
  nodeGypRebuild: false,
  files: [
    'out/**/*',
    'package.json',
    '!**/*.map',
    // Runtime dependencies are bundled into out/ except onnxruntime-*; drop what the app never loads.
    '!node_modules/commander/**',
    '!node_modules/cli-progress/**',
    '!node_modules/ws/**',
    // onnxruntime-node carries every platform's addon (~290 MB): keep only the target's.
    '!node_modules/onnxruntime-node/bin/napi-v*/**',
    'node_modules/onnxruntime-node/bin/napi-v*/${platform}/${arch}/**',
  ],
  // The native addon and its shared libraries must be real files on disk to be dlopen()ed.
  asarUnpack: ['node_modules/onnxruntime-node/**'],
  // The default model, outside the asar so onnxruntime can read the .onnx files directly.
  // torch-weights.pt is the toolkit's (training.evaluate, the reference sampler); the app runs the ONNX files only.
  extraResources: [{ from: 'assets/models', to: 'models', filter: ['**/*', '!**/torch-weights.pt'] }],
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Graphics',
    icon: 'build/icons',
    executableName: 'tessera',
    // deb needs a maintainer; package.json has no author yet.
    maintainer: 'Tessera contributors',
    synopsis: 'Paint a semantic layout, get a photo-like image',
  },
  deb: { depends: ['libnss3', 'libgtk-3-0', 'libxss1', 'libasound2'] },
  win: { target: ['nsis'], icon: 'build/icon.ico' },
  nsis: { oneClick: false, perMachine: false, allowToChangeInstallationDirectory: true },
  mac: { target: ['dmg'], icon: 'build/icon.icns', category: 'public.app-category.graphics-design' },
  dmg: { title: 'Tessera' },
};
