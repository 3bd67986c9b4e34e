import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Cluster tier (`npm run test:cluster` → scripts/test-cluster.sh): runs against
// a real kind cluster named by HARDENING_LAB_CLUSTER with KUBECONFIG set.
// One file at a time in one forked process: the tests share the cluster.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default defineConfig({
  test: {
    root,
    include: ['tests/cluster/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 300_000,
    // Hooks may wait out a control plane in crash-loop back-off (up to 5 min) before cleanup and setup.
    hookTimeout: 900_000,
  },
});
