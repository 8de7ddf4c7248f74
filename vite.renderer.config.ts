// Builds the studio renderer (renderer/) into renderer/dist: relative asset paths so the same build
// loads from serve mode (http) and from Electron (a custom protocol or file URL). It lives outside
// renderer/ because it is Node tooling, and renderer/ holds only code that runs in the page.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./renderer/', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: { port: 5173, strictPort: false },
});
