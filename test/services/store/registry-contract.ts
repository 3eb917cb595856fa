import { describe, expect, it } from 'vitest';
import { createModel, inputFromColumns } from '../../../src/core/index.js';
import {
  MAX_HISTORY_POINTS,
  trainingHistory,
  type ModelRegistry,
  type ModelStore,
  type RegistryLimits,
} from '../../../src/services/store/index.js';
import { describeVersionContract } from './version-contract.js';

/** Two registries over the same storage, and the first one's store (to see what a registry cannot show). */
export interface OpenedRegistries {
  readonly first: ModelRegistry;
  readonly second: ModelRegistry;
  readonly store: ModelStore;
  close(): Promise<void>;
}

/**
 * What every model registry must do, run against each backend. `open` gives two registries over the same
 * storage (two processes, or one process before and after a restart).
 */
export function describeRegistryContract(
  name: string,
  open: (limits?: RegistryLimits) => Promise<OpenedRegistries>,
): void {
  describeVersionContract(name, open);
  describe(`${name} model registry`, () => {
    const input = inputFromColumns(['x', 't'], { x: [0.1, 0.5, 0.9], t: [0, 0, 0] });

    it('keeps a model whole: the other side reads identical parameters, version and outputs', async () => {
      const { first, second, close } = await open();
      try {
        const model = createModel('quasimoto_ensemble', { nWaves: 3, seed: 11 }).eval();
        const added = await first.add('quasimoto_ensemble', model, { n_waves: 3 });
        expect(added.id).toMatch(/^quasimoto_ensemble_\d+$/);
        const read = (await second.get(added.id))!;
        expect(read.type).toBe('quasimoto_ensemble');
        expect(read.requestConfig).toEqual({ n_waves: 3 });
        expect(read.model.version).toBe(model.version);
        expect(Array.from(read.model.parameters)).toEqual(Array.from(model.parameters));
        expect(Array.from(read.model.forward(input))).toEqual(Array.from(model.forward(input)));
      } finally {
        await close();
      }
    });

    it('shows a retrained model to the other side at once', async () => {
      const { first, second, close } = await open();
      try {
        const added = await first.add('quasimoto_1d', createModel('quasimoto_1d', { seed: 1 }).eval(), {});
        await second.get(added.id); // the other side holds the old version now
        const retrained = createModel('quasimoto_1d', { seed: 2 }).eval();
        for (let i = 0; i < 7; i++) retrained.markChanged();
        await first.update(added.id, retrained);
        const seen = (await second.get(added.id))!;
        expect(seen.model.version).toBe(7);
        expect(Array.from(seen.model.parameters)).toEqual(Array.from(retrained.parameters));
      } finally {
        await close();
      }
    });

    it("keeps the last training's thinned loss curve with the parameters, bounded, and shows it to the other side", async () => {
      const { first, second, close } = await open();
      try {
        const added = await first.add('quasimoto_1d', createModel('quasimoto_1d', { seed: 3 }).eval(), {});
        expect(added.training).toBeUndefined();
        expect((await second.get(added.id))!.training).toBeUndefined();
        const losses = Float64Array.from({ length: 100_000 }, (_, i) => 1 / (i + 1));
        const retrained = createModel('quasimoto_1d', { seed: 4 }).eval();
        retrained.markChanged();
        await first.update(added.id, retrained, trainingHistory('chirp', losses, new Date(0)));
        const seen = (await second.get(added.id))!;
        const history = seen.training!;
        expect(history.dataset).toBe('chirp');
        expect(history.epochs).toBe(100_000);
        expect(history.trainedAt).toBe(new Date(0).toISOString());
        expect(history.losses.length).toBeLessThanOrEqual(MAX_HISTORY_POINTS);
        expect(history.lossEpochs.length).toBe(history.losses.length);
        expect([history.lossEpochs[0], history.lossEpochs.at(-1)]).toEqual([1, 100_000]);
        expect([history.initialLoss, history.finalLoss]).toEqual([1, 1 / 100_000]);
        expect(history.losses.at(-1)).toBe(1 / 100_000);

        // An update without a history (parameters set another way) keeps the last training's curve.
        const again = createModel('quasimoto_1d', { seed: 5 }).eval();
        for (let i = 0; i < 2; i++) again.markChanged();
        await second.update(added.id, again);
        expect((await first.get(added.id))!.training).toEqual(history);
        expect((await first.list()).find((model) => model.id === added.id)!.training).toEqual(history);
      } finally {
        await close();
      }
    });

    it('numbers ids as the original did, unique across both sides, and deletes', async () => {
      const { first, second, close } = await open();
      try {
        const ids = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? first : second).add('quasimoto_1d', createModel('quasimoto_1d', { seed: i }), {}),
          ),
        );
        const theory = await first.add(
          'string_theory',
          createModel('string_theory', { seed: 1, dimensions: 2, hiddenSize: 2 }),
          {},
        );
        expect(new Set(ids.map((entry) => entry.id)).size).toBe(10);
        expect(theory.id).toBe('string_theory_0');
        expect((await second.list()).length).toBe(11);
        expect(await second.delete(ids[0]!.id)).toBe(true);
        expect(await first.get(ids[0]!.id)).toBeUndefined();
        expect(await first.delete(ids[0]!.id)).toBe(false);
        expect((await first.list()).length).toBe(10);
      } finally {
        await close();
      }
    });

    it('refuses a model beyond its limits, with room again after a delete', async () => {
      const { first, second, close } = await open({ maxModels: 2, maxParameters: 1000 });
      try {
        const a = await first.add('quasimoto_1d', createModel('quasimoto_1d'), {});
        await second.add('quasimoto_1d', createModel('quasimoto_1d'), {});
        await expect(first.add('quasimoto_1d', createModel('quasimoto_1d'), {})).rejects.toMatchObject({
          code: 'too_large',
        });
        await second.delete(a.id);
        await expect(
          first.add('string_theory', createModel('string_theory', { dimensions: 10, hiddenSize: 64 }), {}),
        ).rejects.toThrow(/room for \d+ more parameters/);
        await expect(first.add('quasimoto_1d', createModel('quasimoto_1d'), {})).resolves.toMatchObject({
          type: 'quasimoto_1d',
        });
      } finally {
        await close();
      }
    });
  });
}
