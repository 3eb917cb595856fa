export type Labels = Readonly<Record<string, string | number>>;

/** The label value that stands for every combination beyond a metric's limit. */
export const OVERFLOW_LABEL_VALUE = '_other';

/**
 * Caps the distinct label-value combinations of each metric. Prometheus keeps one series per combination,
 * so an unbounded label (a model id, a path) would grow memory without limit; past the cap, new combinations
 * are folded into one series whose values are all `_other`.
 */
export class LabelGuard {
  private readonly seen = new Map<string, Set<string>>();

  constructor(private readonly maxCombinationsPerMetric: number) {}

  admit<L extends Labels>(metric: string, labels: L): L {
    let combinations = this.seen.get(metric);
    if (!combinations) {
      combinations = new Set();
      this.seen.set(metric, combinations);
    }
    const key = labelKey(labels);
    if (combinations.has(key)) return labels;
    if (combinations.size < this.maxCombinationsPerMetric) {
      combinations.add(key);
      return labels;
    }
    const folded: Record<string, string> = {};
    for (const name of Object.keys(labels)) folded[name] = OVERFLOW_LABEL_VALUE;
    return folded as unknown as L;
  }
}

/** `a=1,b=x` with names sorted: the original's way of writing labels inside a metric key. */
export function labelKey(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const name of names) key += `${key === '' ? '' : ','}${name}=${labels[name]}`;
  return key;
}

/** `name{a=1,b=x}`, or `name` without labels, exactly as the original's get_metrics keys. */
export function metricKey(name: string, labels: Labels): string {
  const key = labelKey(labels);
  return key ? `${name}{${key}}` : name;
}
