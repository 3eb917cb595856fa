import { Gauge, type Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './series-metrics.js';

/** HTTP methods kept as label values; anything else is counted as OTHER. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Seconds; fine at the bottom because a cache hit answers in well under a millisecond. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export type CacheLookupResult = 'hit' | 'miss';

/**
 * The metrics DREDGE itself records, as Prometheus series with bounded labels. Every method is cheap enough
 * for the hot path; `NOOP_DREDGE_METRICS` stands in when METRICS_ENABLED=false.
 */
export interface DredgeMetrics {
  /** `route` is the route template (`/mcp`), never the raw path; unmatched requests pass `unmatched`. */
  httpRequest(route: string, method: string, status: number, seconds: number): void;
  /** `errorCode` is the stable error code (`invalid_input`, …) when the operation failed. */
  operation(name: string, seconds: number, errorCode?: string): void;
  cacheLookup(kind: string, result: CacheLookupResult): void;
  /** Tasks waiting in the queue (0 while nothing is queued). */
  queueDepth(depth: number): void;
  /** A task attempt ended: `outcome` is completed, failed, retried, cancelled or timeout. */
  taskAttempt(operation: string, outcome: TaskOutcome, seconds: number): void;
}

export type TaskOutcome = 'completed' | 'failed' | 'retried' | 'cancelled' | 'timeout';

export const NOOP_DREDGE_METRICS: DredgeMetrics = {
  httpRequest: () => undefined,
  operation: () => undefined,
  cacheLookup: () => undefined,
  queueDepth: () => undefined,
  taskAttempt: () => undefined,
};

/**
 * DREDGE's series. Every label here is bounded by construction — route templates (or `unmatched`), the methods
 * above, status codes, catalogue operation names, error codes, result kinds — and each metric caps its series
 * anyway. Counters and histograms are `SeriesCounter`/`SeriesHistogram`, which cost a few additions per request.
 */
export class PrometheusDredgeMetrics implements DredgeMetrics {
  private readonly httpRequests: SeriesCounter;
  private readonly httpDuration: SeriesHistogram;
  private readonly operationCalls: SeriesCounter;
  private readonly operationErrors: SeriesCounter;
  private readonly operationDuration: SeriesHistogram;
  private readonly cacheHits: SeriesCounter;
  private readonly cacheMisses: SeriesCounter;
  private readonly queueDepthGauge: Gauge;
  private readonly taskAttempts: SeriesCounter;
  private readonly taskDuration: SeriesHistogram;

  constructor(registry: Registry) {
    const http = ['route', 'method', 'status'];
    this.httpRequests = new SeriesCounter(
      'dredge_http_requests_total',
      'HTTP requests answered, by route template, method and status code.',
      http,
      registry,
    );
    this.httpDuration = new SeriesHistogram(
      'dredge_http_request_duration_seconds',
      'Time from receiving an HTTP request to finishing its response.',
      http,
      registry,
      LATENCY_BUCKETS,
    );
    this.operationCalls = new SeriesCounter(
      'dredge_operation_calls_total',
      'Catalogue operations run, through any door.',
      ['operation'],
      registry,
    );
    this.operationErrors = new SeriesCounter(
      'dredge_operation_errors_total',
      'Catalogue operations that failed, by error code.',
      ['operation', 'code'],
      registry,
    );
    this.operationDuration = new SeriesHistogram(
      'dredge_operation_duration_seconds',
      'Time an operation took, cache lookups included.',
      ['operation'],
      registry,
      LATENCY_BUCKETS,
    );
    this.cacheHits = new SeriesCounter(
      'dredge_cache_hits_total',
      'Result-cache lookups that found a result, by result kind.',
      ['kind'],
      registry,
    );
    this.cacheMisses = new SeriesCounter(
      'dredge_cache_misses_total',
      'Result-cache lookups that found nothing, by result kind.',
      ['kind'],
      registry,
    );
    this.queueDepthGauge = new Gauge({
      name: 'dredge_queue_depth',
      help: 'Tasks waiting in the task queue.',
      registers: [registry],
    });
    this.taskAttempts = new SeriesCounter(
      'dredge_task_attempts_total',
      'Queued-task attempts run by this process, by operation and outcome.',
      ['operation', 'outcome'],
      registry,
    );
    this.taskDuration = new SeriesHistogram(
      'dredge_task_duration_seconds',
      'Time one task attempt ran on a worker.',
      ['operation'],
      registry,
      LATENCY_BUCKETS,
    );
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    const known = KNOWN_METHODS.has(method)
      ? method
      : KNOWN_METHODS.has(method.toUpperCase())
        ? method.toUpperCase()
        : 'OTHER';
    const code = STATUS_TEXT[status] ?? String(status);
    this.httpRequests.series(route, known, code).inc();
    this.httpDuration.series(route, known, code).observe(seconds);
  }

  operation(name: string, seconds: number, errorCode?: string): void {
    this.operationCalls.series(name).inc();
    this.operationDuration.series(name).observe(seconds);
    if (errorCode !== undefined) this.operationErrors.series(name, errorCode).inc();
  }

  cacheLookup(kind: string, result: CacheLookupResult): void {
    (result === 'hit' ? this.cacheHits : this.cacheMisses).series(kind).inc();
  }

  queueDepth(depth: number): void {
    this.queueDepthGauge.set(depth);
  }

  taskAttempt(operation: string, outcome: TaskOutcome, seconds: number): void {
    this.taskAttempts.series(operation, outcome).inc();
    this.taskDuration.series(operation).observe(seconds);
  }
}

/** Status codes as label text, made once. */
const STATUS_TEXT: Record<number, string> = Object.fromEntries(
  Array.from({ length: 500 }, (_, i) => [i + 100, String(i + 100)]),
);
