import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'server', include: ['test/server/**/*.test.ts'], environment: 'node', testTimeout: 20_000, hookTimeout: 20_000 } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['test/e2e/global-setup.ts'],
          // Browsers and WebRTC are heavy on two cores: one file at a time.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'network',
          include: ['test/network/**/*.test.ts'],
          environment: 'node',
          // Faults take time to show (ICE gives up after seconds, a lost call after 30 s).
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Must run as root in a loopback-only network namespace: see test/network/global-setup.ts.
          globalSetup: ['test/network/global-setup.ts'],
          fileParallelism: false,
        },
      },
    ],
  },
});
