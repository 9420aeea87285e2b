// ESLint (flat config): the recommended JavaScript and typescript-eslint rules over src/, test/ and bin/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'migrations/', 'scratch/', 'coverage/', '.data/', 'web/dist/', 'dist/', 'e2e/artifacts/', 'web/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', URLSearchParams: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', Intl: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Test assertions on parsed JSON read loosely typed values.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  // CommonJS configuration files of tools (dependency-cruiser reads `.dependency-cruiser.cjs`).
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } } },
  // The console (web/) and its component tests run in the browser.
  { files: ['web/**/*.{ts,tsx}', 'test/web/**/*.{ts,tsx}'], languageOptions: { globals: { ...globals.browser } } },
);
