import { deepCopy, isJsonObject, type JsonObject, type JsonValue } from './json-value.js';

/**
 * Strategic-merge patching as kustomize does it, for the part of it the renderer supports: mappings merge
 * recursively, `null` deletes a field, scalars replace, and a list merges by its Kubernetes merge key (the patch's
 * items first, each merged with the item of the same key, then the others) or, for the lists Kubernetes treats as
 * atomic, is replaced.
 * A list this table does not know, and any `$patch`-style directive, is refused: guessing how Kubernetes merges a
 * list would make the rendered objects differ from kustomize's without a word.
 */

/** Kinds whose pod template is at spec.template: the prefix of their pod-spec lists below. */
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

type ListRule = { readonly mergeKey: string } | { readonly atomic: true };

const CONTAINER_LISTS: Record<string, ListRule> = {
  env: { mergeKey: 'name' },
  ports: { mergeKey: 'containerPort' },
  volumeMounts: { mergeKey: 'mountPath' },
  args: { atomic: true },
  command: { atomic: true },
};

/** The rule for a list at `path` (field names from the object's root, no indices) of an object of `kind`. */
function listRule(kind: string, path: readonly string[]): ListRule | undefined {
  const joined = path.join('/');
  if (kind === 'Service' && joined === 'spec/ports') return { mergeKey: 'port' };
  if (!POD_TEMPLATE_KINDS.has(kind)) return undefined;
  const podSpec = 'spec/template/spec/';
  if (!joined.startsWith(podSpec)) return undefined;
  const rest = joined.slice(podSpec.length).split('/');
  if (rest.length === 1) {
    const [list] = rest;
    if (list === 'containers' || list === 'initContainers') return { mergeKey: 'name' };
    if (list === 'volumes' || list === 'imagePullSecrets') return { mergeKey: 'name' };
    return undefined;
  }
  if (rest.length === 2 && (rest[0] === 'containers' || rest[0] === 'initContainers')) {
    return CONTAINER_LISTS[rest[1]!];
  }
  return undefined;
}

/** `target` with `patch` merged in (a new object; neither argument changes). */
export function strategicMerge(kind: string, target: JsonObject, patch: JsonObject): JsonObject {
  const result = deepCopy(target);
  mergeInto(kind, result, patch, []);
  return result;
}

function mergeInto(kind: string, target: JsonObject, patch: JsonObject, path: readonly string[]): void {
  for (const [key, value] of Object.entries(patch)) {
    const where = [...path, key];
    if (key.startsWith('$')) {
      throw new Error(`patch directive ${where.join('/')} is not supported by this renderer`);
    }
    if (value === null) {
      Reflect.deleteProperty(target, key);
    } else if (Array.isArray(value)) {
      target[key] = mergeList(kind, target[key], value, where);
    } else if (isJsonObject(value)) {
      const existing = target[key];
      const into: JsonObject = isJsonObject(existing) ? existing : {};
      mergeInto(kind, into, value, where);
      target[key] = into;
    } else {
      target[key] = value;
    }
  }
}

function mergeList(
  kind: string,
  existing: JsonValue | undefined,
  patch: JsonValue[],
  path: readonly string[],
): JsonValue[] {
  const rule = listRule(kind, path);
  if (rule === undefined) {
    throw new Error(
      `patching the list ${path.join('/')} of a ${kind} is not supported by this renderer (its merge strategy is not in its table)`,
    );
  }
  if ('atomic' in rule) return deepCopy(patch);
  // As kustomize orders them: the patch's items first, in the patch's order (each merged into the item with its key,
  // if any), then the items the patch does not name, in their order.
  const original = Array.isArray(existing) ? existing : [];
  const merged: JsonValue[] = [];
  const named = new Set<JsonValue>();
  for (const item of patch) {
    if (!isJsonObject(item) || item[rule.mergeKey] === undefined) {
      throw new Error(`every item patched into ${path.join('/')} must be a mapping with ${rule.mergeKey}`);
    }
    const key = item[rule.mergeKey]!;
    if (named.has(key)) throw new Error(`${path.join('/')}: the patch names ${String(key)} twice`);
    named.add(key);
    const match = original.find((old) => isJsonObject(old) && old[rule.mergeKey] === key);
    const into = isJsonObject(match) ? deepCopy(match) : {};
    mergeInto(kind, into, item, path);
    merged.push(into);
  }
  for (const old of original) {
    if (!isJsonObject(old) || !named.has(old[rule.mergeKey]!)) merged.push(deepCopy(old));
  }
  return merged;
}
