import * as crypto from 'node:crypto';

/**
 * A value that can take part in a cache key: JSON, with `undefined` object members allowed and skipped
 * (as JSON.stringify skips them), so that `{a: 1}` and `{a: 1, b: undefined}` give the same key.
 * Object types must be type aliases (as zod's `z.infer` produces), not interfaces: TypeScript gives interfaces
 * no implicit index signature.
 */
export type JsonInput =
  string | number | boolean | null | readonly JsonInput[] | { readonly [key: string]: JsonInput | undefined };

/** Deeper than any operation input; reaching it means a cycle (or an input nobody should hash). */
const MAX_DEPTH = 64;

/**
 * JSON text in which every object's keys are sorted (by UTF-16 code units, as Array.prototype.sort does), so the
 * same inputs always give the same text whatever order a client sent them in. Numbers, strings and arrays are
 * written as JSON.stringify writes them (so -0 is 0, and 1.0 is 1, as in the original's keys). Values that JSON
 * cannot represent — NaN, ±Infinity, bigint, functions, symbols, cycles — throw: two different inputs must never
 * share a key, and JSON.stringify would turn NaN and null into the same text.
 *
 * This runs on every cache lookup, so it is written for speed: one string built by appending, and a depth limit
 * instead of a set of visited objects to catch cycles.
 */
export function canonicalJson(value: JsonInput): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cache keys cannot contain ${value}`);
      // For finite numbers String() and JSON.stringify() agree, -0 included.
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (depth >= MAX_DEPTH)
        throw new TypeError(`cache keys cannot nest deeper than ${MAX_DEPTH} (or contain a cycle)`);
      return Array.isArray(value) ? writeArray(value, depth + 1) : writeObject(value, depth + 1);
    }
    default:
      throw new TypeError(`cache keys cannot contain a ${typeof value}`);
  }
}

function writeArray(items: readonly unknown[], depth: number): string {
  let text = '[';
  for (let i = 0; i < items.length; i += 1) {
    if (i > 0) text += ',';
    // As in JSON.stringify, an array hole or undefined element is null.
    const item = items[i];
    text += item === undefined ? 'null' : write(item, depth);
  }
  return text + ']';
}

function writeObject(object: object, depth: number): string {
  const record = object as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (text.length > 1) text += ',';
    text += JSON.stringify(key) + ':' + write(member, depth);
  }
  return text + '}';
}

/**
 * Lowercase hex SHA-256 of the UTF-8 text. `crypto.hash` (Node.js ≥ 20.12) hashes without building a Hash
 * object, about three times faster for a short key than createHash; older Node.js 20 releases lack it.
 */
export const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'hex')
    : (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** A model's identity for cache keys: a retrained model gets a new version, and so new keys. */
export interface ModelRef {
  readonly modelId: string;
  readonly modelVersion: string | number;
}

/** A key made by `cacheKey`: the kind in clear (for debugging and Redis key names), then a hash of everything. */
export type CacheKey = string & { readonly __cacheKey: unique symbol };

/**
 * Bumped whenever what a cached value means changes (its shape, or the key's recipe), so that old entries in a
 * shared Redis or a file cache directory become unreachable instead of being misread.
 */
export const CACHE_KEY_VERSION = 1;

/**
 * `<kind>:<sha256 hex>` of the canonical JSON of the kind, the tenant, the model (id and version, when the result
 * depends on one) and the inputs. `kind` names a key space of its own (each cached operation names one), so equal
 * inputs of two kinds never share a key. Key order inside the inputs does not matter; the tenant and the model
 * version do. Throws for inputs no key can represent (see `canonicalJson`).
 */
export function cacheKey(kind: string, input: JsonInput, tenant: string, model?: ModelRef): CacheKey {
  const material: JsonInput = {
    v: CACHE_KEY_VERSION,
    kind,
    tenant,
    model: model === undefined ? null : { id: model.modelId, version: model.modelVersion },
    input,
  };
  return `${kind}:${sha256Hex(canonicalJson(material))}` as CacheKey;
}
