export type Labels = Readonly<Record<string, string | number>>;

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
