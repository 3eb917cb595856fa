import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LabelGuard } from './label-guard.js';

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
}

export const NOOP_DREDGE_METRICS: DredgeMetrics = {
  httpRequest: () => undefined,
  operation: () => undefined,
  cacheLookup: () => undefined,
  queueDepth: () => undefined,
};

export class PrometheusDredgeMetrics implements DredgeMetrics {
  private readonly guard = new LabelGuard(200);
  private readonly httpRequests: Counter<'route' | 'method' | 'status'>;
  private readonly httpDuration: Histogram<'route' | 'method' | 'status'>;
  private readonly operationCalls: Counter<'operation'>;
  private readonly operationErrors: Counter<'operation' | 'code'>;
  private readonly operationDuration: Histogram<'operation'>;
  private readonly cacheHits: Counter<'kind'>;
  private readonly cacheMisses: Counter<'kind'>;
  private readonly queueDepthGauge: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.httpRequests = new Counter({
      name: 'dredge_http_requests_total',
      help: 'HTTP requests answered, by route template, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'dredge_http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to finishing its response.',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.operationCalls = new Counter({
      name: 'dredge_operation_calls_total',
      help: 'Catalogue operations run, through any door.',
      labelNames: ['operation'],
      registers,
    });
    this.operationErrors = new Counter({
      name: 'dredge_operation_errors_total',
      help: 'Catalogue operations that failed, by error code.',
      labelNames: ['operation', 'code'],
      registers,
    });
    this.operationDuration = new Histogram({
      name: 'dredge_operation_duration_seconds',
      help: 'Time an operation took, cache lookups included.',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.cacheHits = new Counter({
      name: 'dredge_cache_hits_total',
      help: 'Result-cache lookups that found a result, by result kind.',
      labelNames: ['kind'],
      registers,
    });
    this.cacheMisses = new Counter({
      name: 'dredge_cache_misses_total',
      help: 'Result-cache lookups that found nothing, by result kind.',
      labelNames: ['kind'],
      registers,
    });
    this.queueDepthGauge = new Gauge({
      name: 'dredge_queue_depth',
      help: 'Tasks waiting in the task queue.',
      registers,
    });
  }

  httpRequest(route: string, method: string, status: number, seconds: number): void {
    const upper = method.toUpperCase();
    const labels = this.guard.admit('http', {
      route,
      method: KNOWN_METHODS.has(upper) ? upper : 'OTHER',
      status: String(status),
    });
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  operation(name: string, seconds: number, errorCode?: string): void {
    const labels = this.guard.admit('operation', { operation: name });
    this.operationCalls.inc(labels);
    this.operationDuration.observe(labels, seconds);
    if (errorCode !== undefined) {
      this.operationErrors.inc(
        this.guard.admit('operation_errors', { operation: labels.operation, code: errorCode }),
      );
    }
  }

  cacheLookup(kind: string, result: CacheLookupResult): void {
    const labels = this.guard.admit('cache', { kind });
    (result === 'hit' ? this.cacheHits : this.cacheMisses).inc(labels);
  }

  queueDepth(depth: number): void {
    this.queueDepthGauge.set(depth);
  }
}
