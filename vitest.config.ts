import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'server',
          include: ['test/server/**/*.test.ts'],
          exclude: ['test/server/cluster/**'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        // Cluster mode on a real redis-server: three-node tests, and the foundation's broker suite again on two nodes.
        test: {
          name: 'cluster',
          include: ['test/server/cluster/**/*.test.ts', 'test/server/broker/**/*.test.ts', 'test/server/api/health.test.ts', 'test/server/api/presence.test.ts', 'test/server/server.test.ts'],
          environment: 'node',
          env: { BROKER_TEST_NODES: '2' },
          testTimeout: 60_000,
          hookTimeout: 30_000,
          // Every file starts its own redis-server and broker nodes: one file at a time on two cores.
          fileParallelism: false,
        },
      },
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
