/**
 * sin, cos, exp, log and tanh computed with IEEE 754 arithmetic only, so every JavaScript engine returns the
 * same bits.
 *
 * Why: ECMAScript leaves the precision of Math.sin/cos/exp/log/tanh/pow to each engine, and engines differ in the
 * last bit (Chromium and Node ship different V8 versions, and V8 has changed its trigonometry between them), so a
 * model trained or evaluated in a browser would drift from the server's answers. +, −, ×, ÷ and Math.sqrt are
 * correctly rounded everywhere, as are the bit views of a Float64Array and BigInt arithmetic; these functions use
 * nothing else. A library would add a dependency to the portable module, so these are ports of fdlibm's
 * public-domain algorithms (e_exp.c, e_log.c, s_expm1.c, s_tanh.c, k_sin.c, k_cos.c, e_rem_pio2.c), each
 * documented there as within 1 ulp of the exact result. The reduction of huge sine/cosine arguments
 * (|x| ≥ 2^20·π/2, far outside what the core produces) replaces fdlibm's __kernel_rem_pio2 with exact BigInt
 * arithmetic on 2/π to 1300 bits, computed once, on first use, from Machin's formula.
 *
 * Constants are fdlibm's; test/core/deterministic-math.test.ts checks each against its hexadecimal words.
 */

const WORD_BUFFER = new Float64Array(1);
const WORDS = new Int32Array(WORD_BUFFER.buffer);
/** Index of the high (sign and exponent) 32-bit word of a double in WORDS: the platform's byte order decides. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LOW = 1 - HIGH;

function highWord(x: number): number {
  WORD_BUFFER[0] = x;
  return WORDS[HIGH] as number;
}

function lowWord(x: number): number {
  WORD_BUFFER[0] = x;
  return WORDS[LOW] as number;
}

function withHighWord(x: number, high: number): number {
  WORD_BUFFER[0] = x;
  WORDS[HIGH] = high;
  return WORD_BUFFER[0] as number;
}

/** The double with these two 32-bit words (for the tests, which check the decimal constants against them). */
export function fromWords(high: number, low: number): number {
  WORDS[HIGH] = high | 0;
  WORDS[LOW] = low | 0;
  return WORD_BUFFER[0] as number;
}

/** 2^e exactly, for any integer e: 0 below −1074, +∞ above 1023, subnormal in between as needed. */
export function powerOfTwo(e: number): number {
  if (e > 1023) return Number.POSITIVE_INFINITY;
  if (e >= -1022) return fromWords((e + 1023) << 20, 0);
  if (e < -1074) return 0;
  // Subnormal: one mantissa bit, 2^(e + 1074) units of 2^-1074.
  const bit = e + 1074;
  return bit >= 32 ? fromWords(1 << (bit - 32), 0) : fromWords(0, bit === 31 ? -2147483648 : 1 << bit);
}

/** 2^(e − 1074) at index e: every power of two a double holds, so scaling is a lookup and a product. */
const POWERS_OF_TWO = Float64Array.from({ length: 2098 }, (_, i) => powerOfTwo(i - 1074));

/** y·2^k for y in [0.5, 2) and k of an exponential's reduction (−1080 … 1024): exact unless it must round. */
function scaleByPowerOfTwo(y: number, k: number): number {
  if (k > 1023) return y * 2 * (POWERS_OF_TWO[k - 1 + 1074] as number);
  if (k < -1021)
    return y * (POWERS_OF_TWO[k + 1000 + 1074] as number) * (POWERS_OF_TWO[-1000 + 1074] as number);
  return y * (POWERS_OF_TWO[k + 1074] as number);
}

/**
 * Bounds on |x| equivalent to fdlibm's tests of the high word (ix < H ⟺ |x| < fromWords(H, 0)): comparing
 * doubles spares the hot paths a trip through the Float64Array, which V8 makes several times slower.
 */
const below = (high: number): number => fromWords(high, 0);

/** Veltkamp's splitter 2^27 + 1: a·SPLIT separates a double into two halves whose products are exact. */
const SPLIT = 134217729;
/** The pair [high, low] a double-double product leaves behind (read both before the next call). */
const PRODUCT = new Float64Array(2);

/** (aHi + aLo)·(bHi + bLo) as a double-double in PRODUCT: Dekker's exact product of the heads plus the cross terms. */
function multiplyDoubleDouble(aHi: number, aLo: number, bHi: number, bLo: number): void {
  const high = aHi * bHi;
  let t = SPLIT * aHi;
  const aH = t - (t - aHi);
  const aL = aHi - aH;
  t = SPLIT * bHi;
  const bH = t - (t - bHi);
  const bL = bHi - bH;
  const error = aH * bH - high + aH * bL + aL * bH + aL * bL;
  const low = error + (aHi * bLo + aLo * bHi);
  const sum = high + low;
  PRODUCT[0] = sum;
  PRODUCT[1] = low - (sum - high);
}

/**
 * base^exponent for an integer exponent: repeated squaring in double-double arithmetic, so the result is within
 * an ulp or so even for exponents in the thousands (Adam's bias correction, β^step). Outside the range where the
 * splitting is exact (results beyond about 1e±290) it falls back to plain repeated squaring, a few ulps.
 */
export function powInteger(base: number, exponent: number): number {
  let n = Math.abs(exponent);
  let resultHi = 1;
  let resultLo = 0;
  let powerHi = base;
  let powerLo = 0;
  let plain = 1;
  let plainPower = base;
  while (n > 0) {
    if (n % 2 === 1) {
      multiplyDoubleDouble(resultHi, resultLo, powerHi, powerLo);
      resultHi = PRODUCT[0] as number;
      resultLo = PRODUCT[1] as number;
      plain *= plainPower;
    }
    n = Math.floor(n / 2);
    if (n > 0) {
      multiplyDoubleDouble(powerHi, powerLo, powerHi, powerLo);
      powerHi = PRODUCT[0] as number;
      powerLo = PRODUCT[1] as number;
      plainPower *= plainPower;
    }
  }
  const accurate = resultHi + resultLo;
  const result = Math.abs(accurate) > 1e-290 && Math.abs(accurate) < 1e290 ? accurate : plain;
  return exponent < 0 ? 1 / result : result;
}

/** (2π)^(dim/2), the Gaussian normalisation's power, for a whole dim: an integer power times √(2π) when odd. */
export function twoPiToTheHalf(dim: number): number {
  const whole = powInteger(2 * Math.PI, Math.floor(dim / 2));
  return dim % 2 === 1 ? whole * Math.sqrt(2 * Math.PI) : whole;
}

// ---------------------------------------------------------------- exp (fdlibm e_exp.c)

const LN2_HI = 6.9314718036912381649e-1; // 0x3fe62e42 fee00000: n·LN2_HI exact for |n| < 2^21
const LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const INV_LN2 = 1.442695040888963387; // 0x3ff71547 652b82fe
const EXP_OVERFLOW = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const EXP_UNDERFLOW = -7.4513321910194110842e2; // 0xc0874910 D52D3051
const P1 = 1.66666666666666019037e-1; // 0x3FC55555 5555553E
const P2 = -2.77777777770155933842e-3; // 0xBF66C16C 16BEBD93
const P3 = 6.61375632143793436117e-5; // 0x3F11566A AF25DE2C
const P4 = -1.6533902205465251539e-6; // 0xBEBBBD41 C5D26BF1
const P5 = 4.13813679705723846039e-8; // 0x3E663769 72BEA4D0

const EXP_SPECIAL = below(0x40862e42);
const HALF_LN2 = below(0x3fd62e43);
const THREE_HALVES_LN2 = below(0x3ff0a2b2);

/** e^x, within 1 ulp. */
export function exp(x: number): number {
  const a = Math.abs(x);
  const negative = x < 0;
  if (!(a < EXP_SPECIAL)) {
    // |x| ≥ 709.78…: NaN, ±∞, overflow or underflow.
    if (x !== x) return x;
    if (x > EXP_OVERFLOW) return Number.POSITIVE_INFINITY;
    if (x < EXP_UNDERFLOW) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  let r = x;
  if (a >= HALF_LN2) {
    // |x| > ln2/2: x = k·ln2 + r with |r| ≤ ln2/2, r = hi − lo.
    if (a < THREE_HALVES_LN2) {
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = (INV_LN2 * x + (negative ? -0.5 : 0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    r = hi - lo;
  } else if (a < 3.725290298461914e-9) {
    // |x| < 2^-28.
    return 1 + x;
  }
  // fdlibm's result for e^1 is an ulp above the correctly rounded e; V8 special-cases it, and so do we.
  if (x === 1) return 2.718281828459045;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((r * c) / (c - 2) - r);
  const y = 1 - (lo - (r * c) / (2 - c) - hi);
  return scaleByPowerOfTwo(y, k);
}

// ---------------------------------------------------------------- expm1 (fdlibm s_expm1.c), for tanh

const Q1 = -3.33333333333331316428e-2; // 0xBFA11111 111110F4
const Q2 = 1.58730158725481460165e-3; // 0x3F5A01A0 19FE5585
const Q3 = -7.93650757867487942473e-5; // 0xBF14CE19 9EAADBB7
const Q4 = 4.00821782732936239552e-6; // 0x3ED0CFCA 86E65239
const Q5 = -2.01099218183624371326e-7; // 0xBE8AFDB7 6E09C32D

const EXPM1_SATURATION = below(0x4043687a); // 56·ln 2

/** e^x − 1 without cancellation, within 1 ulp. */
export function expm1(x: number): number {
  const a = Math.abs(x);
  const negative = x < 0;
  if (!(a < EXPM1_SATURATION)) {
    // |x| ≥ 56·ln2.
    if (x !== x) return x;
    if (negative) return -1;
    if (x > EXP_OVERFLOW) return Number.POSITIVE_INFINITY;
  }
  let k = 0;
  let c = 0;
  let r = x;
  if (a >= HALF_LN2) {
    let hi: number;
    let lo: number;
    if (a < THREE_HALVES_LN2) {
      hi = negative ? x + LN2_HI : x - LN2_HI;
      lo = negative ? -LN2_LO : LN2_LO;
      k = negative ? -1 : 1;
    } else {
      k = (INV_LN2 * x + (negative ? -0.5 : 0.5)) | 0;
      hi = x - k * LN2_HI;
      lo = k * LN2_LO;
    }
    r = hi - lo;
    c = hi - r - lo;
  } else if (a < 5.551115123125783e-17) {
    // |x| < 2^-54.
    return x;
  }
  const hfx = 0.5 * r;
  const hxs = r * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6 - r * t));
  if (k === 0) return r - (r * e - hxs);
  e = r * (e - c) - c;
  e -= hxs;
  if (k === -1) return 0.5 * (r - e) - 0.5;
  if (k === 1) return r < -0.25 ? -2 * (e - (r + 0.5)) : 1 + 2 * (r - e);
  if (k <= -2 || k > 56) return scaleByPowerOfTwo(1 - (e - r), k) - 1;
  if (k < 20) return scaleByPowerOfTwo(1 - powerOfTwo(-k) - (e - r), k);
  return scaleByPowerOfTwo(r - (e + powerOfTwo(-k)) + 1, k);
}

// ---------------------------------------------------------------- tanh (fdlibm s_tanh.c)

/** tanh(x), within 1 ulp (fdlibm's bound for s_tanh.c is 2 ulp; measured well inside 1). */
export function tanh(x: number): number {
  if (x !== x) return x;
  const a = Math.abs(x);
  let z: number;
  if (a < 22) {
    if (a < 2.7755575615628914e-17) return x * (1 + x); // |x| < 2^-55
    if (a >= 1) {
      z = 1 - 2 / (expm1(2 * a) + 2);
    } else {
      const t = expm1(-2 * a);
      z = -t / (t + 2);
    }
  } else {
    z = 1;
  }
  return x < 0 ? -z : z;
}

// ---------------------------------------------------------------- log (fdlibm e_log.c)

const TWO_TO_54 = 1.8014398509481984e16;
const LG1 = 6.66666666666673513e-1; // 0x3FE55555 55555593
const LG2 = 3.999999999940941908e-1; // 0x3FD99999 9997FA04
const LG3 = 2.857142874366239149e-1; // 0x3FD24924 94229359
const LG4 = 2.222219843214978396e-1; // 0x3FCC71C5 1D8E78AF
const LG5 = 1.818357216161805012e-1; // 0x3FC74664 96CB03DE
const LG6 = 1.531383769920937332e-1; // 0x3FC39A09 D078C69F
const LG7 = 1.479819860511658591e-1; // 0x3FC2F112 DF3E5244

/** Natural logarithm, within 1 ulp. */
export function log(input: number): number {
  let x = input;
  let hx = highWord(x);
  let k = 0;
  if (hx < 0x00100000) {
    // x < 2^-1022: zero, negative or subnormal.
    if (x === 0) return Number.NEGATIVE_INFINITY;
    if (hx < 0 || x !== x) return Number.NaN;
    k -= 54;
    x *= TWO_TO_54;
    hx = highWord(x);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  // Normalise x to [√2/2, √2).
  x = withHighWord(x, hx | (i ^ 0x3ff00000));
  k += i >> 20;
  const f = x - 1;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2^-20.
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const R = f * f * (0.5 - 0.3333333333333333 * f);
    return k === 0 ? f - R : dk * LN2_HI - (R - dk * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + R)) : dk * LN2_HI - (hfsq - (s * (hfsq + R) + dk * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - R) : dk * LN2_HI - (s * (f - R) - dk * LN2_LO - f);
}

// ---------------------------------------------------------------- sin, cos (fdlibm k_sin.c, k_cos.c, s_sin.c, s_cos.c)

const S1 = -1.66666666666666324348e-1; // 0xBFC55555 55555549
const S2 = 8.33333333332248946124e-3; // 0x3F811111 1110F8A6
const S3 = -1.98412698298579493134e-4; // 0xBF2A01A0 19C161D5
const S4 = 2.75573137070700676789e-6; // 0x3EC71DE3 57B1FE7D
const S5 = -2.50507602534068634195e-8; // 0xBE5AE5E6 8A2B9CEB
const S6 = 1.58969099521155010221e-10; // 0x3DE5D93A 5ACFD57C
const C1 = 4.16666666666666019037e-2; // 0x3FA55555 5555554C
const C2 = -1.38888888888741095749e-3; // 0xBF56C16C 16C15177
const C3 = 2.48015872894767294178e-5; // 0x3EFA01A0 19CB1590
const C4 = -2.75573143513906633035e-7; // 0xBE927E4F 809C52AD
const C5 = 2.0875723212981748279e-9; // 0x3E21EE9E BDB4B1C4
const C6 = -1.13596475577881948265e-11; // 0xBDA8FAE9 BE8838D4

/** sin(x + y) for |x + y| ≤ π/4, y the tail of x (0 when x is exact). */
function kernelSin(x: number, y: number): number {
  if (Math.abs(x) < 7.450580596923828e-9) return x; // |x| < 2^-27
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (y === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

const COS_SMALL = below(0x3fd33333);
const COS_QUARTER_FIXED = below(0x3fe90001);

/** cos(x + y) for |x + y| ≤ π/4. */
function kernelCos(x: number, y: number): number {
  const a = Math.abs(x);
  if (a < 7.450580596923828e-9) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (a < COS_SMALL) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  // cos(x) = (1 − x²/4·…) with x²/4 split off exactly so the subtraction from 1 loses nothing: qx is |x|/4
  // cut to its high word (|x| here is in [0.3, 0.79), so the high word ends 2^-20 or 2^-21 below its exponent).
  const scale = a >= 0.5 ? 2097152 : 4194304;
  const qx = a >= COS_QUARTER_FIXED ? 0.28125 : Math.floor(a * scale) / scale / 4;
  const hz = 0.5 * z - qx;
  return 1 - qx - (hz - (z * r - x * y));
}

const INV_PIO2 = 6.36619772367581382433e-1; // 0x3FE45F30 6DC9C883
const PIO2_1 = 1.57079632673412561417; // 0x3FF921FB 54400000: first 33 bits of π/2
const PIO2_1T = 6.07710050650619224932e-11; // 0x3DD0B461 1A626331: π/2 − PIO2_1
const PIO2_2 = 6.0771005063039659766e-11; // 0x3DD0B461 1A600000: second 33 bits
const PIO2_2T = 2.02226624879595063154e-21; // 0x3BA3198A 2E037073
const PIO2_3 = 2.0222662487111664558e-21; // 0x3BA3198A 2E000000: third 33 bits
const PIO2_3T = 8.47842766036889956997e-32; // 0x397B839A 252049C1

/** The remainder of the last reduction, x − n·π/2 = REDUCED[0] + REDUCED[1]. */
const REDUCED = new Float64Array(2);

/** Reduces x (finite, |x| > π/4) modulo π/2 into REDUCED; returns n (only n mod 4 matters). */
/**
 * Whether y0 has lost more than `bits` binary orders of magnitude against t (fdlibm: ex − ey > bits, comparing
 * biased exponents); decided by comparing magnitudes, except within a factor of two of the border.
 */
function lostMoreThan(y0: number, t: number, bits: number): boolean {
  const a = Math.abs(y0);
  const border = t * (POWERS_OF_TWO[1074 - bits] as number);
  if (a >= border) return false;
  if (a < border * 0.5) return true;
  return ((highWord(t) >> 20) & 0x7ff) - ((highWord(y0) >> 20) & 0x7ff) > bits;
}

const NEAR_PIO2_LOW = below(0x3ff921fb);
const NEAR_PIO2_HIGH = below(0x3ff921fc);
const THREE_PIO4 = below(0x4002d97c);
const MEDIUM_LIMIT = below(0x413921fc);

/** Reduces x (finite, |x| > π/4) modulo π/2 into REDUCED; returns n (only n mod 4 matters). */
function reduceModPiOver2(x: number): number {
  const t = Math.abs(x);
  if (t < THREE_PIO4) {
    // |x| < 3π/4: n = ±1; near π/2 use 33 + 33 + 53 bits of π/2.
    const sign = x > 0 ? 1 : -1;
    let z = x - sign * PIO2_1;
    let tail = PIO2_1T;
    if (t >= NEAR_PIO2_LOW && t < NEAR_PIO2_HIGH) {
      z -= sign * PIO2_2;
      tail = PIO2_2T;
    }
    const y0 = z - sign * tail;
    REDUCED[0] = y0;
    REDUCED[1] = z - y0 - sign * tail;
    return sign;
  }
  if (t < MEDIUM_LIMIT) {
    // |x| ≤ 2^20·π/2: Cody–Waite with up to three parts of π/2, each product exact.
    const n = (t * INV_PIO2 + 0.5) | 0;
    const fn = n;
    let r = t - fn * PIO2_1;
    let w = fn * PIO2_1T;
    let y0 = r - w;
    if (lostMoreThan(y0, t, 16)) {
      let previous = r;
      w = fn * PIO2_2;
      r = previous - w;
      w = fn * PIO2_2T - (previous - r - w);
      y0 = r - w;
      if (lostMoreThan(y0, t, 49)) {
        previous = r;
        w = fn * PIO2_3;
        r = previous - w;
        w = fn * PIO2_3T - (previous - r - w);
        y0 = r - w;
      }
    }
    const y1 = r - y0 - w;
    if (x < 0) {
      REDUCED[0] = -y0;
      REDUCED[1] = -y1;
      return -n;
    }
    REDUCED[0] = y0;
    REDUCED[1] = y1;
    return n;
  }
  const hx = highWord(x);
  return reduceHuge(x, hx, hx & 0x7fffffff);
}

/** Bits of 2/π kept (2/π·2^K); with ≥ 200 bits of the product's fraction that covers every double. */
const TWO_OVER_PI_BITS = 1300n;
/** Fraction bits of x·2/π and of π/2 carried into the final product. */
const FRACTION_BITS = 200n;
let piConstants: { twoOverPi: bigint; halfPi: bigint } | undefined;

/** floor(atan(1/m)·2^bits) within a few units, by its Taylor series in exact integer arithmetic. */
function arctanInverseScaled(m: bigint, bits: bigint): bigint {
  const mSquared = m * m;
  let term = (1n << bits) / m;
  let sum = term;
  for (let k = 1n; term !== 0n; k++) {
    term /= mSquared;
    sum += (k % 2n === 0n ? 1n : -1n) * (term / (2n * k + 1n));
  }
  return sum;
}

function computePiConstants(): { twoOverPi: bigint; halfPi: bigint } {
  const bits = TWO_OVER_PI_BITS + 64n;
  // Machin: π = 16·atan(1/5) − 4·atan(1/239).
  const pi = 16n * arctanInverseScaled(5n, bits) - 4n * arctanInverseScaled(239n, bits);
  return {
    twoOverPi: (1n << (TWO_OVER_PI_BITS + 1n + bits)) / pi,
    halfPi: pi >> (bits - FRACTION_BITS + 1n),
  };
}

/** Payne–Hanek reduction in exact integer arithmetic, for |x| > 2^20·π/2 (rare: the core never gets there). */
function reduceHuge(x: number, hx: number, ix: number): number {
  piConstants ??= computePiConstants();
  const { twoOverPi, halfPi } = piConstants;
  // |x| = mantissa · 2^exponent with a 53-bit integer mantissa.
  const exponent = BigInt((ix >> 20) - 1075);
  const mantissa = (BigInt((ix & 0x000fffff) | 0x00100000) << 32n) | BigInt(lowWord(x) >>> 0);
  // x·2/π with FRACTION_BITS fraction bits (exponent ≤ 971, so the shift is positive).
  const scaled = (mantissa * twoOverPi) >> (TWO_OVER_PI_BITS - exponent - FRACTION_BITS);
  let quadrant = (scaled >> FRACTION_BITS) & 3n;
  let fraction = scaled & ((1n << FRACTION_BITS) - 1n);
  if (fraction >= 1n << (FRACTION_BITS - 1n)) {
    quadrant = (quadrant + 1n) & 3n;
    fraction -= 1n << FRACTION_BITS;
  }
  // Remainder in radians, scaled by 2^400, split into a double and its tail.
  const remainder = fraction * halfPi;
  const head = Number(remainder);
  const tail = Number(remainder - BigInt(head));
  const unscale = powerOfTwo(-Number(2n * FRACTION_BITS));
  const sign = hx < 0 ? -1 : 1;
  REDUCED[0] = sign * head * unscale;
  REDUCED[1] = sign * tail * unscale;
  return sign * Number(quadrant);
}

const NEAR_PIO4 = below(0x3fe921fc);

/** sin(x), within 1 ulp, for every double. */
export function sin(x: number): number {
  const a = Math.abs(x);
  if (a < NEAR_PIO4) return kernelSin(x, 0); // |x| ≤ π/4
  if (!(a < Number.POSITIVE_INFINITY)) return Number.NaN;
  const n = reduceModPiOver2(x) & 3;
  const y0 = REDUCED[0] as number;
  const y1 = REDUCED[1] as number;
  if (n === 0) return kernelSin(y0, y1);
  if (n === 1) return kernelCos(y0, y1);
  if (n === 2) return -kernelSin(y0, y1);
  return -kernelCos(y0, y1);
}

/** cos(x), within 1 ulp, for every double. */
export function cos(x: number): number {
  const a = Math.abs(x);
  if (a < NEAR_PIO4) return kernelCos(x, 0);
  if (!(a < Number.POSITIVE_INFINITY)) return Number.NaN;
  const n = reduceModPiOver2(x) & 3;
  const y0 = REDUCED[0] as number;
  const y1 = REDUCED[1] as number;
  if (n === 0) return kernelCos(y0, y1);
  if (n === 1) return -kernelSin(y0, y1);
  if (n === 2) return -kernelCos(y0, y1);
  return kernelSin(y0, y1);
}
