import { defineConfig } from 'vitest/config';

/** Tests that measure latency run alone, after every other file has finished (`*.solo.test.ts`). */
const SOLO = 'test/**/*.solo.test.ts';

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: [SOLO],
          // Integration tests start real servers and processes; two cores are the norm here.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'solo',
          include: [SOLO],
          maxWorkers: 1,
          // A later group: these files start only when the whole suite is done, so nothing competes for the CPU.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
