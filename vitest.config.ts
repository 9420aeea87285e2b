import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Component tests (test/web, jsdom) compile JSX with the automatic runtime, as the console's Vite build does.
  oxc: { jsx: { runtime: 'automatic' } },
  test: {
    globalSetup: ['./test/support/global-setup.ts'],
    include: ['test/**/*.test.ts', 'test/web/**/*.test.tsx', 'e2e/**/*.test.ts'],
    // Generous: under load (CI on 2 cores) seeding and imports take several times their quiet-machine durations.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: 'forks',
    env: { NODE_ENV: 'test' },
  },
});
