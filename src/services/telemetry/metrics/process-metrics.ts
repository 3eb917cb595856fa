import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client also exports the sums of its active handle, request and resource gauges under names ending in
 * `_total`, which Prometheus reserves for counters (promtool rejects them). The per-type gauges
 * (`nodejs_active_handles{type=…}` and the like) carry the same information, so the sums are dropped.
 */
const MISNAMED_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** The standard process and Node.js runtime metrics (CPU, memory, event-loop lag, GC, handles). */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_GAUGES) registry.removeSingleMetric(name);
}
