import { settleWithin } from '../../services/deadline.js';
import type { AppServices } from '../services.js';

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, { ok: boolean; detail: string }>;
}

/** Each dependency answers within this, or counts as down: a readiness probe must answer, not hang. */
export const READINESS_CHECK_MS = 2000;

type Check = { ok: boolean; detail: string };

/** Whether this replica can serve: its model store answers, and its cache backend and task queue are reachable. */
export async function readiness(services: AppServices): Promise<ReadinessReport> {
  const [store, cache, queue] = await Promise.all([
    check(async () => `${(await services.store.models.list()).length} models`),
    check(async () => {
      const stats = await services.cache.stats();
      if (!stats.enabled) return 'disabled';
      if (!stats.available) throw new Error(`${stats.backend_type} unreachable`);
      return `${stats.backend_type} reachable`;
    }),
    check(async () => {
      const stats = await services.tasks.stats();
      return `${stats.backend}: ${stats.waiting} waiting, ${stats.workers} worker${stats.workers === 1 ? '' : 's'}`;
    }),
  ]);
  const checks = { store, cache, queue };
  const ok = Object.values(checks).every((result) => result.ok);
  return { status: ok ? 'ready' : 'not_ready', checks };
}

/** Runs one check with a time limit: its detail when it answers, the reason when it fails or stays silent. */
function check(run: () => Promise<string>): Promise<Check> {
  const answered = run().then(
    (detail): Check => ({ ok: true, detail }),
    (error: unknown): Check => ({
      ok: false,
      detail: error instanceof Error ? error.message : 'unreachable',
    }),
  );
  return settleWithin(answered, READINESS_CHECK_MS, (): Check => ({
    ok: false,
    detail: `no answer within ${READINESS_CHECK_MS / 1000} s`,
  }));
}
