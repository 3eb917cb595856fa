import { affineParameters, quantizeValue } from './affine-int8.js';
import type { GroupLayout } from './quantization-groups.js';

/**
 * A model's parameters in int8: one code per parameter (in the float model's order) and a scale and zero point
 * per group. The kernels read these three arrays; nothing expands them into a float64 copy of the model.
 */
export interface Int8Weights {
  readonly codes: Int8Array;
  readonly scales: Float64Array;
  readonly zeroPoints: Float64Array;
}

/** Quantises `values` group by group into `target` (arrays sized for the layout). */
export function quantizeInto(values: Float64Array, layout: GroupLayout, target: Int8Weights): void {
  const { codes, scales, zeroPoints } = target;
  layout.groups.forEach((group, g) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0, j = group.offset; i < group.count; i++, j += group.stride) {
      const x = values[j] as number;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    const { scale, zeroPoint } = affineParameters(lo, hi);
    scales[g] = scale;
    zeroPoints[g] = zeroPoint;
    for (let i = 0, j = group.offset; i < group.count; i++, j += group.stride) {
      codes[j] = quantizeValue(values[j] as number, scale, zeroPoint);
    }
  });
}

/** The float64 values the codes stand for (for reports, and for tests comparing with the float kernels). */
export function dequantize(weights: Int8Weights, layout: GroupLayout): Float64Array {
  const { codes, scales, zeroPoints } = weights;
  const values = new Float64Array(codes.length);
  layout.groups.forEach((group, g) => {
    const scale = scales[g] as number;
    const zeroPoint = zeroPoints[g] as number;
    for (let i = 0, j = group.offset; i < group.count; i++, j += group.stride) {
      values[j] = scale * ((codes[j] as number) - zeroPoint);
    }
  });
  return values;
}
