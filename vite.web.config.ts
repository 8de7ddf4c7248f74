// The static build of the studio (`npm run build:web` → dist-web/): the renderer, with
// VITE_TESSERA_ENGINE=page, the build-time flag that makes connect.ts start the engine in a Worker
// of the page (renderer/src/bridge/in-page-engine.ts). scripts/build-web.mjs runs this, then bundles
// the Worker (web/) into engine/, copies onnxruntime-web's .wasm files into ort/ and the default
// model into models/, all beside index.html.
import { defineConfig, mergeConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import base from './vite.renderer.config.ts';

export default mergeConfig(
  base,
  defineConfig({
    define: { 'import.meta.env.VITE_TESSERA_ENGINE': JSON.stringify('page') },
    build: {
      outDir: fileURLToPath(new URL('./dist-web/', import.meta.url)),
      emptyOutDir: true,
      // onnxruntime-web's WASM builds are large single modules.
      chunkSizeWarningLimit: 2000,
    },
  }),
);
