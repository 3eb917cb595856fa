import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  chirpDataset,
  createModel,
  fitSync,
  modelFromSnapshot,
  reportParameters,
  setTensorAllocator,
  stringModesDataset,
  type AnyModel,
} from '../../../src/core/index.js';
import { ComputePool, POOL_BUSY_RETRY_AFTER_SECONDS } from '../../../src/services/compute/index.js';
import { DredgeError } from '../../../src/services/errors.js';

function bitsOf(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex');
}

/** 12,577 parameters: above the size that lives in shared memory. */
function network(seed: number): AnyModel {
  return createModel('string_theory', { dimensions: 32, hiddenSize: 96, numLayers: 2, seed });
}

const pools: ComputePool[] = [];
function pool(threads: number, maxWaiting: number): ComputePool {
  const made = new ComputePool(threads, maxWaiting);
  pools.push(made);
  return made;
}

afterAll(async () => {
  await Promise.all(pools.map((made) => made.close()));
  setTensorAllocator();
});

afterEach(() => vi.restoreAllMocks());

describe('the compute pool', () => {
  it('refuses at once, 503 with a Retry-After, when its threads are busy and its queue is full: before copying anything', async () => {
    const busy = pool(1, 1);
    const stop = new AbortController();
    // A training of about a minute holds the one thread; a second one waits.
    const long = () =>
      busy.train(createModel('quasimoto_ensemble', { nWaves: 16, seed: 1 }), chirpDataset(), {
        epochs: 100_000,
        learningRate: 0.01,
        progressEvery: 1000,
        signal: stop.signal,
      });
    const running = [long(), long()];
    expect(busy.inFlight).toBe(2);

    const refused = network(1);
    const snapshot = vi.spyOn(refused, 'snapshot');
    const started = performance.now();
    const failure = await busy.forward(refused, { size: 1, columns: [new Float64Array(32)] }).catch((e) => e);
    expect(performance.now() - started).toBeLessThan(50);
    expect(failure).toBeInstanceOf(DredgeError);
    expect(failure).toMatchObject({
      code: 'unavailable',
      status: 503,
      retryAfterSeconds: POOL_BUSY_RETRY_AFTER_SECONDS,
    });
    expect((failure as DredgeError).message).toMatch(/COMPUTE_MAX_WAITING/);
    expect(snapshot).not.toHaveBeenCalled();
    expect(busy.inFlight).toBe(2);

    stop.abort(new Error('enough'));
    for (const training of running) await expect(training).rejects.toThrow();
    expect(busy.inFlight).toBe(0);
  });

  it('trains a copy of a model where it lies and brings the trained model back in shared memory', async () => {
    const trainer = pool(1, 4);
    const model = network(2); // made after the pool: its values are shared memory
    expect(model.parameters.buffer).toBeInstanceOf(SharedArrayBuffer);
    const before = bitsOf(model.parameters);
    const data = stringModesDataset(32, 64);
    const expected = modelFromSnapshot(model.snapshot()).train();
    const expectedFit = fitSync(expected, stringModesDataset(32, 64), { epochs: 5, learningRate: 0.01 });

    const { model: trained, result } = await trainer.train(model, data, {
      epochs: 5,
      learningRate: 0.01,
      progressEvery: 1,
    });
    expect(bitsOf(model.parameters)).toBe(before);
    expect(trained.parameters.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(result.losses)).toEqual(Array.from(expectedFit.losses));
    expect(bitsOf(trained.parameters)).toBe(bitsOf(expected.parameters));
    expect(trained.version).toBe(expected.version);
  });

  it('makes a model of a recipe, runs large batches and writes get_parameters there, as this thread would', async () => {
    const worker = pool(1, 4);
    const { model: made, warnings } = await worker.create({
      type: 'string_theory',
      options: { dimensions: 32, hiddenSize: 96, numLayers: 2, seed: 3 },
    });
    const local = network(3);
    expect(warnings).toEqual([]);
    expect(made.parameters.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(bitsOf(made.parameters)).toBe(bitsOf(local.parameters));

    const input = stringModesDataset(32, 100).input;
    const expected = local.forward(input);
    expect(Array.from(await worker.forward(made, input))).toEqual(Array.from(expected));

    const answer = { model_id: 'string_theory_0', version: made.version };
    const json = Buffer.from(await worker.report(made, answer)).toString();
    expect(json).toBe(JSON.stringify({ ...answer, parameters: reportParameters(local) }));
  });
});
