import { z } from 'zod';
import { defineOperation, fixedWork } from './operation.js';
import { patternString, wholeNumber } from './schema.js';

export const getMetrics = defineOperation({
  name: 'get_metrics',
  scope: 'metrics',
  description:
    "Counters, gauges, histograms and timers in the original's shape (keys like name{label=value}); timers carry " +
    'count, total_time, min, max, avg, p50, p95 and p99 (seconds).',
  input: z.object({}),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(_input, { services }) {
    return {
      metrics: await services.telemetry.legacy.getMetrics(),
      metrics_enabled: services.config.telemetry.metricsEnabled,
    };
  },
});

export const getCacheStats = defineOperation({
  name: 'get_cache_stats',
  scope: 'read',
  description:
    'Result-cache statistics: entries, TTL and backend as the original reported them, plus hits, misses, hit rate, evictions and bytes.',
  input: z.object({}),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(_input, { services }) {
    return { cache_stats: await services.cache.stats() };
  },
});

/** A trace id as W3C Trace Context writes it; GET /traces reads the same from its query string. */
export const TRACE_ID_PATTERN = /^[0-9a-f]{32}$/;
/** The most spans one answer holds, and how many it holds when the client names no limit. */
export const MAX_TRACE_SPANS = 10_000;
export const DEFAULT_TRACE_SPANS = 500;

export const getTraces = defineOperation({
  name: 'get_traces',
  scope: 'admin',
  description:
    "Recent trace spans in the original's Jaeger-like shape (traceID, spanID, operationName, startTime and duration " +
    'in microseconds, tags, logs), optionally only those of one trace.',
  input: z.object({
    trace_id: patternString(TRACE_ID_PATTERN, 32, '32 lowercase hexadecimal digits').optional(),
    limit: wholeNumber(1, MAX_TRACE_SPANS).default(DEFAULT_TRACE_SPANS),
  }),
  workFormula: 'fixed',
  work: fixedWork,
  handle(input, { services, tenant }) {
    const { tracing } = services.telemetry;
    // With tenants, an administrator sees the traces of their own tenant's operations only (the default tenant's
    // included: an administrator of the default tenant is not one of every tenant).
    const spans = tracing.recentSpans({
      limit: input.limit,
      ...(input.trace_id ? { traceId: input.trace_id } : {}),
      ...(services.config.security.multiTenant ? { tenant } : {}),
    });
    return { tracing_enabled: tracing.enabled, count: spans.length, spans };
  },
});
