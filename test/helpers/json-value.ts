/** A value as YAML and JSON documents hold it: what Kubernetes objects and kustomizations are made of. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` as an object, or an error naming `where` it was expected. */
export function asObject(value: JsonValue | undefined, where: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${where} must be a mapping`);
  return value;
}

export function asArray(value: JsonValue | undefined, where: string): JsonValue[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be a list`);
  return value;
}

export function asString(value: JsonValue | undefined, where: string): string {
  if (typeof value !== 'string') throw new Error(`${where} must be a string`);
  return value;
}

/** The object at `path` below `root`, or undefined where any step is missing or not an object. */
export function objectAt(root: JsonObject, path: readonly string[]): JsonObject | undefined {
  let node: JsonValue | undefined = root;
  for (const step of path) {
    if (!isJsonObject(node)) return undefined;
    node = node[step];
  }
  return isJsonObject(node) ? node : undefined;
}

/** The list at `path` below `root` (objects only), or an empty list where it is missing. */
export function objectsAt(root: JsonObject, path: readonly string[]): JsonObject[] {
  const parent = objectAt(root, path.slice(0, -1));
  const list = parent?.[path[path.length - 1]!];
  return Array.isArray(list) ? list.filter(isJsonObject) : [];
}

/** The object at `path`, made (with every missing step) when absent. */
export function ensureObjectAt(root: JsonObject, path: readonly string[]): JsonObject {
  let node = root;
  for (const step of path) {
    const next = node[step];
    if (isJsonObject(next)) {
      node = next;
    } else {
      const made: JsonObject = {};
      node[step] = made;
      node = made;
    }
  }
  return node;
}

export function deepCopy<T extends JsonValue>(value: T): T {
  return structuredClone(value);
}
