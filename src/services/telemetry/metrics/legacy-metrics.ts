import { Gauge, type Registry } from 'prom-client';
import { metricKey, type Labels } from './metric-keys.js';
import { SeriesCounter, SeriesHistogram } from './series-metrics.js';

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
/** Percentiles describe the most recent recordings of a series, as many as the original kept (a deque of 1000). */
export const RECENT_SAMPLES = 1000;
/** Seconds for timers; prom-client's defaults for other histograms. */
const TIMER_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Kind = 'counter' | 'gauge' | 'histogram' | 'timer';

interface Entry {
  readonly kind: Kind;
  /** Sorted: the order label values are given to the series. */
  readonly labelNames: readonly string[];
  readonly labelNameSet: ReadonlySet<string>;
  readonly metric: SeriesCounter | SeriesHistogram | Gauge;
}

const NO_LABELS: Labels = Object.freeze({});

/**
 * The original's API as a thin layer over the Prometheus registry: each name becomes one metric (counters get
 * `_total`, timers become histograms in `_seconds`), so /metrics exports everything the JSON view shows — timers
 * included, which the original dropped. Timers are histograms, not summaries: a summary's quantile sketch cost more
 * per recording than everything else an operation records, and histograms add up across replicas; get_metrics'
 * percentiles come from each series' most recent recordings. A name keeps the label names of its first use, and at
 * most `maxSeriesPerMetric` label combinations (beyond, `_other`).
 */
export class PrometheusLegacyMetrics implements LegacyMetrics {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly registry: Registry,
    private readonly maxSeriesPerMetric = 500,
  ) {}

  incrementCounter(name: string, value = 1, labels: Labels = NO_LABELS): void {
    const entry = this.entry(name, 'counter', labels);
    (entry.metric as SeriesCounter).series(...valuesOf(entry, labels)).inc(value);
  }

  setGauge(name: string, value: number, labels: Labels = NO_LABELS): void {
    const entry = this.entry(name, 'gauge', labels);
    (entry.metric as Gauge).set(labels as Record<string, string | number>, value);
  }

  observeHistogram(name: string, value: number, labels: Labels = NO_LABELS): void {
    const entry = this.entry(name, 'histogram', labels);
    (entry.metric as SeriesHistogram).series(...valuesOf(entry, labels)).observe(value);
  }

  recordTimer(name: string, seconds: number, labels: Labels = NO_LABELS): void {
    const entry = this.entry(name, 'timer', labels);
    (entry.metric as SeriesHistogram).series(...valuesOf(entry, labels)).observe(seconds);
  }

  startTimer(name: string, labels: Labels = NO_LABELS): () => number {
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
      const { metric } = entry;
      if (metric instanceof Gauge) {
        for (const value of (await metric.get()).values)
          snapshot.gauges[metricKey(name, value.labels as Labels)] = value.value;
      } else if (metric instanceof SeriesCounter) {
        for (const { labels, series } of metric.entries())
          snapshot.counters[metricKey(name, labels)] = series.value;
      } else {
        for (const { labels, series } of metric.entries()) {
          const key = metricKey(name, labels);
          const common = {
            count: series.count,
            min: series.min,
            max: series.max,
            avg: series.sum / series.count,
          };
          if (entry.kind === 'histogram') {
            snapshot.histograms[key] = { ...common, sum: series.sum };
          } else {
            const [p50, p95, p99] = series.percentiles([0.5, 0.95, 0.99]) as [number, number, number];
            snapshot.timers[key] = { ...common, total_time: series.sum, p50, p95, p99 };
          }
        }
      }
    }
    return snapshot;
  }

  private entry(name: string, kind: Kind, labels: Labels): Entry {
    const existing = this.entries.get(name);
    if (existing && existing.kind === kind && hasExactly(existing.labelNameSet, labels)) return existing;
    const labelNames = Object.keys(labels).sort();
    if (existing) {
      if (existing.kind !== kind) throw new TypeError(`metric ${name} is a ${existing.kind}, not a ${kind}`);
      throw new TypeError(
        `metric ${name} has labels [${existing.labelNames.join(',')}], not [${labelNames.join(',')}]`,
      );
    }
    if (!METRIC_NAME.test(name))
      throw new TypeError(`metric name ${JSON.stringify(name)} is not a valid name`);
    const entry: Entry = {
      kind,
      labelNames,
      labelNameSet: new Set(labelNames),
      metric: this.create(name, kind, labelNames),
    };
    this.entries.set(name, entry);
    return entry;
  }

  private create(name: string, kind: Kind, labelNames: string[]): SeriesCounter | SeriesHistogram | Gauge {
    const help = `${name} (recorded through the metrics API)`;
    const max = this.maxSeriesPerMetric;
    switch (kind) {
      case 'counter':
        return new SeriesCounter(`${name}_total`, help, labelNames, this.registry, max);
      case 'gauge':
        return new Gauge({ name, help, labelNames, registers: [this.registry] });
      case 'histogram':
        return new SeriesHistogram(
          name,
          help,
          labelNames,
          this.registry,
          DEFAULT_BUCKETS,
          RECENT_SAMPLES,
          max,
        );
      case 'timer':
        return new SeriesHistogram(
          `${name}_seconds`,
          `${name} in seconds (recorded through the metrics API)`,
          labelNames,
          this.registry,
          TIMER_BUCKETS,
          RECENT_SAMPLES,
          max,
        );
    }
  }
}

/** The label values in the entry's (sorted) label order; one empty value for a metric without labels. */
function valuesOf(entry: Entry, labels: Labels): string[] {
  if (entry.labelNames.length === 0) return [''];
  return entry.labelNames.map((name) => String(labels[name]));
}

/** Whether `labels` has exactly these names (checked without allocating: this runs on every recording). */
function hasExactly(names: ReadonlySet<string>, labels: Labels): boolean {
  let count = 0;
  for (const name in labels) {
    if (!names.has(name)) return false;
    count += 1;
  }
  return count === names.size;
}
