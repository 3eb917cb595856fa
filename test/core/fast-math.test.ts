import { describe, expect, it } from 'vitest';
import { EXP_CONSTANTS, SINCOS_CONSTANTS } from '../../src/core/math/fast-math.js';
import { cos, sin } from '../../src/core/math/deterministic-math.js';
import { fastExp, SeededRandom, sincos, SINCOS } from '../../src/core/index.js';

/** The kernels' table-driven sin/cos/exp against Math.*, over the ranges the models produce and beyond. */
describe('fast sin/cos and exp', () => {
  const random = new SeededRandom(17);

  it('sincos is within 3 ulp of Math.sin/cos (absolute 4e-16 near zeros), NaN and large arguments included', () => {
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = (random.uniform() - 0.5) * 10 ** (random.uniform() * 9 - 4);
      sincos(x);
      const s = Math.sin(x);
      const c = Math.cos(x);
      for (const [ours, exact] of [
        [SINCOS[0] as number, s],
        [SINCOS[1] as number, c],
      ] as const) {
        const error = Math.abs(ours - exact) / Math.max(Math.abs(exact), 1e-300);
        if (Math.abs(ours - exact) > 4e-16) worst = Math.max(worst, error);
      }
    }
    expect(worst).toBeLessThan(6.7e-16);
    sincos(Number.NaN);
    expect(Number.isNaN(SINCOS[0])).toBe(true);
    sincos(0);
    expect([SINCOS[0], SINCOS[1]]).toEqual([0, 1]);
    sincos(1e10);
    expect([SINCOS[0], SINCOS[1]]).toEqual([sin(1e10), cos(1e10)]);
  });

  it('the literals in the kernels are the constants they stand for', () => {
    const step = Math.PI / 2 / 256;
    expect(SINCOS_CONSTANTS.invStep).toBe(256 / (Math.PI / 2));
    expect(SINCOS_CONSTANTS.step1).toBe(1.57079632673412561417 / 256);
    expect(SINCOS_CONSTANTS.step2).toBe(6.0771005063039659766e-11 / 256);
    expect(SINCOS_CONSTANTS.step3).toBe(2.0222662487111664558e-21 / 256);
    expect(Math.abs(SINCOS_CONSTANTS.step1 + SINCOS_CONSTANTS.step2 - step)).toBeLessThan(1e-18);
    expect(SINCOS_CONSTANTS.fastLimitSquared).toBe(6000 * 6000);
    expect(EXP_CONSTANTS.invStep).toBe(256 / Math.LN2);
    expect(EXP_CONSTANTS.step1).toBe(6.9314718036912381649e-1 / 256);
    expect(EXP_CONSTANTS.step2).toBe(1.90821492927058770002e-10 / 256);
  });

  it('fastExp is within 3 ulp of Math.exp and exact at the edges', () => {
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = random.uniformRange(-745, 709);
      const exact = Math.exp(x);
      if (exact > 1e-300) worst = Math.max(worst, Math.abs(fastExp(x) - exact) / exact);
    }
    expect(worst).toBeLessThan(6.7e-16);
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-1000)).toBe(0);
    expect(fastExp(1000)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(fastExp(Number.NaN))).toBe(true);
  });
});
