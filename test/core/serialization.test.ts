import { describe, expect, it } from 'vitest';
import {
  chirpDataset,
  ComputeInputError,
  createModel,
  fitSync,
  modelFromJSON,
  QuasimotoWave,
  SeededRandom,
} from '../../src/core/index.js';
import { perturbedModel, randomBatch, SMALL_MODELS } from './models.js';

describe('seeded initialisation', () => {
  for (const { label, type, options } of SMALL_MODELS) {
    it(`${label}: the same seed gives the same model, another seed another one`, () => {
      const a = createModel(type, { ...options, seed: 42 });
      const b = createModel(type, { ...options, seed: 42 });
      const c = createModel(type, { ...options, seed: 43 });
      expect(Array.from(a.parameters)).toEqual(Array.from(b.parameters));
      expect(a.fingerprint()).toBe(b.fingerprint());
      expect(Array.from(a.parameters)).not.toEqual(Array.from(c.parameters));
      expect(a.fingerprint()).not.toBe(c.fingerprint());
    });
  }

  it('initial values as the reference: A = 1, log_sigma = 0, phi = 0, epsilon = 0.1, the rest N(0, 1)', () => {
    const state = new QuasimotoWave({ seed: 5 }).stateDict();
    expect([state.A, state.log_sigma, state.phi, state.epsilon]).toEqual([1, 0, 0, 0.1]);
    const normals = Array.from(
      { length: 20_000 },
      (() => {
        const r = new SeededRandom(1);
        return () => r.normal();
      })(),
    );
    const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
    const variance = normals.reduce((s, v) => s + (v - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
  });

  it('Linear layers are U(−1/√fan_in, 1/√fan_in)', () => {
    const model = createModel('quasimoto_ensemble', { nWaves: 16, seed: 3 });
    const head = model.describeParameters()['head.weight']?.value as number[][];
    for (const w of head[0] ?? []) expect(Math.abs(w)).toBeLessThanOrEqual(0.25);
    const net = createModel('string_theory', { dimensions: 100, hiddenSize: 8, seed: 3 });
    const weights = (net.describeParameters()['network.0.weight']?.value as number[][]).flat();
    expect(Math.max(...weights.map(Math.abs))).toBeLessThanOrEqual(0.1);
    expect(Math.max(...weights.map(Math.abs))).toBeGreaterThan(0.09);
  });

  it('rejects seeds that are not non-negative safe integers', () => {
    expect(() => new SeededRandom(-1)).toThrow(ComputeInputError);
    expect(() => new SeededRandom(1.5)).toThrow(ComputeInputError);
    expect(new SeededRandom(2 ** 40).uniform()).not.toBe(new SeededRandom(2 ** 40 + 1).uniform());
  });
});

describe('JSON round trip, version and fingerprint', () => {
  for (const { label, type, options } of SMALL_MODELS) {
    it(`${label}: restores bit-exactly, through JSON text, and answers the same`, () => {
      const model = perturbedModel(type, options, 8);
      if (type === 'string_theory') model.forward(randomBatch(model, 30, 1).input);
      model.parameters[0] = -0; // a value plain JSON numbers would lose
      model.markChanged();
      const text = JSON.stringify(model);
      const restored = modelFromJSON(JSON.parse(text));
      expect(restored.type).toBe(model.type);
      expect(restored.config).toEqual(model.config);
      expect(restored.version).toBe(model.version);
      expect(restored.training).toBe(model.training);
      expect(new Uint8Array(restored.parameters.buffer)).toEqual(new Uint8Array(model.parameters.buffer));
      expect(new Uint8Array(restored.buffers.buffer)).toEqual(new Uint8Array(model.buffers.buffer));
      expect(Object.is(restored.parameters[0], -0)).toBe(true);
      expect(restored.fingerprint()).toBe(model.fingerprint());
      const { input } = randomBatch(model, 20, 2);
      expect(Array.from(restored.forward(input))).toEqual(Array.from(model.forward(input)));
    });
  }

  it('every parameter change bumps the version and changes the fingerprint', () => {
    const model = new QuasimotoWave({ seed: 1 });
    const v0 = model.version;
    const f0 = model.fingerprint();
    fitSync(model, chirpDataset(50), { epochs: 3 });
    expect(model.version).toBe(v0 + 3);
    expect(model.fingerprint()).not.toBe(f0);
    const f1 = model.fingerprint();
    model.loadState({ ...model.stateDict(), A: 2 });
    expect(model.version).toBe(v0 + 4);
    expect(model.fingerprint()).not.toBe(f1);
    // Mode is part of the fingerprint (BatchNorm answers differently in eval mode).
    const f2 = model.fingerprint();
    expect(model.eval().fingerprint()).not.toBe(f2);
    expect(model.train().fingerprint()).toBe(f2);
  });

  it('the fingerprint is a stable function of the values (the same across processes)', () => {
    const model = createModel('quasimoto_1d', { seed: 0 });
    model.loadState({ A: 1, k: 2, omega: 3, v: 4, log_sigma: 5, phi: 6, epsilon: 7, lmbda: 8 });
    expect(model.fingerprint()).toMatch(/^[0-9a-f]{16}$/);
    // Pinned: a change of the hash would silently invalidate every cache key in a deployment.
    expect(model.fingerprint()).toBe('55076873c79c7e6c');
  });

  it('refuses malformed or inconsistent JSON with a ComputeInputError', () => {
    const good = new QuasimotoWave({ seed: 1 }).toJSON();
    const bad: unknown[] = [
      null,
      'text',
      { ...good, format: 'other' },
      { ...good, type: 'nonexistent' },
      { ...good, parameters: good.parameters.slice(4) },
      { ...good, parameters: `${good.parameters.slice(0, -4)}!!!!` },
      { ...good, version: -1 },
      { ...createModel('quasimoto_ensemble', { nWaves: 2, seed: 1 }).toJSON(), config: { nWaves: 3 } },
    ];
    for (const json of bad)
      expect(() => modelFromJSON(json), JSON.stringify(json)?.slice(0, 60)).toThrow(ComputeInputError);
  });

  it('loadState refuses missing, unknown and misshapen tensors and changes nothing then', () => {
    const model = createModel('quasimoto_ensemble', { nWaves: 2, seed: 1 });
    const state = model.stateDict();
    const before = Array.from(model.parameters);
    const { 'head.bias': _bias, ...missing } = state;
    expect(() => model.loadState(missing)).toThrow(/missing head.bias/);
    expect(() => model.loadState({ ...state, extra: 1 })).toThrow(/no tensor named extra/);
    expect(() => model.loadState({ ...state, 'head.weight': [[1, 2, 3]] })).toThrow(/shape \[1, 2\]/);
    expect(() => model.loadState({ ...state, 'waves.0.A': 'one' })).toThrow(/numbers/);
    expect(Array.from(model.parameters)).toEqual(before);
  });

  it('get_parameters answers as the reference: {value, shape, requires_grad}, scalars as numbers', () => {
    const described = createModel('quasimoto_ensemble', { nWaves: 2, seed: 1 }).describeParameters();
    expect(described['waves.1.epsilon']).toEqual({ value: 0.1, shape: [], requires_grad: true });
    expect(described['head.weight']?.shape).toEqual([1, 2]);
    expect((described['head.weight']?.value as number[][])[0]).toHaveLength(2);
    expect(described['head.bias']?.shape).toEqual([1]);
    expect(Object.keys(described)).toHaveLength(2 * 8 + 2);
  });
});
