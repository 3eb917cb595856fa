import { describe, expect, it } from 'vitest';
import type { QuasimotoEnsemble, StringTheoryNN } from '../../src/core/index.js';
import {
  ComputeStateError,
  GRANULARITIES,
  QuantizedModel,
  chirpDataset,
  compressModel,
  createModel,
  dequantize,
  fineTunePruned,
  fitSync,
  grid4dDataset,
  inputFromColumns,
  magnitudeMask,
  applyMask,
  modelFromJSON,
  modelFromSnapshot,
  quantizeModel,
  stringModesDataset,
  wavePacketDataset,
  zeroCount,
  type AnyModel,
  type CompressibleModel,
  type Dataset,
} from '../../src/core/index.js';

/** A trained 16-wave ensemble on the chirp and a trained 5-layer StringTheoryNN on its string modes (shared). */
const ensemble = createModel('quasimoto_ensemble', { seed: 7, nWaves: 16 }) as QuasimotoEnsemble;
const chirp = chirpDataset();
fitSync(ensemble, chirp, { epochs: 200, learningRate: 1e-2 });
ensemble.eval();
const network = createModel('string_theory', { seed: 7, numLayers: 5, dimensions: 10 }) as StringTheoryNN;
const modes = stringModesDataset(10);
fitSync(network, modes, { epochs: 60, learningRate: 1e-2 });
network.eval();

function maxDifference(a: Float64Array, b: Float64Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

/** The float model of the same type holding the values the codes stand for. */
function dequantizedFloat(source: AnyModel, quantized: QuantizedModel): AnyModel {
  const float = modelFromSnapshot(source.snapshot());
  float.parameters.set(quantized.dequantized());
  float.restoreCounters(0, quantized.training);
  return float;
}

/** Every compressible family, small, with its own data set. */
function families(): { name: string; model: CompressibleModel; data: Dataset }[] {
  const bn = createModel('string_theory', { seed: 3, numLayers: 3, hiddenSize: 16, useBatchNorm: true });
  fitSync(bn, modes, { epochs: 5 }); // moves the running statistics away from 0 and 1
  return [
    { name: 'ensemble 1D', model: createModel('quasimoto_ensemble', { seed: 1, nWaves: 5 }), data: chirp },
    { name: 'ensemble 4D', model: createModel('quasimoto_ensemble_4d', { seed: 1 }), data: grid4dDataset() },
    {
      name: 'ensemble 6D',
      model: createModel('quasimoto_ensemble_6d', { seed: 1, nWaves: 3 }),
      data: {
        name: 'random',
        input: inputFromColumns(['x1', 'x2', 'x3', 'x4', 'x5', 't'], {
          x1: [0.1, -0.4, 0.9],
          x2: [0.3, 0.2, -0.5],
          x3: [-0.2, 0.6, 0.1],
          x4: [0.7, -0.1, 0.2],
          x5: [0, 0.5, -0.6],
          t: [0.2, 0.4, 0.8],
        }),
        target: new Float64Array(3),
      },
    },
    {
      name: 'interference basis',
      model: createModel('quasimoto_interference_basis', { seed: 1, dim: 2, numFields: 5, outFeatures: 3 }),
      data: wavePacketDataset(2, 3),
    },
    { name: 'StringTheoryNN', model: createModel('string_theory', { seed: 1, numLayers: 3 }), data: modes },
    { name: 'StringTheoryNN with BatchNorm (eval)', model: bn.eval(), data: modes },
  ] as { name: string; model: CompressibleModel; data: Dataset }[];
}

describe('int8 quantisation', () => {
  it('keeps the 16-wave ensemble and the 5-layer network within stated error bounds, per channel', () => {
    const ens = compressModel(ensemble, { kind: 'quantize', granularity: 'per_channel' }, chirp);
    // Outputs span about ±1: per-channel int8 keeps them within 0.5 % RMS, 1.5 % at worst.
    expect(ens.error.rmse).toBeLessThan(5e-3);
    expect(ens.error.max).toBeLessThan(1.5e-2);
    const net = compressModel(network, { kind: 'quantize', granularity: 'per_channel' }, modes);
    const perTensor = compressModel(network, { kind: 'quantize', granularity: 'per_tensor' }, modes);
    expect(net.error.rmse).toBeLessThan(2e-3);
    // A scale per output channel fits each row's range: clearly closer than one scale per matrix.
    expect(net.error.rmse).toBeLessThan(perTensor.error.rmse / 2);
    // About one byte per parameter (plus a scale and zero point per group) instead of eight.
    expect(net.bytesAfter).toBeLessThan(net.bytesBefore / 5);
    expect(perTensor.bytesAfter).toBeLessThan(net.bytesAfter);
  });

  it('rounds every value to within half a step of its group, and keeps zeros exact', () => {
    for (const granularity of GRANULARITIES) {
      const source = modelFromSnapshot(network.snapshot());
      source.parameters[3] = 0;
      const quantized = quantizeModel(source as CompressibleModel, granularity);
      const values = dequantize(quantized.weights, quantized.layout);
      expect(values[3]).toBe(0);
      quantized.layout.groups.forEach((group, g) => {
        const halfStep = (quantized.weights.scales[g] as number) / 2;
        for (let i = 0, j = group.offset; i < group.count; i++, j += group.stride) {
          expect(Math.abs((values[j] as number) - (source.parameters[j] as number))).toBeLessThanOrEqual(
            halfStep * (1 + 1e-9),
          );
        }
      });
    }
  });

  it('computes from its int8 codes the same function as the float model of its dequantised values', () => {
    for (const { name, model, data } of families()) {
      for (const granularity of GRANULARITIES) {
        const quantized = quantizeModel(model, granularity);
        const int8 = quantized.forward(data.input);
        const float = dequantizedFloat(model, quantized).forward(data.input);
        const scale = Math.max(1e-300, ...Array.from(float, Math.abs));
        expect(maxDifference(int8, float) / scale, `${name}, ${granularity}`).toBeLessThan(1e-12);
        // …and differs from the source, or the codes would not be what ran.
        expect(maxDifference(int8, model.forward(data.input)), `${name}, ${granularity}`).toBeGreaterThan(0);
      }
    }
  });

  it('is stored as codes (about a byte a parameter) and restored bit-exactly from a snapshot or JSON', () => {
    const quantized = quantizeModel(network, 'per_channel');
    const snapshot = quantized.snapshot();
    // A float64 scale and zero point per group, then one byte per parameter (padded to 8 bytes).
    const groups = quantized.layout.groups.length;
    expect(snapshot.parameters.byteLength).toBe(16 * groups + 8 * Math.ceil(network.parameterCount / 8));
    expect(groups).toBeLessThan(network.parameterCount / 50);
    expect(snapshot.config).toMatchObject({ quantization: 'int8', granularity: 'per_channel', numLayers: 5 });
    for (const restored of [
      modelFromSnapshot(snapshot),
      modelFromJSON(JSON.parse(JSON.stringify(quantized))),
    ]) {
      expect(restored).toBeInstanceOf(QuantizedModel);
      expect(restored.type).toBe('string_theory');
      expect(restored.parameterCount).toBe(network.parameterCount);
      expect(restored.fingerprint()).toBe(quantized.fingerprint());
      expect(Array.from(restored.forward(modes.input))).toEqual(Array.from(quantized.forward(modes.input)));
    }
    expect(() =>
      modelFromSnapshot({ ...snapshot, config: { ...snapshot.config, granularity: 'bogus' } }),
    ).toThrow(/unknown quantization/);
  });

  it('reports the values its codes stand for and refuses to be trained', () => {
    const quantized = quantizeModel(ensemble, 'per_channel');
    const described = quantized.describeParameters();
    expect(Object.keys(described)).toEqual(ensemble.parameterTable.entries.map((view) => view.name));
    expect(described['head.bias']?.value).toBeCloseTo(
      ensemble.parameters[ensemble.parameterCount - 1] as number,
      2,
    );
    const grad = new Float64Array(quantized.parameterCount);
    expect(() => quantized.lossAndGradient(chirp.input, chirp.target, grad)).toThrow(ComputeStateError);
    expect(() => quantized.setParameters(new Float64Array(quantized.parameters.length))).toThrow(
      ComputeStateError,
    );
  });
});

describe('magnitude pruning', () => {
  it('zeroes exactly round(sparsity × parameters), the smallest of each tensor', () => {
    for (const sparsity of [0, 0.1, 0.5, 0.9, 0.99]) {
      const copy = modelFromSnapshot(network.snapshot());
      const mask = magnitudeMask(copy, sparsity);
      const pruned = mask.reduce((a, b) => a + b, 0);
      expect(pruned).toBe(Math.round(sparsity * copy.parameterCount));
      applyMask(copy, mask);
      expect(zeroCount(copy.parameters)).toBe(pruned);
      // Within a tensor, no kept value is smaller than a pruned one.
      const view = copy.parameterTable.get('network.2.weight')!;
      let largestPruned = 0;
      let smallestKept = Infinity;
      for (let i = view.offset; i < view.offset + view.size; i++) {
        const size = Math.abs(network.parameters[i] as number);
        if (mask[i] === 1) largestPruned = Math.max(largestPruned, size);
        else smallestKept = Math.min(smallestKept, size);
      }
      if (sparsity > 0) expect(largestPruned).toBeLessThanOrEqual(smallestKept);
    }
    expect(() => magnitudeMask(network, 1)).toThrow(/sparsity must be from 0 to 0.99/);
  });

  it('fine-tunes with the pruned parameters held at exactly zero, and lowers the loss', () => {
    const copy = modelFromSnapshot(ensemble.snapshot());
    const mask = magnitudeMask(copy, 0.5);
    applyMask(copy, mask);
    const before = Float64Array.from(copy.parameters);
    copy.train();
    const result = fineTunePruned(copy, mask, chirp, { epochs: 40, learningRate: 1e-2 });
    let moved = 0;
    for (let i = 0; i < mask.length; i++) {
      if (mask[i] === 1) expect(Object.is(copy.parameters[i], 0) || copy.parameters[i] === 0).toBe(true);
      else if (copy.parameters[i] !== before[i]) moved++;
    }
    expect(moved).toBeGreaterThan(0);
    expect(result.finalLoss).toBeLessThan(result.initialLoss);
  });

  it('answers the pruned copy with its sparsity, its sparse size and its error against the source', () => {
    const outcome = compressModel(
      network,
      { kind: 'prune', sparsity: 0.9, fineTuneEpochs: 3, learningRate: 1e-3 },
      modes,
    );
    expect(outcome.model.type).toBe('string_theory');
    expect(outcome.sparsity).toBeGreaterThanOrEqual(0.9 - 1 / network.parameterCount);
    expect(outcome.sparseBytes).toBeLessThan(outcome.bytesBefore / 4);
    expect(outcome.bytesAfter).toBe(outcome.bytesBefore);
    expect(outcome.error.rmse).toBeGreaterThan(0);
    expect(outcome.fineTune?.finalLoss).toBeLessThanOrEqual(outcome.fineTune?.initialLoss ?? 0);
    expect(network.version).toBeGreaterThan(0); // the source is left as it was (its own training's version)
  });
});
