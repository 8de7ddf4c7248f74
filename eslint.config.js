import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tessera from './eslint-rules/layering.js';

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'renderer/dist/**', 'dist-web/**', 'e2e/artifacts/**', 'bench/results/**', 'training/**', 'assets/**', 'coverage/**', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { tessera },
    rules: {
      'tessera/layering': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-lines': ['warn', { max: 800, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    files: ['web/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  {
    files: ['scripts/**', 'eslint-rules/**', 'e2e/**', 'bench/**', 'electron/**', 'tests/**', '*.config.*'],
    languageOptions: { globals: globals.node },
  },
  // The fixtures exist to break the rules: they are linted only by tests/layering.test.ts.
  { ignores: ['tests/layering-fixtures/**'] },
);
