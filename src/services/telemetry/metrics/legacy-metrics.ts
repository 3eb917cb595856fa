import { Counter, Gauge, Histogram, Summary, type Registry } from 'prom-client';
import { LabelGuard, labelKey, metricKey, type Labels } from './label-guard.js';

/** A timer's summary in get_metrics: the original's fields, plus the percentiles it never reported. */
export interface TimerSummary {
  count: number;
  total_time: number;
  min: number;
  max: number;
  avg: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface HistogramSummary {
  count: number;
  sum: number;
  min: number;
  max: number;
  avg: number;
}

/** The original's get_metrics shape: keys are `name{label=value,…}`. */
export interface LegacyMetricsSnapshot {
  counters: Record<string, number>;
  gauges: Record<string, number>;
  histograms: Record<string, HistogramSummary>;
  timers: Record<string, TimerSummary>;
}

/** The original's metrics API (increment_counter, set_gauge, observe_histogram, record_timer, Timer, get_metrics). */
export interface LegacyMetrics {
  incrementCounter(name: string, value?: number, labels?: Labels): void;
  setGauge(name: string, value: number, labels?: Labels): void;
  observeHistogram(name: string, value: number, labels?: Labels): void;
  /** `seconds` as the original's record_timer takes it. */
  recordTimer(name: string, seconds: number, labels?: Labels): void;
  /** Starts a timer; calling the returned function records and returns the seconds elapsed. */
  startTimer(name: string, labels?: Labels): () => number;
  getMetrics(): Promise<LegacyMetricsSnapshot>;
}

const EMPTY_SNAPSHOT: LegacyMetricsSnapshot = { counters: {}, gauges: {}, histograms: {}, timers: {} };

export const NOOP_LEGACY_METRICS: LegacyMetrics = {
  incrementCounter: () => undefined,
  setGauge: () => undefined,
  observeHistogram: () => undefined,
  recordTimer: () => undefined,
  startTimer: () => () => 0,
  getMetrics: () => Promise.resolve(structuredClone(EMPTY_SNAPSHOT)),
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const PERCENTILES = [0.5, 0.95, 0.99];
/** Percentiles describe the last ten minutes, so they follow the server's current behaviour. */
const PERCENTILE_WINDOW_SECONDS = 600;

type Kind = 'counter' | 'gauge' | 'histogram' | 'timer';

interface Entry {
  readonly kind: Kind;
  readonly labelNames: string;
  readonly metric: Counter | Gauge | Histogram | Summary;
  /** min and max per label key, which Prometheus types do not keep. */
  readonly extremes: Map<string, { min: number; max: number }>;
}

/**
 * The original's API as a thin layer over prom-client: each name becomes one Prometheus metric
 * (counters get `_total`, timers become summaries in `_seconds`), so /metrics exports everything the JSON
 * view shows — timers included, which the original dropped. A name keeps the label names of its first use.
 */
export class PrometheusLegacyMetrics implements LegacyMetrics {
  private readonly entries = new Map<string, Entry>();
  private readonly guard: LabelGuard;

  constructor(
    private readonly registry: Registry,
    maxSeriesPerMetric = 500,
  ) {
    this.guard = new LabelGuard(maxSeriesPerMetric);
  }

  incrementCounter(name: string, value = 1, labels: Labels = {}): void {
    (this.entry(name, 'counter', labels).metric as Counter).inc(this.guard.admit(name, labels), value);
  }

  setGauge(name: string, value: number, labels: Labels = {}): void {
    (this.entry(name, 'gauge', labels).metric as Gauge).set(this.guard.admit(name, labels), value);
  }

  observeHistogram(name: string, value: number, labels: Labels = {}): void {
    this.observe(name, 'histogram', value, labels);
  }

  recordTimer(name: string, seconds: number, labels: Labels = {}): void {
    this.observe(name, 'timer', seconds, labels);
  }

  startTimer(name: string, labels: Labels = {}): () => number {
    const started = performance.now();
    return () => {
      const seconds = (performance.now() - started) / 1000;
      this.recordTimer(name, seconds, labels);
      return seconds;
    };
  }

  async getMetrics(): Promise<LegacyMetricsSnapshot> {
    const snapshot = structuredClone(EMPTY_SNAPSHOT);
    for (const [name, entry] of this.entries) {
      const { values } = await entry.metric.get();
      if (entry.kind === 'counter' || entry.kind === 'gauge') {
        const target = entry.kind === 'counter' ? snapshot.counters : snapshot.gauges;
        for (const value of values) target[metricKey(name, value.labels as Labels)] = value.value;
        continue;
      }
      const byKey = new Map<
        string,
        { labels: Labels; count: number; sum: number; quantiles: Map<number, number> }
      >();
      for (const value of values as Array<(typeof values)[number] & { metricName?: string }>) {
        const { quantile, le: _bucket, ...labels } = value.labels as Record<string, string | number>;
        const key = labelKey(labels);
        const series = byKey.get(key) ?? { labels, count: 0, sum: 0, quantiles: new Map<number, number>() };
        byKey.set(key, series);
        if (value.metricName?.endsWith('_count')) series.count = value.value;
        else if (value.metricName?.endsWith('_sum')) series.sum = value.value;
        else if (quantile !== undefined) series.quantiles.set(Number(quantile), value.value);
      }
      for (const [key, series] of byKey) {
        if (series.count === 0) continue;
        const extremes = entry.extremes.get(key) ?? { min: 0, max: 0 };
        const avg = series.sum / series.count;
        const common = { count: series.count, min: extremes.min, max: extremes.max, avg };
        const outKey = metricKey(name, series.labels);
        if (entry.kind === 'histogram') {
          snapshot.histograms[outKey] = { ...common, sum: series.sum };
        } else {
          const q = (p: number) => finiteOr(series.quantiles.get(p), avg);
          snapshot.timers[outKey] = {
            ...common,
            total_time: series.sum,
            p50: q(0.5),
            p95: q(0.95),
            p99: q(0.99),
          };
        }
      }
    }
    return snapshot;
  }

  private observe(name: string, kind: 'histogram' | 'timer', value: number, labels: Labels): void {
    const entry = this.entry(name, kind, labels);
    const admitted = this.guard.admit(name, labels);
    (entry.metric as Histogram | Summary).observe(admitted, value);
    const key = labelKey(admitted);
    const extremes = entry.extremes.get(key);
    if (!extremes) entry.extremes.set(key, { min: value, max: value });
    else {
      if (value < extremes.min) extremes.min = value;
      if (value > extremes.max) extremes.max = value;
    }
  }

  private entry(name: string, kind: Kind, labels: Labels): Entry {
    const labelNames = Object.keys(labels).sort();
    const existing = this.entries.get(name);
    if (existing) {
      if (existing.kind !== kind) throw new TypeError(`metric ${name} is a ${existing.kind}, not a ${kind}`);
      if (existing.labelNames !== labelNames.join(',')) {
        throw new TypeError(
          `metric ${name} has labels [${existing.labelNames}], not [${labelNames.join(',')}]`,
        );
      }
      return existing;
    }
    if (!METRIC_NAME.test(name))
      throw new TypeError(`metric name ${JSON.stringify(name)} is not a valid name`);
    const entry: Entry = {
      kind,
      labelNames: labelNames.join(','),
      metric: this.create(name, kind, labelNames),
      extremes: new Map(),
    };
    this.entries.set(name, entry);
    return entry;
  }

  private create(name: string, kind: Kind, labelNames: string[]): Counter | Gauge | Histogram | Summary {
    const common = { labelNames, registers: [this.registry] };
    const help = `${name} (recorded through the metrics API)`;
    switch (kind) {
      case 'counter':
        return new Counter({ name: `${name}_total`, help, ...common });
      case 'gauge':
        return new Gauge({ name, help, ...common });
      case 'histogram':
        return new Histogram({ name, help, ...common });
      case 'timer':
        return new Summary({
          name: `${name}_seconds`,
          help: `${name} in seconds (recorded through the metrics API)`,
          percentiles: PERCENTILES,
          maxAgeSeconds: PERCENTILE_WINDOW_SECONDS,
          ageBuckets: 5,
          ...common,
        });
    }
  }
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}
