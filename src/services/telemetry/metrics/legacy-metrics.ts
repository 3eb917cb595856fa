import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
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
/** Percentiles describe the most recent recordings of a series, as many as the original kept (a deque of 1000). */
export const RECENT_SAMPLES = 1000;
/** Seconds; fine at the bottom because a cached answer takes well under a millisecond. */
const TIMER_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

type Kind = 'counter' | 'gauge' | 'histogram' | 'timer';

/** What a histogram or timer series keeps for get_metrics: exact count, sum and extremes, and recent samples. */
class SeriesStats {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  private readonly recent = new Float64Array(RECENT_SAMPLES);

  constructor(readonly labels: Labels) {}

  add(value: number): void {
    this.recent[this.count % RECENT_SAMPLES] = value;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Nearest-rank percentile of the recent samples (p in (0, 1]). */
  percentiles(ps: readonly number[]): number[] {
    const sorted = this.recent.slice(0, Math.min(this.count, RECENT_SAMPLES)).sort();
    return ps.map((p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number);
  }
}

interface Entry {
  readonly kind: Kind;
  /** Sorted and comma-joined, for messages. */
  readonly labelNames: string;
  readonly labelNameSet: ReadonlySet<string>;
  readonly metric: Counter | Gauge | Histogram;
  /** Histograms and timers: the statistics of each label combination. */
  readonly series: Map<string, SeriesStats>;
}

const NO_LABELS: Labels = Object.freeze({});

/**
 * The original's API as a thin layer over prom-client: each name becomes one Prometheus metric (counters get
 * `_total`, timers become histograms in `_seconds`), so /metrics exports everything the JSON view shows —
 * timers included, which the original dropped. Timers are histograms rather than summaries because a summary's
 * quantile sketch cost more per recording than everything else an operation records, and histograms add up across
 * replicas; get_metrics' percentiles come from each series' recent samples instead. A name keeps the label names
 * of its first use.
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

  incrementCounter(name: string, value = 1, labels: Labels = NO_LABELS): void {
    (this.entry(name, 'counter', labels).metric as Counter).inc(this.guard.admit(name, labels), value);
  }

  setGauge(name: string, value: number, labels: Labels = NO_LABELS): void {
    (this.entry(name, 'gauge', labels).metric as Gauge).set(this.guard.admit(name, labels), value);
  }

  observeHistogram(name: string, value: number, labels: Labels = NO_LABELS): void {
    this.observe(name, 'histogram', value, labels);
  }

  recordTimer(name: string, seconds: number, labels: Labels = NO_LABELS): void {
    this.observe(name, 'timer', seconds, labels);
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
      if (entry.kind === 'counter' || entry.kind === 'gauge') {
        const target = entry.kind === 'counter' ? snapshot.counters : snapshot.gauges;
        for (const value of (await entry.metric.get()).values)
          target[metricKey(name, value.labels as Labels)] = value.value;
        continue;
      }
      for (const series of entry.series.values()) {
        const key = metricKey(name, series.labels);
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
    return snapshot;
  }

  private observe(name: string, kind: 'histogram' | 'timer', value: number, labels: Labels): void {
    const entry = this.entry(name, kind, labels);
    const admitted = this.guard.admit(name, labels);
    (entry.metric as Histogram).observe(admitted, value);
    const key = labelKey(admitted);
    let series = entry.series.get(key);
    if (!series) {
      series = new SeriesStats(admitted);
      entry.series.set(key, series);
    }
    series.add(value);
  }

  private entry(name: string, kind: Kind, labels: Labels): Entry {
    const existing = this.entries.get(name);
    if (existing && existing.kind === kind && hasExactly(existing.labelNameSet, labels)) return existing;
    const labelNames = Object.keys(labels).sort();
    if (existing) {
      if (existing.kind !== kind) throw new TypeError(`metric ${name} is a ${existing.kind}, not a ${kind}`);
      throw new TypeError(
        `metric ${name} has labels [${existing.labelNames}], not [${labelNames.join(',')}]`,
      );
    }
    if (!METRIC_NAME.test(name))
      throw new TypeError(`metric name ${JSON.stringify(name)} is not a valid name`);
    const entry: Entry = {
      kind,
      labelNames: labelNames.join(','),
      labelNameSet: new Set(labelNames),
      metric: this.create(name, kind, labelNames),
      series: new Map(),
    };
    this.entries.set(name, entry);
    return entry;
  }

  private create(name: string, kind: Kind, labelNames: string[]): Counter | Gauge | Histogram {
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
        return new Histogram({
          name: `${name}_seconds`,
          help: `${name} in seconds (recorded through the metrics API)`,
          buckets: TIMER_BUCKETS,
          ...common,
        });
    }
  }
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
