// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The dashboard's modules run in a browser, served as they are (no build step).
    files: ['web/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Tests may assert presence with `!` after checking it; production code may not.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The compute core must run unchanged in a browser: no Node.js built-ins, no I/O.
    files: ['src/core/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'],
              message: 'core/ is pure: no Node.js imports.',
            },
          ],
        },
      ],
    },
  },
  {
    // The typed client runs in browsers as well as Node.js: no Node.js built-ins, and of the server only types.
    files: ['src/client/**/*.ts'],
    languageOptions: { globals: { ...globals['shared-node-browser'] } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'os', 'worker_threads', 'child_process'],
              message: 'client/ runs in browsers: no Node.js imports.',
            },
            {
              group: ['**/app/**', '**/services/**', '**/core/**', '**/config/**', '**/cli/**'],
              allowTypeImports: true,
              message:
                'client/ may import only types from the server (import type), so none of it is bundled.',
            },
          ],
        },
      ],
    },
  },
);
