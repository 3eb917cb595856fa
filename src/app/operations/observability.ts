import { z } from 'zod';
import { answer, count } from './answer.js';
import { READS_ONLY, defineOperation, fixedWork } from './operation.js';
import { patternString, wholeNumber } from './schema.js';

const seconds = (what: string) => z.number().describe(`${what}, in seconds`);

const metricsOut = z
  .object({
    counters: z.record(z.string(), z.number()).describe('Counter values by key, name{label=value,…}'),
    gauges: z.record(z.string(), z.number()).describe('Gauge values by key'),
    histograms: z
      .record(
        z.string(),
        z.object({
          count: count('Observations'),
          sum: z.number().describe('Their sum'),
          min: z.number().describe('The smallest of the recent ones'),
          max: z.number().describe('The largest of the recent ones'),
          avg: z.number().describe('sum / count'),
        }),
      )
      .describe('Histograms by key'),
    timers: z
      .record(
        z.string(),
        z.object({
          count: count('Timings recorded'),
          total_time: seconds('Their total'),
          min: seconds('The shortest of the recent ones'),
          max: seconds('The longest of the recent ones'),
          avg: seconds('total_time / count'),
          p50: seconds('The median of the recent ones'),
          p95: seconds('The 95th percentile of the recent ones'),
          p99: seconds('The 99th percentile of the recent ones'),
        }),
      )
      .describe('Timers by key (the last 1,000 timings of each give min, max and the percentiles)'),
  })
  .describe('Every metric, by kind');

export const getMetrics = defineOperation({
  name: 'get_metrics',
  title: 'Get metrics',
  scope: 'metrics',
  effects: READS_ONLY,
  description:
    "Counters, gauges, histograms and timers in the original's shape (keys like name{label=value}); timers carry " +
    'count, total_time, min, max, avg, p50, p95 and p99 (seconds).',
  input: z.object({}),
  output: answer({
    metrics: metricsOut,
    metrics_enabled: z
      .boolean()
      .describe('Whether metrics are recorded (METRICS_ENABLED); if not, all is empty'),
  }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(_input, { services }) {
    return {
      metrics: await services.telemetry.legacy.getMetrics(),
      metrics_enabled: services.config.telemetry.metricsEnabled,
    };
  },
});

const orNull = (description: string) => z.number().nullable().describe(description);

const cacheStatsOut = z
  .object({
    total_entries: count('Entries stored'),
    active_entries: count('Entries not yet expired'),
    expired_entries: count('Entries expired but not yet removed'),
    default_ttl: z.number().describe('How long an entry lives, in seconds (CACHE_TTL)'),
    backend_type: z
      .enum(['memory', 'file', 'redis', 'none'])
      .describe('Where entries are kept (CACHE_BACKEND)'),
    hits: count('Lookups answered from the cache by this process'),
    misses: count('Lookups that had to compute, by this process'),
    hit_rate: z.number().min(0).max(1).describe('hits / (hits + misses); 0 before the first lookup'),
    evictions: orNull('Entries dropped to stay within a bound; null where the backend cannot tell (redis)'),
    bytes: orNull('Bytes of keys and values stored; null where counting costs too much (redis)'),
    max_entries: orNull('The most entries the backend keeps, where it reports such a bound; else null'),
    max_bytes: orNull('The most bytes the backend keeps, where it reports such a bound; else null'),
    enabled: z.boolean().describe('False when CACHE_ENABLED=false: nothing is stored'),
    available: z
      .boolean()
      .describe('False when the backend could not be asked (Redis down); the counts are then 0'),
  })
  .describe('The result cache’s statistics');

export const getCacheStats = defineOperation({
  name: 'get_cache_stats',
  title: 'Get cache statistics',
  scope: 'read',
  effects: READS_ONLY,
  description:
    'Result-cache statistics: entries, TTL and backend as the original reported them, plus hits, misses, hit rate, evictions and bytes.',
  input: z.object({}),
  output: answer({ cache_stats: cacheStatsOut }),
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

const microseconds = (what: string) => z.number().describe(`${what}, in microseconds`);

const spanOut = z
  .object({
    traceID: z.string().describe('The trace, 32 hexadecimal digits'),
    spanID: z.string().describe('The span, 16 hexadecimal digits'),
    parentSpanID: z.string().nullable().describe('The parent span, or null for a root span'),
    operationName: z.string().describe('What the span timed (an operation, a route, compute, cache, …)'),
    startTime: microseconds('When it started, since the Unix epoch'),
    duration: microseconds('How long it took'),
    tags: z
      .array(
        z.object({
          key: z.string().describe('The attribute’s name'),
          value: z.unknown().describe('Its value: a string, number, boolean or array of them'),
        }),
      )
      .describe('The span’s attributes'),
    logs: z
      .array(
        z
          .looseObject({
            timestamp: microseconds('When it happened, since the Unix epoch'),
            message: z.string().describe('What happened (cache hit, exception, …)'),
          })
          .describe('An event of the span, with its attributes as further fields'),
      )
      .describe('The span’s events'),
    status: z.enum(['unset', 'ok', 'error']).describe('How it ended'),
  })
  .describe('A finished span');

export const getTraces = defineOperation({
  name: 'get_traces',
  title: 'Get recent traces',
  scope: 'admin',
  effects: READS_ONLY,
  description:
    "Recent trace spans in the original's Jaeger-like shape (traceID, spanID, operationName, startTime and duration " +
    'in microseconds, tags, logs), optionally only those of one trace.',
  input: z.object({
    trace_id: patternString(TRACE_ID_PATTERN, 32, '32 lowercase hexadecimal digits')
      .optional()
      .describe('Only the spans of this trace (32 lowercase hexadecimal digits); absent, every recent trace'),
    limit: wholeNumber(1, MAX_TRACE_SPANS)
      .default(DEFAULT_TRACE_SPANS)
      .describe(`Most spans to answer, the most recent (1 to ${MAX_TRACE_SPANS})`),
  }),
  output: answer({
    tracing_enabled: z
      .boolean()
      .describe('Whether traces are recorded (TRACING_ENABLED); if not, spans is empty'),
    count: count('How many spans there are'),
    spans: z.array(spanOut).describe('The spans in the order they ended, the most recent last'),
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
