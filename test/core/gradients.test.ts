import { describe, expect, it } from 'vitest';
import { perturbedModel, randomBatch, SMALL_MODELS } from './models.js';

/**
 * Every analytic gradient against central finite differences of the loss, parameter by parameter. Batches of
 * 150 rows cross the kernels' 64-row blocks. A wrong derivative is off by the size of the gradient itself, far
 * beyond these tolerances.
 */
describe('analytic gradients agree with central finite differences', () => {
  for (const { label, type, options } of SMALL_MODELS) {
    for (const mode of type === 'string_theory' && options.useBatchNorm ? ['train', 'eval'] : ['train']) {
      it(`${label}${mode === 'eval' ? ' in eval mode' : ''}`, () => {
        const model = perturbedModel(type, options);
        if (mode === 'eval') {
          // Give the running statistics non-trivial values first.
          model.forward(randomBatch(model, 40, 99).input);
          model.eval();
        }
        const { input, target } = randomBatch(model, 150);
        const grad = new Float64Array(model.parameterCount);
        const loss = model.lossAndGradient(input, target, grad);
        expect(loss).toBeCloseTo(model.loss(input, target), 12);
        const p = model.parameters;
        const scale = Math.max(...Array.from(grad, Math.abs));
        expect(scale).toBeGreaterThan(0);
        for (let i = 0; i < p.length; i++) {
          const original = p[i] as number;
          const h = 1e-6 * Math.max(1, Math.abs(original));
          p[i] = original + h;
          const up = model.loss(input, target);
          p[i] = original - h;
          const down = model.loss(input, target);
          p[i] = original;
          const numeric = (up - down) / (2 * h);
          const analytic = grad[i] as number;
          // Central differences carry ≈ ε·loss/h ≈ 1e-10 of rounding noise: the absolute floor covers it.
          const tolerance = 1e-6 * Math.max(Math.abs(numeric), Math.abs(analytic)) + 1e-7 * scale + 1e-9;
          const name = model.parameterTable.entries.find((e) => i >= e.offset && i < e.offset + e.size)?.name;
          expect(
            Math.abs(numeric - analytic),
            `${name} [${i}]: analytic ${analytic}, numeric ${numeric}`,
          ).toBeLessThan(tolerance);
        }
      });
    }
  }
});
