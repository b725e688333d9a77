// ESLint (flat config) with typescript-eslint, as the Temporal samples configure it: no floating
// promises anywhere (a promise nobody awaits loses its error and its ordering), and workflow code
// that imports no Node builtin and no activity implementation (`import type` only), because the
// workflow sandbox is deterministic and has neither. `npm run lint`.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Every Node builtin, with and without the `node:` prefix (`fs`, `node:fs`, `fs/promises`, ...). */
const nodeBuiltins = [...new Set(builtinModules.flatMap((name) => (name.startsWith('node:') ? [name] : [name, `node:${name}`])))];

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', '.halflife/**', 'node_modules/**'] },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // `_name` marks a deliberately unused binding (destructuring to drop a field, ignored parameters).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'workflow code runs in the deterministic sandbox: no Node builtins' })),
          patterns: [
            {
              group: ['**/activities', '**/activities/*', '**/activities/**'],
              allowTypeImports: true,
              message: 'workflows call activities through proxyActivities: import only their types (`import type`)',
            },
          ],
        },
      ],
    },
  },
  {
    // Plain JavaScript (this file, jest's configuration and reporter): syntax only, no type information.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { module: 'readonly', require: 'readonly', process: 'readonly', __dirname: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    // The OpenID peer runs as a plain Node ES module (test/peers/oidc).
    files: ['test/peers/**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'fetch', 'URLSearchParams', 'structuredClone', 'AbortController', 'TextEncoder', 'TextDecoder'].map((name) => [name, 'readonly']),
      ),
    },
  },
);
