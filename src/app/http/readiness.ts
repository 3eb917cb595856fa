import type { AppServices } from '../services.js';

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  checks: Record<string, { ok: boolean; detail: string }>;
}

/** Whether this replica can serve: its model store answers, and its cache backend and task queue are reachable. */
export async function readiness(services: AppServices): Promise<ReadinessReport> {
  const checks: ReadinessReport['checks'] = {};
  try {
    const models = await services.store.models.list();
    checks.store = { ok: true, detail: `${models.length} models` };
  } catch (error) {
    checks.store = { ok: false, detail: error instanceof Error ? error.message : 'unreachable' };
  }
  const cache = await services.cache.stats();
  checks.cache = cache.enabled
    ? {
        ok: cache.available,
        detail: cache.available ? `${cache.backend_type} reachable` : `${cache.backend_type} unreachable`,
      }
    : { ok: true, detail: 'disabled' };
  try {
    const queue = await services.tasks.stats();
    checks.queue = {
      ok: true,
      detail: `${queue.backend}: ${queue.waiting} waiting, ${queue.workers} worker${queue.workers === 1 ? '' : 's'}`,
    };
  } catch (error) {
    checks.queue = { ok: false, detail: error instanceof Error ? error.message : 'unreachable' };
  }
  const ok = Object.values(checks).every((check) => check.ok);
  return { status: ok ? 'ready' : 'not_ready', checks };
}
