import { describe, expect, it } from 'vitest';
import {
  cos,
  exp,
  expm1,
  fromWords,
  log,
  powerOfTwo,
  powInteger,
  sin,
  tanh,
  twoPiToTheHalf,
} from '../../src/core/math/deterministic-math.js';
import { SeededRandom } from '../../src/core/index.js';

/**
 * The core's own elementary functions against Node's Math.* (itself within 1 ulp of the exact result): at most
 * 1 ulp apart on random arguments over the ranges the core uses and far beyond, and exactly equal on special values.
 */
const bits = new BigInt64Array(1);
const asDouble = new Float64Array(bits.buffer);

/** Position of x on the number line of doubles, so that two results' difference counts the doubles between. */
function ordinal(x: number): bigint {
  asDouble[0] = x;
  const b = bits[0] as bigint;
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

function ulpsApart(a: number, b: number): number {
  if (Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))) return 0;
  return Math.abs(Number(ordinal(a) - ordinal(b)));
}

type Unary = (x: number) => number;
const random = new SeededRandom(21);
const symmetric = (scale: number) => () => (random.uniform() - 0.5) * scale;
/** |x| spread over many orders of magnitude, 10^low … 10^high, either sign. */
const logarithmic = (low: number, high: number) => () =>
  (random.uniform() < 0.5 ? -1 : 1) * 10 ** (low + random.uniform() * (high - low));

const CASES: readonly (readonly [string, Unary, Unary, () => number])[] = [
  ['sin on ±100 (phases, datasets, Box–Muller)', sin, Math.sin, symmetric(200)],
  ['sin on 1e-8 … 1e22', sin, Math.sin, logarithmic(-8, 22)],
  ['sin on huge arguments up to 1e308', sin, Math.sin, logarithmic(22, 308)],
  ['cos on ±100', cos, Math.cos, symmetric(200)],
  ['cos on 1e-8 … 1e22', cos, Math.cos, logarithmic(-8, 22)],
  ['exp on ±10 (σ, envelopes)', exp, Math.exp, symmetric(20)],
  ['exp on −746 … 710 (underflow to overflow)', exp, Math.exp, () => random.uniformRange(-746, 710)],
  ['log on (0, 1] (Box–Muller)', log, Math.log, () => random.uniform()],
  ['log on 1e-310 … 1e308 (subnormals too)', log, Math.log, () => 10 ** (random.uniform() * 618 - 310)],
  ['tanh on ±3 (activations)', tanh, Math.tanh, symmetric(6)],
  ['tanh on ±30', tanh, Math.tanh, symmetric(60)],
  ['expm1 on ±50', expm1, Math.expm1, symmetric(100)],
];

describe('deterministic elementary functions', () => {
  it.each(CASES)('%s: within 1 ulp of Math.* on 20,000 random arguments', (_name, ours, reference, draw) => {
    let worst = 0;
    let worstAt = 0;
    for (let i = 0; i < 20_000; i++) {
      const x = draw();
      const apart = ulpsApart(ours(x), reference(x));
      if (apart > worst) [worst, worstAt] = [apart, x];
    }
    expect(worst, `worst at ${worstAt}`).toBeLessThanOrEqual(1);
  });

  it('gives exactly Math.*’s answer on special and boundary values', () => {
    const specials = [
      0,
      -0,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      2.2250738585072014e-308,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      1,
      -1,
      Math.PI / 4,
      Math.PI / 2,
      Math.PI,
      2 * Math.PI,
      1e-300,
      1e22,
    ];
    for (const x of specials) {
      for (const [name, ours, reference] of [
        ['tanh', tanh, Math.tanh],
        ['expm1', expm1, Math.expm1],
        ['log', log, Math.log],
        ['exp', exp, Math.exp],
      ] as const) {
        expect(Object.is(ours(x), reference(x)), `${name}(${x})`).toBe(true);
      }
      for (const [name, ours, reference] of [
        ['sin', sin, Math.sin],
        ['cos', cos, Math.cos],
      ] as const) {
        expect(ulpsApart(ours(x), reference(x)), `${name}(${x})`).toBeLessThanOrEqual(x === 1e22 ? 1 : 0);
      }
    }
    // The textbook huge argument: sin(1e22) = −0.8522008497671888… (exact to 17 digits).
    expect(sin(1e22)).toBe(-0.8522008497671888);
    // exp's thresholds: the largest finite result, the first overflow, the last subnormal, the first zero.
    for (const x of [709.782712893384, 709.7827128933841, -745.1332191019411, -745.1332191019412, -708.4]) {
      expect(Object.is(exp(x), Math.exp(x)), `exp(${x})`).toBe(true);
    }
    expect(log(-1)).toBeNaN();
    expect(Object.is(sin(-0), -0)).toBe(true);
    expect(Object.is(tanh(-0), -0)).toBe(true);
  });

  it('is the same function for every argument: odd symmetry holds to the bit', () => {
    for (let i = 0; i < 2_000; i++) {
      const x = (random.uniform() - 0.5) * 1e4;
      expect(sin(-x)).toBe(-sin(x));
      expect(cos(-x)).toBe(cos(x));
      expect(tanh(-x)).toBe(-tanh(x));
    }
  });

  it('powers of two and integer powers are exact where they can be', () => {
    expect(powerOfTwo(0)).toBe(1);
    expect(powerOfTwo(-1074)).toBe(Number.MIN_VALUE);
    expect(powerOfTwo(-1075)).toBe(0);
    expect(powerOfTwo(-1043)).toBe(2 ** -1043);
    expect(powerOfTwo(1023)).toBe(2 ** 1023);
    expect(powerOfTwo(1024)).toBe(Number.POSITIVE_INFINITY);
    for (let e = -1074; e <= 1023; e++) expect(powerOfTwo(e)).toBe(2 ** e);
    expect(powInteger(7, 18)).toBe(1628413597910449);
    expect(powInteger(2, -3)).toBe(0.125);
    expect(powInteger(0.9, 0)).toBe(1);
    expect(Math.abs(powInteger(0.999, 1000) / 0.999 ** 1000 - 1)).toBeLessThan(3e-16);
    expect(twoPiToTheHalf(2)).toBe(2 * Math.PI);
    expect(Math.abs(twoPiToTheHalf(5) / (2 * Math.PI) ** 2.5 - 1)).toBeLessThan(1e-15);
  });

  it('its decimal constants are the fdlibm words they stand for', () => {
    // Spot checks of the parsed literals against fdlibm's hexadecimal (the rest are checked by the ulp tests).
    expect(fromWords(0x3fe62e42, 0xfee00000)).toBe(6.9314718036912381649e-1);
    expect(fromWords(0x3dea39ef, 0x35793c76)).toBe(1.90821492927058770002e-10);
    expect(fromWords(0x3ff921fb, 0x54400000)).toBe(1.57079632673412561417);
    expect(fromWords(0x397b839a, 0x252049c1)).toBe(8.47842766036889956997e-32);
    expect(fromWords(0xbfc55555, 0x55555549)).toBe(-1.66666666666666324348e-1);
    expect(fromWords(0x3fc2f112, 0xdf3e5244)).toBe(1.479819860511658591e-1);
  });
});
