import { defineConfig } from 'vitest/config';

// Tier 1 (`npm test`): unit + integration (real express/socket.io, real PTY)
// and browser tests (real headless Chromium). The cluster tier has its own
// config in tests/cluster/ and runs through `npm run test:cluster`.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'server/**/*.test.ts',
            'labs/**/*.test.ts',
            'scripts/**/*.test.ts',
            'web/src/**/*.test.ts',
            'tests/dev/**/*.test.ts',
          ],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // One Chromium at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
