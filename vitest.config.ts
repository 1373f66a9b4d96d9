import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two test files at a time (vitest's default is cores - 1: one file at a time on our 2-core
    // machines, which left a core idle while a file waited on a socket, a poll or Chromium).
    maxWorkers: 2,
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
