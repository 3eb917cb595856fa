import type { Registry } from 'prom-client';

/** The value that stands for every label combination beyond a metric's limit. */
const OVERFLOW = '_other';

interface Sample {
  value: number;
  labels: Record<string, string>;
  metricName?: string;
}

/** What prom-client's Registry reads from a metric when it renders the exposition text. */
interface Collectable {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: Sample[] }>;
  reset(): void;
}

/**
 * Counters and histograms for the request path, registered in a prom-client Registry like its own metrics.
 * Written here rather than taken from prom-client because its metrics hash the label object on every increment
 * (keys sorted and joined), which measured about 1 µs per call and, with five calls per request, a real share of a
 * request's time. Here a label combination is resolved once to a series (nested maps, no strings built) and an
 * observation is a few additions. Each metric keeps at most `maxSeries` combinations; beyond, `_other`.
 */
abstract class SeriesMetric<S> implements Collectable {
  abstract readonly type: 'counter' | 'histogram';
  readonly aggregator = 'sum' as const;
  private readonly root = new Map<string, unknown>();
  private readonly all: Array<{ labels: Record<string, string>; series: S }> = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
    private readonly maxSeries = 1000,
  ) {
    // prom-client's types list only its own classes; the registry needs only name, help, type, aggregator, get.
    registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series of these label values, in the order of `labelNames`. */
  series(...values: string[]): S {
    let node: Map<string, unknown> = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i] as string) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(values[i] as string, next);
      }
      node = next;
    }
    const found = node.get(values[last] as string) as S | undefined;
    if (found !== undefined) return found;
    if (this.all.length >= this.maxSeries && !values.every((value) => value === OVERFLOW)) {
      return this.series(...values.map(() => OVERFLOW));
    }
    const created = this.create();
    node.set(values[last] as string, created);
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, i) => (labels[name] = values[i] as string));
    this.all.push({ labels, series: created });
    return created;
  }

  /** Every series with its labels, in creation order. */
  entries(): ReadonlyArray<{ readonly labels: Record<string, string>; readonly series: S }> {
    return this.all;
  }

  protected abstract create(): S;
  protected abstract samples(labels: Record<string, string>, series: S): Sample[];

  get() {
    const values = this.all.flatMap(({ labels, series }) => this.samples(labels, series));
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  reset(): void {
    this.root.clear();
    this.all.length = 0;
  }
}

export class CounterSeries {
  value = 0;

  inc(amount = 1): void {
    this.value += amount;
  }
}

export class SeriesCounter extends SeriesMetric<CounterSeries> {
  readonly type = 'counter' as const;

  protected create(): CounterSeries {
    return new CounterSeries();
  }

  protected samples(labels: Record<string, string>, series: CounterSeries): Sample[] {
    return [{ value: series.value, labels }];
  }
}

export class HistogramSeries {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  readonly counts: Float64Array;
  /** The most recent observations (a ring), for percentiles. */
  private readonly recent: Float64Array;

  constructor(
    private readonly bounds: readonly number[],
    recentSamples: number,
  ) {
    this.counts = new Float64Array(bounds.length);
    this.recent = new Float64Array(recentSamples);
  }

  observe(value: number): void {
    if (this.recent.length > 0) this.recent[this.count % this.recent.length] = value;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        this.counts[i] = (this.counts[i] as number) + 1;
        return;
      }
    }
  }

  /** Nearest-rank percentiles (p in (0, 1]) of the recent observations. */
  percentiles(ps: readonly number[]): number[] {
    const sorted = this.recent.slice(0, Math.min(this.count, this.recent.length)).sort();
    return ps.map((p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] as number);
  }
}

export class SeriesHistogram extends SeriesMetric<HistogramSeries> {
  readonly type = 'histogram' as const;

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    registry: Registry,
    private readonly bounds: readonly number[],
    /** Recent observations each series keeps for percentiles (0: none). */
    private readonly recentSamples = 0,
    maxSeries?: number,
  ) {
    super(name, help, labelNames, registry, maxSeries);
  }

  protected create(): HistogramSeries {
    return new HistogramSeries(this.bounds, this.recentSamples);
  }

  protected samples(labels: Record<string, string>, series: HistogramSeries): Sample[] {
    const samples: Sample[] = [];
    let cumulative = 0;
    this.bounds.forEach((bound, i) => {
      cumulative += series.counts[i] as number;
      samples.push({
        value: cumulative,
        labels: { le: String(bound), ...labels },
        metricName: `${this.name}_bucket`,
      });
    });
    samples.push({
      value: series.count,
      labels: { le: '+Inf', ...labels },
      metricName: `${this.name}_bucket`,
    });
    samples.push({ value: series.sum, labels, metricName: `${this.name}_sum` });
    samples.push({ value: series.count, labels, metricName: `${this.name}_count` });
    return samples;
  }
}
