// Lint rules: strict type-aware TypeScript, and a hard boundary that keeps the
// statecharts in machines/ pure configuration (xstate + type-only imports).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** machines/** may import only xstate, sibling *.machine files, their shared helpers (./shared), and types. Exported for its test. */
export const machinesBoundary = {
    // machines/** may import only xstate, other machines, and types.
    files: ['machines/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!xstate$)(?!\\./[a-z-]+\\.machine(\\.js)?$)(?!\\./index(\\.js)?$)(?!\\./shared(\\.js)?$)',
              message: 'machines/** may import only "xstate", sibling *.machine files, their shared helpers (./shared), and types (import type).',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  };

export default tseslint.config(
  // examples/greeting is a sample JavaScript project the demo copies, not part of this codebase.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'docs/schemas/**', 'bin/**', 'examples/greeting/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Fixture workers: plain Node ESM executables outside the TypeScript project, linted without type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(['process', 'console', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'Buffer', 'URL'].map((name) => [name, 'readonly'])),
      parserOptions: { projectService: false, program: null },
    },
  },
  machinesBoundary,
);
