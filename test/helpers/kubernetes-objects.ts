import { asString, objectAt, objectsAt, type JsonObject, type JsonValue } from './json-value.js';

/** Reading rendered Kubernetes objects: what they are, what they select, what their pods declare. */

export const kindOf = (object: JsonObject): string => asString(object.kind, 'kind');
export const nameOf = (object: JsonObject): string =>
  asString(objectAt(object, ['metadata'])?.name, 'metadata.name');
export const namespaceOf = (object: JsonObject): string | undefined => {
  const namespace = objectAt(object, ['metadata'])?.namespace;
  return typeof namespace === 'string' ? namespace : undefined;
};
export const titleOf = (object: JsonObject): string => `${kindOf(object)} ${nameOf(object)}`;

export function ofKind(objects: readonly JsonObject[], kind: string): JsonObject[] {
  return objects.filter((object) => kindOf(object) === kind);
}

/** The object of `kind` named `name`, or an error saying it is missing. */
export function named(objects: readonly JsonObject[], kind: string, name: string): JsonObject {
  const found = objects.find((object) => kindOf(object) === kind && nameOf(object) === name);
  if (!found) throw new Error(`no ${kind} ${name} among the rendered objects`);
  return found;
}

/** Deployments and StatefulSets: the objects that make pods here. */
export function workloads(objects: readonly JsonObject[]): JsonObject[] {
  return objects.filter((object) => ['Deployment', 'StatefulSet'].includes(kindOf(object)));
}

export function podSpec(workload: JsonObject): JsonObject {
  const spec = objectAt(workload, ['spec', 'template', 'spec']);
  if (!spec) throw new Error(`${titleOf(workload)} has no pod template`);
  return spec;
}

export function podLabels(workload: JsonObject): Record<string, string> {
  return stringRecord(objectAt(workload, ['spec', 'template', 'metadata', 'labels']));
}

export function podAnnotations(workload: JsonObject): Record<string, string> {
  return stringRecord(objectAt(workload, ['spec', 'template', 'metadata', 'annotations']));
}

export function containers(workload: JsonObject): JsonObject[] {
  return objectsAt(podSpec(workload), ['containers']);
}

export function stringRecord(value: JsonObject | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [key, item] of Object.entries(value ?? {})) if (typeof item === 'string') record[key] = item;
  return record;
}

/**
 * Whether a label selector selects `labels`: a Service's plain map, or a LabelSelector's matchLabels and
 * matchExpressions (In, NotIn, Exists, DoesNotExist). An empty LabelSelector selects everything.
 */
export function selects(selector: JsonObject, labels: Readonly<Record<string, string>>): boolean {
  const isLabelSelector = 'matchLabels' in selector || 'matchExpressions' in selector;
  const matchLabels = isLabelSelector
    ? stringRecord(objectAt(selector, ['matchLabels']))
    : stringRecord(selector);
  for (const [key, value] of Object.entries(matchLabels)) if (labels[key] !== value) return false;
  for (const expression of objectsAt(selector, ['matchExpressions'])) {
    const key = asString(expression.key, 'matchExpressions key');
    const values = Array.isArray(expression.values) ? expression.values : [];
    const has = Object.hasOwn(labels, key);
    switch (expression.operator) {
      case 'In':
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${String(expression.operator)}`);
    }
  }
  return true;
}

/** The port number a container's `port` (a number, or the name of one of its ports) stands for. */
export function containerPort(container: JsonObject, port: JsonValue | undefined): number | undefined {
  for (const declared of objectsAt(container, ['ports'])) {
    if (declared.containerPort === port || (typeof port === 'string' && declared.name === port)) {
      return typeof declared.containerPort === 'number' ? declared.containerPort : undefined;
    }
  }
  return undefined;
}

/** The port a pod's containers declare under `port` (number or name), if any does. */
export function podPort(workload: JsonObject, port: JsonValue | undefined): number | undefined {
  for (const container of containers(workload)) {
    const found = containerPort(container, port);
    if (found !== undefined) return found;
  }
  return undefined;
}

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL_SUFFIXES: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A resource quantity's value: `512Mi` is 536870912, `500m` is 0.5. */
export function quantity(value: JsonValue | undefined): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(String(value));
  const factor = match ? (BINARY_SUFFIXES[match[2]!] ?? DECIMAL_SUFFIXES[match[2]!]) : undefined;
  if (!match || factor === undefined) throw new Error(`${String(value)} is not a quantity this test reads`);
  return Number(match[1]) * factor;
}
