import type { Registry } from 'prom-client';
import { bucketDelta, histogramQuantile, type CumulativeBucket } from './histogram-quantile.js';

/** One interval of traffic, as the dashboard's live charts draw it. */
export interface TrafficSample {
  /** End of the interval, in Unix seconds (uPlot's time axis). */
  readonly t: number;
  /** Requests answered per second. */
  readonly rate: number;
  /** Requests answered with a 5xx status, per second. */
  readonly errorRate: number;
  /** Latency percentiles of the interval's requests in milliseconds; null when there were none. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  /** Share of the interval's result-cache lookups that hit; null when there were none. */
  readonly cacheHitRate: number | null;
}

export interface TrafficSamplerOptions {
  /** How often the counters are read. */
  readonly intervalMs: number;
  /** Samples kept (the oldest go first): the window the charts show. */
  readonly capacity: number;
  /** Route templates left out of the figures (the dashboard's own polling would otherwise be its traffic). */
  readonly ignoredRoutes: ReadonlySet<string>;
}

/** Cumulative counters at one moment. */
interface Reading {
  readonly at: number;
  readonly requests: number;
  readonly errors: number;
  readonly buckets: CumulativeBucket[];
  readonly cacheHits: number;
  readonly cacheMisses: number;
}

interface SeriesValue {
  readonly value: number;
  readonly labels: Partial<Record<string, string | number>>;
  readonly metricName?: string;
}

const HTTP_DURATION = 'dredge_http_request_duration_seconds';

/**
 * Reads the process's Prometheus series every `intervalMs` and keeps the last `capacity` intervals: request rate,
 * 5xx rate, latency percentiles (from the histogram buckets, as Prometheus would compute them) and cache hit
 * rate. Reading the registry costs the request path nothing; the window is bounded, so memory is too.
 */
export class TrafficSampler {
  private readonly window: TrafficSample[] = [];
  private previous: Reading | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  constructor(
    private readonly registry: Registry | undefined,
    private readonly options: TrafficSamplerOptions,
  ) {}

  /** Whether there is anything to sample (METRICS_ENABLED). */
  get enabled(): boolean {
    return this.registry !== undefined;
  }

  get intervalMs(): number {
    return this.options.intervalMs;
  }

  start(): void {
    if (!this.registry || this.timer) return;
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  samples(): readonly TrafficSample[] {
    return this.window;
  }

  /** Takes one reading now and, after the first, adds the interval since the previous one. */
  async sample(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const reading = await this.read();
      if (reading && this.previous) this.add(this.previous, reading);
      if (reading) this.previous = reading;
    } finally {
      this.reading = false;
    }
  }

  private add(earlier: Reading, later: Reading): void {
    const seconds = Math.max(1e-3, (later.at - earlier.at) / 1000);
    const buckets = bucketDelta(later.buckets, earlier.buckets);
    const percentile = (q: number) => {
      const value = histogramQuantile(q, buckets);
      return value === undefined ? null : value * 1000;
    };
    const hits = later.cacheHits - earlier.cacheHits;
    const lookups = hits + later.cacheMisses - earlier.cacheMisses;
    this.window.push({
      t: later.at / 1000,
      rate: (later.requests - earlier.requests) / seconds,
      errorRate: (later.errors - earlier.errors) / seconds,
      p50: percentile(0.5),
      p95: percentile(0.95),
      p99: percentile(0.99),
      cacheHitRate: lookups > 0 ? hits / lookups : null,
    });
    if (this.window.length > this.options.capacity) this.window.shift();
  }

  private async read(): Promise<Reading | undefined> {
    if (!this.registry) return undefined;
    const [duration, hits, misses] = await Promise.all(
      [HTTP_DURATION, 'dredge_cache_hits_total', 'dredge_cache_misses_total'].map((name) =>
        this.values(name),
      ),
    );
    const byBound = new Map<number, number>();
    let requests = 0;
    let errors = 0;
    for (const { value, labels, metricName } of duration ?? []) {
      if (this.options.ignoredRoutes.has(String(labels.route))) continue;
      if (metricName === `${HTTP_DURATION}_bucket`) {
        const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
        byBound.set(le, (byBound.get(le) ?? 0) + value);
      } else if (metricName === `${HTTP_DURATION}_count`) {
        requests += value;
        if (Number(labels.status) >= 500) errors += value;
      }
    }
    const buckets = [...byBound].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
    return {
      at: Date.now(),
      requests,
      errors,
      buckets,
      cacheHits: sum(hits),
      cacheMisses: sum(misses),
    };
  }

  private async values(name: string): Promise<SeriesValue[] | undefined> {
    const metric = this.registry?.getSingleMetric(name);
    if (!metric) return undefined;
    return (await metric.get()).values as SeriesValue[];
  }
}

function sum(values: readonly SeriesValue[] | undefined): number {
  return (values ?? []).reduce((total, { value }) => total + value, 0);
}
