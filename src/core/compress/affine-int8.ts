/**
 * Affine int8 quantisation of a group of values: x ≈ scale·(q − zeroPoint) with q an integer in [−128, 127].
 * The range is widened to include 0 and the zero point is an integer, so 0 (a pruned weight, a zero bias) is
 * represented exactly; the rounding error of any other value is at most scale/2.
 */

export const INT8_MIN = -128;
export const INT8_MAX = 127;

/** Scale and zero point of one group. */
export interface AffineParameters {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** The affine parameters covering [min(0, lo), max(0, hi)] with the 256 codes of int8. */
export function affineParameters(lo: number, hi: number): AffineParameters {
  const low = Math.min(0, lo);
  const high = Math.max(0, hi);
  if (!(high > low)) return { scale: 1, zeroPoint: 0 }; // every value is 0
  const scale = (high - low) / (INT8_MAX - INT8_MIN);
  const zeroPoint = clampCode(Math.round(INT8_MIN - low / scale));
  return { scale, zeroPoint };
}

export function clampCode(q: number): number {
  return q < INT8_MIN ? INT8_MIN : q > INT8_MAX ? INT8_MAX : q;
}

/** The code of one value. */
export function quantizeValue(x: number, scale: number, zeroPoint: number): number {
  return clampCode(Math.round(x / scale) + zeroPoint);
}
