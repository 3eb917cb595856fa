/**
 * A short hostile soak (test/helpers/hostile-soak.ts) against a real `dredge up`: abusive clients of every kind
 * at once while a well-behaved client, from another loopback address, keeps asking. The bounds are generous on
 * purpose — they catch a stalled event loop (seconds), a crash, a 500 or memory running away, not milliseconds;
 * `npm run bench -- hostile-soak` measures the figures the README gives.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runHostileSoak } from '../helpers/hostile-soak.js';

const cwd = mkdtempSync(path.join(tmpdir(), 'dredge-soak-test-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

it('dredge up keeps answering a well-behaved client through abuse, and nothing is a 5xx but a 503', async () => {
  const report = await runHostileSoak({
    seconds: 8,
    cwd,
    env: { DATA_DIR: path.join(cwd, 'data') },
    sockets: 100,
  });
  expect(report.health.count).toBeGreaterThan(20);
  expect(report.wellBehavedFailures).toBe(0);
  expect(report.health.maxMs).toBeLessThan(2_000);
  expect(report.cachedInference.maxMs).toBeLessThan(2_000);
  const serverErrors = Object.entries(report.answers).flatMap(([kind, byStatus]) =>
    Object.keys(byStatus)
      .filter((status) => status.startsWith('5') && status !== '503')
      .map((status) => `${kind}: ${status}`),
  );
  expect(serverErrors).toEqual([]);
  expect(report.peakRssMiB).toBeLessThan(3 * 1024);
  expect(report.aliveAfter).toBe(true);
}, 120_000);
