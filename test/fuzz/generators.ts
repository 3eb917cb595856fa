/**
 * Weird values for the every-door fuzzer: edge numbers and text, polluting keys, deep nesting, and mutations of
 * valid params. Each is a pure function of the random source it is given, so a request is a function of the seed
 * and its index alone.
 */
import type { Rng } from './rng.js';

/** Unicode that has tripped servers: controls, a BOM, right-to-left marks, astral characters, a lone surrogate. */
export const ODD_TEXT: readonly string[] = [
  '',
  ' ',
  '\u0000',
  '\u0000\u0001\u001f',
  '\ufeff',
  '\u202e\u202d',
  'Ω≈ç√∫˜µ≤≥÷',
  '😀🧪🪐'.repeat(5),
  '\ud800',
  '\udfff\ud800',
  'e\u0301\u0301\u0301',
  '١٢٣',
  '𝟘𝟙𝟚',
  '<script>alert(1)</script>',
  "'; DROP TABLE models; --",
  '../../etc/passwd',
  '%00%2e%2e%2f',
  '${jndi:ldap://x}',
  '{{7*7}}',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-0',
  '0x1f',
  'true',
  'null',
  '__proto__',
  'constructor',
];

/** Numbers at and beyond every kind of edge. */
export const ODD_NUMBERS: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.5,
  2 ** 31,
  2 ** 32,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  1e308,
  1e-308,
  5e-324,
  123456789.12345679,
  1e21,
];

/** A key that a naive merge would turn into prototype pollution. */
export const POLLUTING_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

/** A weird JSON value: of any type, at edges, nested a little, or with polluting keys (as own properties). */
export function weirdValue(rng: Rng, depth = 0): unknown {
  const kind = rng.int(0, depth > 2 ? 5 : 9);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(ODD_NUMBERS);
    case 3:
      return rng.pick(ODD_TEXT);
    case 4:
      return rng.text(rng.int(0, 40));
    case 5:
      return rng.int(-5, 5);
    case 6:
      return Array.from({ length: rng.int(0, 5) }, () => weirdValue(rng, depth + 1));
    case 7:
      return Object.fromEntries(
        Array.from({ length: rng.int(0, 4) }, () => [
          rng.chance(0.3) ? rng.pick(POLLUTING_KEYS) : rng.text(rng.int(0, 8)),
          weirdValue(rng, depth + 1),
        ]),
      );
    case 8:
      return pollutingObject(rng);
    default:
      return 'x'.repeat(rng.pick([1_000, 10_000, 70_000]));
  }
}

/** `{"__proto__": {...}}` and its kin as own properties (JSON.parse makes `__proto__` an own key). */
export function pollutingObject(rng: Rng): unknown {
  const key = rng.pick(POLLUTING_KEYS);
  const inner =
    key === 'constructor' ? '{"prototype":{"polluted":true}}' : '{"polluted":true,"isAdmin":true}';
  return JSON.parse(`{"${key}":${inner}}`) as unknown;
}

/** JSON text nested `depth` levels deep, of arrays, objects or both, around `inner`. */
export function nestedJson(depth: number, rng: Rng, inner = '1'): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    if (rng.chance(0.5)) {
      open += '[';
      close = `]${close}`;
    } else {
      open += '{"a":';
      close = `}${close}`;
    }
  }
  return open + inner + close;
}

/** A nested value to place inside params: around MAX_JSON_DEPTH (64), or far beyond it. */
export function deepNesting(rng: Rng): string {
  return nestedJson(rng.pick([30, 60, 63, 64, 65, 100, 1_000, 5_000]), rng);
}

/** A mutation of a valid value: a field dropped, replaced by a weird value, renamed, or the whole value changed. */
export function mutate(rng: Rng, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || rng.chance(0.1)) return weirdValue(rng);
  if (Array.isArray(value)) {
    const copy = [...value] as unknown[];
    const action = rng.int(0, 3);
    if (action === 0 && copy.length) copy[rng.int(0, copy.length - 1)] = weirdValue(rng);
    else if (action === 1) copy.push(weirdValue(rng));
    else if (action === 2) return copy.map(() => rng.pick(['NaN', null, '1', {}, []]));
    else copy.length = 0;
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const times = rng.int(1, 3);
  for (let i = 0; i < times; i++) {
    const action = rng.int(0, 5);
    const key = keys.length ? rng.pick(keys) : 'x';
    if (action === 0) Reflect.deleteProperty(copy, key);
    else if (action === 1) copy[key] = weirdValue(rng);
    else if (action === 2) copy[key] = mutate(rng, copy[key]);
    else if (action === 3) copy[rng.text(rng.int(1, 12))] = weirdValue(rng);
    // As own properties: Object.assign would set `__proto__` (the prototype), which JSON.stringify leaves out.
    else if (action === 4)
      for (const [name, inner] of Object.entries(pollutingObject(rng) as object)) setOwn(copy, name, inner);
    else copy[key] = [copy[key]];
  }
  return copy;
}

/** `target[name] = value` as an own, enumerable property, even where `name` is `__proto__`. */
function setOwn(target: Record<string, unknown>, name: string, value: unknown): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Numbers for an array near and over a bound: a count and the first beyond it. */
export function aroundBound(rng: Rng, bound: number): number {
  return rng.pick([0, 1, bound - 1, bound, bound + 1, bound * 2]);
}
