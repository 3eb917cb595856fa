import { cos, exp, powerOfTwo, sin } from './deterministic-math.js';

/**
 * Table-driven sine/cosine and exponential for the fused model kernels.
 *
 * Why not Math.sin/cos/exp: in V8 each is a call into C costing 12–14 ns on our 2-core machine, and one wave
 * evaluation needs three sine/cosine pairs and an exponential. With them the 1D wave took 115 ns per point per
 * epoch; with these about 45 ns. Both functions reduce the argument exactly (Cody–Waite: constants split so
 * the products are exact), look the nearest table point up and finish with a short Taylor polynomial, which is
 * enough because the remainder is tiny. Measured against Math.*: at most 4.5e-16 relative error (≈ 2 ulp),
 * far inside the 1e-9 that parity with the reference needs. The tables are built, and arguments outside the fast
 * range evaluated, with the core's deterministic sin/cos/exp (./deterministic-math.ts), never Math.*, so every
 * engine gets the same bits.
 *
 * Both are written for V8's inliner: a kernel calls sincos three times and fastExp once per row, and V8 inlines
 * calls only while their bytecode adds up to less than 920 bytes per optimised function; one call left
 * un-inlined costs a wave kernel 30–40 %. So the hot constants are literals (each use of a module constant adds
 * a hole check), derived in the comments and checked in test/core/fast-math.test.ts, and the rare paths are
 * separate functions.
 *
 * `sincos` returns its pair through the shared SINCOS buffer instead of an object, so the kernels allocate
 * nothing; read both entries before calling it again.
 */

/** Table points per quadrant; 256 keeps the table (1024 sine/cosine pairs, 16 KiB) inside the L1 cache. */
export const QUADRANT_STEPS = 256;
const TABLE_STEPS = 4 * QUADRANT_STEPS;

/**
 * sin and cos of j·(π/2)/256, interleaved. Only the first octant is evaluated directly (small, well-conditioned
 * arguments); the rest comes from exact symmetries, so every entry is correctly rounded or within 1 ulp.
 */
const SIN_COS_TABLE = buildSinCosTable();

function buildSinCosTable(): Float64Array {
  const table = new Float64Array(2 * TABLE_STEPS);
  const set = (index: number, s: number, c: number): void => {
    table[2 * index] = s;
    table[2 * index + 1] = c;
  };
  for (let j = 0; j < QUADRANT_STEPS; j++) {
    const mirrored = j > QUADRANT_STEPS / 2;
    const angle = ((mirrored ? QUADRANT_STEPS - j : j) * (Math.PI / 2)) / QUADRANT_STEPS;
    const s = mirrored ? cos(angle) : sin(angle);
    const c = mirrored ? sin(angle) : cos(angle);
    set(j, s, c);
    set(j + QUADRANT_STEPS, c, -s);
    set(j + 2 * QUADRANT_STEPS, -s, -c);
    set(j + 3 * QUADRANT_STEPS, -c, s);
  }
  return table;
}

/**
 * The literals of `sincos`, for the tests: 1/step with step = (π/2)/256; step in three parts, fdlibm's split of
 * π/2 (1.57079632673412561417, 6.0771005063039659766e-11, 2.0222662487111664558e-21) divided by 256 — the
 * first has 33 significant bits, so n·part is exact for |n| < 2^20, i.e. |x| < 6400.
 */
export const SINCOS_CONSTANTS = Object.freeze({
  invStep: 162.97466172610083,
  step1: 0.006135923151305178,
  step2: 2.3738673852749867e-13,
  step3: 7.899477534027994e-24,
  fastLimitSquared: 36e6,
});

/** [sin, cos] of the last `sincos` argument. */
export const SINCOS = new Float64Array(2);

function sincosSlow(x: number): void {
  SINCOS[0] = sin(x);
  SINCOS[1] = cos(x);
}

/** Writes sin(x) to SINCOS[0] and cos(x) to SINCOS[1]. */
export function sincos(x: number): void {
  // |x| < 6000 (false for NaN and ±∞ too, which take the slow path).
  if (!(x * x < 36e6)) return sincosSlow(x);
  // n = round(x/step): adding and subtracting 2^52 + 2^51 rounds to an integer without a call.
  const n = x * 162.97466172610083 + 6755399441055744 - 6755399441055744;
  const r = x - n * 0.006135923151305178 - n * 2.3738673852749867e-13 - n * 7.899477534027994e-24;
  const index = ((n | 0) & 1023) << 1;
  const r2 = r * r;
  // |r| ≤ π/1024: the next terms (r^7/5040, r^6/720) are below 1e-19 relative. Coefficients −1/6, 1/120, 1/24.
  const sinR = r + r * r2 * (-0.16666666666666666 + r2 * 0.008333333333333333);
  const cosR = 1 + r2 * (-0.5 + r2 * 0.041666666666666664);
  const table = SIN_COS_TABLE;
  const sinT = table[index] as number;
  const cosT = table[index + 1] as number;
  const out = SINCOS;
  out[0] = sinT * cosR + cosT * sinR;
  out[1] = cosT * cosR - sinT * sinR;
}

/**
 * 2^(j/256), j = 0 … 255, as e^(j·ln2/256): j·(ln 2's 32-bit head)/256 is exact, and the tail's share,
 * j·ln2_lo/256 < 2e-10, enters as the first-order factor 1 + t (its square is below an ulp).
 */
const EXP_STEPS = 256;
const EXP_TABLE = Float64Array.from({ length: EXP_STEPS }, (_, j) => {
  const head = exp((j * 6.9314718036912381649e-1) / EXP_STEPS);
  return head + head * ((j * 1.90821492927058770002e-10) / EXP_STEPS);
});
/** 2^e for e = −1075 … 1024 (exact; 0 and ∞ at the ends): the integer part of the power of two is a lookup too. */
const POW2_TABLE = Float64Array.from({ length: 2100 }, (_, i) => powerOfTwo(i - 1075));

/**
 * The literals of `fastExp`: 256/ln 2, and ln 2/256 in two parts (fdlibm's split of ln 2,
 * 6.9314718036912381649e-1 and 1.90821492927058770002e-10, divided by 256 — still exact products).
 */
export const EXP_CONSTANTS = Object.freeze({
  invStep: 369.3299304675746,
  step1: 0.00270760617331689,
  step2: 7.453964567463233e-13,
});

/** e^x. */
export function fastExp(x: number): number {
  // Outside (−708, 709) the result is subnormal, zero or infinite (or x is NaN): leave those edges to exp.
  if (!(x > -708 && x < 709)) return exp(x);
  const n = x * 369.3299304675746 + 6755399441055744 - 6755399441055744;
  const r = x - n * 0.00270760617331689 - n * 7.453964567463233e-13;
  const k = n | 0;
  // |r| ≤ ln2/512: terms past r^5/120 are below 1e-18 relative. Coefficients 1/6, 1/24, 1/120.
  const p =
    1 +
    r * (1 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * 0.008333333333333333))));
  return (POW2_TABLE[(k >> 8) + 1075] as number) * (EXP_TABLE[k & 255] as number) * p;
}

/**
 * sin and cos of angles[0 … count). The 4D/6D kernels compute a block's angles first (their D-dimensional
 * sums are cheapest column by column) and then go through these loops, each of which inlines sincos once.
 */
export function sincosBlock(angles: Float64Array, sin: Float64Array, cos: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) {
    sincos(angles[i] as number);
    sin[i] = SINCOS[0] as number;
    cos[i] = SINCOS[1] as number;
  }
}

/** out[i] = e^{x[i]} for i < count (may be the same array). */
export function expBlock(x: Float64Array, out: Float64Array, count: number): void {
  for (let i = 0; i < count; i++) out[i] = fastExp(x[i] as number);
}
