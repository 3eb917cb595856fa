import { decodeFloat64, type Encoded } from './golden-probe.js';

/** How two encoded answers differ: in shape or text (never allowed), and in float64 bits. */
export interface Difference {
  /** Where the shapes, keys, texts or vector lengths disagree; empty when they agree. */
  readonly structural: string[];
  /** Values whose bits differ, of all values compared. */
  readonly differingValues: number;
  readonly values: number;
  /** The largest distance in units in the last place (adjacent doubles are 1 apart). */
  readonly maxUlps: number;
  /** The largest |a − b| divided by the largest magnitude in the same vector (the answer's scale). */
  readonly maxScaledDifference: number;
}

export function compareEncoded(a: Encoded, b: Encoded, path = ''): Difference {
  const result = {
    structural: [] as string[],
    differingValues: 0,
    values: 0,
    maxUlps: 0,
    maxScaledDifference: 0,
  };
  walk(a, b, path, result);
  return result;
}

function walk(
  a: Encoded,
  b: Encoded,
  path: string,
  into: { -readonly [K in keyof Difference]: Difference[K] },
): void {
  if (typeof a === 'string' && typeof b === 'string' && a.startsWith('f64:') && b.startsWith('f64:')) {
    const x = decodeFloat64(a);
    const y = decodeFloat64(b);
    if (x.length !== y.length) {
      into.structural.push(`${path}: ${x.length} values against ${y.length}`);
      return;
    }
    let scale = 0;
    for (const v of [...x, ...y]) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    const xBits = new BigInt64Array(x.buffer);
    const yBits = new BigInt64Array(y.buffer);
    into.values += x.length;
    for (let i = 0; i < x.length; i++) {
      if (xBits[i] === yBits[i]) continue;
      into.differingValues += 1;
      into.maxUlps = Math.max(into.maxUlps, ulps(x[i]!, y[i]!));
      const scaled = Math.abs(x[i]! - y[i]!) / (scale || 1);
      into.maxScaledDifference = Math.max(into.maxScaledDifference, Number.isNaN(scaled) ? Infinity : scaled);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) into.structural.push(`${path}: ${a.length} items against ${b.length}`);
    else a.forEach((item, i) => walk(item, b[i]!, `${path}[${i}]`, into));
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.join() !== Object.keys(b).join())
      into.structural.push(`${path}: keys ${keys} against ${Object.keys(b)}`);
    else for (const key of keys) walk(a[key]!, b[key]!, `${path}.${key}`, into);
    return;
  }
  if (a !== b) into.structural.push(`${path}: ${JSON.stringify(a)} against ${JSON.stringify(b)}`);
}

function isRecord(value: Encoded): value is { [key: string]: Encoded } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Distance between two doubles in representable steps (signs apart: through zero; NaN against a number: ∞). */
function ulps(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Infinity;
  const ordered = (v: number) => {
    const bits = new BigInt64Array(Float64Array.of(v).buffer)[0]!;
    return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
  };
  const d = ordered(x) - ordered(y);
  return Number(d < 0n ? -d : d);
}
