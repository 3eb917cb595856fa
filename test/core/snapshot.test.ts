import { afterEach, describe, expect, it } from 'vitest';
import {
  ComputeInputError,
  createModel,
  float64Bytes,
  float64FromBytes,
  modelFromJSON,
  modelFromSnapshot,
  reportParameters,
  setTensorAllocator,
  type AnyModel,
} from '../../src/core/index.js';
import { perturbedModel, randomBatch, SMALL_MODELS } from './models.js';

/** A quiet NaN with a payload: a value a text form or a careless copy would turn into the canonical NaN. */
const NAN_WITH_PAYLOAD = new Float64Array(new BigUint64Array([0x7ff8_0000_dead_beefn]).buffer)[0] as number;

function bitsOf(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex');
}

/** A model of the type whose values hold −0 and a NaN payload, and whose version and mode are not the defaults. */
function awkwardModel(type: string, options: object): AnyModel {
  const model = perturbedModel(type, options, 8);
  if (type === 'string_theory') model.forward(randomBatch(model, 30, 1).input);
  model.parameters[0] = -0;
  model.parameters[1] = NAN_WITH_PAYLOAD;
  model.markChanged();
  expect(new BigUint64Array(model.parameters.buffer, 8, 1)[0]).toBe(0x7ff8_0000_dead_beefn);
  return model.eval();
}

afterEach(() => setTensorAllocator());

describe('binary snapshots (format version 2)', () => {
  for (const { label, type, options } of SMALL_MODELS) {
    it(`${label}: restores bit-exactly, copied or adopted`, () => {
      const model = awkwardModel(type, options);
      const snapshot = model.snapshot();
      // A snapshot is a view of the model, not a copy.
      expect(snapshot.parameters).toBe(model.parameters);
      expect(snapshot.buffers).toBe(model.buffers);
      for (const adopt of [false, true]) {
        const restored = modelFromSnapshot(snapshot, { adopt });
        expect(restored.parameters === model.parameters).toBe(adopt);
        expect(restored.type).toBe(model.type);
        expect(restored.config).toEqual(model.config);
        expect(restored.version).toBe(model.version);
        expect(restored.training).toBe(false);
        expect(bitsOf(restored.parameters)).toBe(bitsOf(model.parameters));
        expect(bitsOf(restored.buffers)).toBe(bitsOf(model.buffers));
        expect(restored.fingerprint()).toBe(model.fingerprint());
      }
    });
  }

  it('the JSON form (version 1) still restores, bit-exactly, NaN payloads included', () => {
    const model = awkwardModel('string_theory', { dimensions: 3, hiddenSize: 4, useBatchNorm: true });
    const restored = modelFromJSON(JSON.parse(JSON.stringify(model)));
    expect(bitsOf(restored.parameters)).toBe(bitsOf(model.parameters));
    expect(bitsOf(restored.buffers)).toBe(bitsOf(model.buffers));
    expect(restored.version).toBe(model.version);
  });

  it('refuses a malformed or inconsistent snapshot with a ComputeInputError', () => {
    const good = createModel('quasimoto_ensemble', { nWaves: 2, seed: 1 }).snapshot();
    const bad: unknown[] = [
      { ...good, formatVersion: 1 },
      { ...good, type: 'nonexistent' },
      { ...good, version: 1.5 },
      { ...good, training: 'yes' },
      { ...good, config: { nWaves: 3 } },
      { ...good, parameters: good.parameters.subarray(1) },
      { ...good, parameters: Array.from(good.parameters) },
      { ...good, buffers: new Float64Array(1) },
    ];
    for (const snapshot of bad) {
      for (const adopt of [false, true]) {
        expect(() => modelFromSnapshot(snapshot as never, { adopt })).toThrow(ComputeInputError);
      }
    }
  });

  it("values: 'zeros' gives the shape without drawing anything", () => {
    const drawn = createModel('string_theory', { dimensions: 6, hiddenSize: 7, numLayers: 3, seed: 2 });
    const shape = createModel('string_theory', {
      dimensions: 6,
      hiddenSize: 7,
      numLayers: 3,
      values: 'zeros',
    });
    expect(shape.parameterCount).toBe(drawn.parameterCount);
    expect(shape.parameters.every((value) => value === 0)).toBe(true);
  });

  it('model tensors come from the allocator the host sets', () => {
    const made: number[] = [];
    setTensorAllocator((length) => {
      made.push(length);
      return new Float64Array(new SharedArrayBuffer(8 * length));
    });
    const model = createModel('string_theory', { dimensions: 3, hiddenSize: 4, useBatchNorm: true, seed: 1 });
    expect(made).toEqual([model.parameterCount, model.buffers.length]);
    expect(model.parameters.buffer).toBeInstanceOf(SharedArrayBuffer);
    const copy = modelFromSnapshot(model.snapshot());
    expect(copy.parameters.buffer).toBeInstanceOf(SharedArrayBuffer);
    setTensorAllocator();
    expect(createModel('quasimoto_1d', { seed: 1 }).parameters.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('float64 bytes are little-endian IEEE-754 and come back bit-exactly', () => {
    const values = Float64Array.of(1, -0, NAN_WITH_PAYLOAD, Infinity, 5e-324);
    const bytes = float64Bytes(values);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect(bitsOf(float64FromBytes(bytes, 5)!)).toBe(bitsOf(values));
    expect(float64FromBytes(bytes.subarray(1), 5)).toBeUndefined();
  });

  it('reportParameters answers get_parameters as the original: one-value tensors as plain numbers', () => {
    const report = reportParameters(createModel('quasimoto_ensemble', { nWaves: 2, seed: 1 }));
    expect(report['waves.1.epsilon']).toEqual({ value: 0.1, shape: [], requires_grad: true });
    expect(typeof report['head.bias']?.value).toBe('number');
    expect(report['head.bias']?.shape).toEqual([1]);
    expect((report['head.weight']?.value as number[][])[0]).toHaveLength(2);
  });
});
