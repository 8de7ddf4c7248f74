import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'engine/**/*.test.ts', 'renderer/**/*.test.{ts,tsx}', 'web/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['node_modules/**', 'e2e/**'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // onnxruntime sessions use both cores; parallel test files would only fight over them.
    fileParallelism: false,
    pool: 'forks',
  },
});
