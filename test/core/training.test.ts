import { describe, expect, it } from 'vitest';
import {
  Adam,
  chirpDataset,
  clipGradientNorm,
  ComputeInputError,
  decimateLosses,
  fit,
  fitSync,
  grid4dDataset,
  grid6dDataset,
  MAX_EPOCHS,
  QuasimotoWave,
  stringModesDataset,
  Trainer,
  wavePacketDataset,
  type Dataset,
  type FitProgress,
} from '../../src/core/index.js';
import { expectClose, loadGolden } from './golden.js';
import { perturbedModel, SMALL_MODELS } from './models.js';

interface TrainingGolden {
  optimizer: { lr: number; betas: [number, number]; eps: number };
  initial_params: Record<string, number>;
  losses: number[];
  final_params: Record<string, number>;
}

const golden = loadGolden<TrainingGolden>('training.json');
const data = loadGolden<{ chirp_1d: { x: number[]; t: number[]; y: number[] } }>('data.json');

describe('training reproduces golden/training.json (25 Adam epochs of the 1D wave on the chirp, float32)', () => {
  const goldenChirp: Dataset = {
    name: 'golden chirp',
    input: { size: 1000, columns: [Float64Array.from(data.chirp_1d.x), Float64Array.from(data.chirp_1d.t)] },
    target: Float64Array.from(data.chirp_1d.y),
  };

  for (const [label, dataset] of [
    ['on the recorded data', goldenChirp],
    ['on our generated chirp', chirpDataset()],
  ] as const) {
    it(`${label}: the same 25 losses and final parameters within 1e-4`, () => {
      const model = new QuasimotoWave({ seed: 1 });
      model.loadState(golden.initial_params);
      const result = fitSync(model, dataset, {
        epochs: golden.losses.length,
        learningRate: golden.optimizer.lr,
        betas: golden.optimizer.betas,
        eps: golden.optimizer.eps,
      });
      expectClose(result.losses, golden.losses, { rel: 1e-4, abs: 0, label: 'losses' });
      const final = model.stateDict();
      for (const [name, value] of Object.entries(golden.final_params)) {
        expectClose(final[name] as number, value, { rel: 1e-4, abs: 1e-7, label: name });
      }
      // t = 0 everywhere: ω and v get no gradient and Adam leaves them exactly where they were.
      expect(final.omega).toBe(golden.initial_params.omega);
      expect(final.v).toBe(golden.initial_params.v);
    });
  }
});

describe('Adam and gradient clipping follow PyTorch', () => {
  it('Adam: the first step moves every parameter by lr against the sign of its gradient', () => {
    const adam = new Adam(3, { learningRate: 0.1 });
    const p = Float64Array.from([1, 2, 3]);
    adam.step(p, Float64Array.from([0.5, -2, 0]));
    expectClose(p, [0.9, 2.1, 3], { rel: 1e-7 });
    expect(adam.steps).toBe(1);
  });

  it('clip_grad_norm_: scales by max_norm/(norm + 1e-6) only when the norm exceeds max_norm', () => {
    const g = Float64Array.from([3, 4]);
    expect(clipGradientNorm(g, 1)).toBe(5);
    expectClose(g, [3 / (5 + 1e-6), 4 / (5 + 1e-6)]);
    const small = Float64Array.from([0.3, 0.4]);
    clipGradientNorm(small, 1);
    expect(Array.from(small)).toEqual([0.3, 0.4]);
  });

  it('a clipped fit takes steps no larger than an unclipped one and still learns', () => {
    const clipped = new QuasimotoWave({ seed: 3 });
    const result = fitSync(clipped, chirpDataset(), { epochs: 30, gradClipNorm: 1e-3 });
    expect(result.finalLoss).toBeLessThan(result.initialLoss);
  });

  it('decimates losses as the reference reports them: every max(1, ⌊epochs/10⌋)-th', () => {
    const losses = Array.from({ length: 100 }, (_, i) => i);
    expect(decimateLosses(losses)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(decimateLosses([5, 4, 3, 2, 1])).toEqual([5, 4, 3, 2, 1]);
  });
});

describe('fit: progress, abort and validation', () => {
  it('reports progress every progressEvery epochs and after the last one', () => {
    const seen: FitProgress[] = [];
    const result = fitSync(new QuasimotoWave({ seed: 1 }), chirpDataset(100), {
      epochs: 10,
      progressEvery: 4,
      onProgress: (p) => seen.push(p),
    });
    expect(seen.map((p) => p.epoch)).toEqual([4, 8, 10]);
    expect(seen.at(-1)).toEqual({ epoch: 10, epochs: 10, loss: result.finalLoss });
    expect(result.losses).toHaveLength(10);
    expect(result.initialLoss).toBe(result.losses[0]);
  });

  it('stops with the abort reason when the signal fires (from the progress callback)', () => {
    const controller = new AbortController();
    const model = new QuasimotoWave({ seed: 1 });
    const before = model.version;
    expect(() =>
      fitSync(model, chirpDataset(100), {
        epochs: 1000,
        progressEvery: 1,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.epoch === 3) controller.abort(new Error('enough'));
        },
      }),
    ).toThrow('enough');
    expect(model.version).toBe(before + 3);
  });

  it('the async fit yields to the event loop, so a timer can abort it', async () => {
    const model = new QuasimotoWave({ seed: 1 });
    const signal = AbortSignal.timeout(30);
    await expect(
      fit(model, chirpDataset(), { epochs: MAX_EPOCHS, signal, yieldEveryMs: 5 }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(model.version).toBeGreaterThan(0);
    expect(model.version).toBeLessThan(MAX_EPOCHS);
  });

  it('the async fit gives the same result as the synchronous one', async () => {
    const a = new QuasimotoWave({ seed: 9 });
    const b = new QuasimotoWave({ seed: 9 });
    const sync = fitSync(a, chirpDataset(200), { epochs: 20 });
    const async = await fit(b, chirpDataset(200), { epochs: 20 });
    expect(Array.from(async.losses)).toEqual(Array.from(sync.losses));
    expect(Array.from(b.parameters)).toEqual(Array.from(a.parameters));
  });

  it('rejects out-of-range epochs, learning rates and clip norms with the field name', () => {
    const model = new QuasimotoWave({ seed: 1 });
    const d = chirpDataset(10);
    const field = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (error) {
        expect(error).toBeInstanceOf(ComputeInputError);
        return (error as ComputeInputError).field;
      }
      return undefined;
    };
    expect(field(() => fitSync(model, d, { epochs: 0 }))).toBe('epochs');
    expect(field(() => fitSync(model, d, { epochs: MAX_EPOCHS + 1 }))).toBe('epochs');
    expect(field(() => fitSync(model, d, { epochs: 1.5 }))).toBe('epochs');
    expect(field(() => fitSync(model, d, { epochs: 1, learningRate: 0 }))).toBe('learning_rate');
    expect(field(() => fitSync(model, d, { epochs: 1, learningRate: Number.NaN }))).toBe('learning_rate');
    expect(field(() => fitSync(model, d, { epochs: 1, gradClipNorm: -1 }))).toBe('grad_clip');
    expect(field(() => new Trainer(model, d, { betas: [1, 0.999] }))).toBe('beta1');
  });
});

describe('training lowers the loss of every model type on its data set', () => {
  const datasets: Record<string, () => Dataset> = {
    quasimoto_1d: () => chirpDataset(),
    quasimoto_ensemble: () => chirpDataset(),
    quasimoto_4d: () => grid4dDataset(6),
    quasimoto_ensemble_4d: () => grid4dDataset(6),
    quasimoto_6d: () => grid6dDataset(4),
    quasimoto_ensemble_6d: () => grid6dDataset(4),
    quasimoto_interference_basis: () => wavePacketDataset(2, 2, 256, 3),
    string_theory: () => stringModesDataset(3, 256, 3),
  };
  for (const { label, type, options } of SMALL_MODELS) {
    it(label, () => {
      const model = perturbedModel(type, options, 21);
      const dataset = (datasets[type] as () => Dataset)();
      const result = fitSync(model, dataset, { epochs: 150, learningRate: 1e-2 });
      expect(Number.isFinite(result.finalLoss)).toBe(true);
      expect(result.finalLoss).toBeLessThan(0.9 * result.initialLoss);
    });
  }
});
