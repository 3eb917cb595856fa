import { describe, expect, it } from 'vitest';
import { createModel, type AnyModel } from '../../../src/core/index.js';
import {
  trainingHistory,
  type ModelRegistry,
  type RegistryLimits,
} from '../../../src/services/store/index.js';
import type { OpenedRegistries } from './registry-contract.js';

const LIMITS = { maxModels: 1000, maxParameters: 1e7 };

/** A model "trained" to `version`: fresh parameters drawn from `seed`, its counter raised to `version`. */
function trainedTo(version: number, seed: number): AnyModel {
  const model = createModel('quasimoto_1d', { seed }).eval();
  for (let i = 0; i < version; i++) model.markChanged();
  return model;
}

/** Trains the model once per version given (seed = version × 10), each with its own one-epoch history. */
async function train(registry: ModelRegistry, id: string, versions: readonly number[]): Promise<void> {
  for (const version of versions) {
    await registry.update(id, trainedTo(version, version * 10), trainingHistory(`data${version}`, [version]));
  }
}

function parametersOf(model: { readonly model: AnyModel } | undefined): number[] {
  return Array.from(model!.model.parameters);
}

/**
 * Model versions (MODEL_VERSIONS_KEPT), against each backend: trainings keep at most N, inference may read any
 * kept one, rollback makes one current (and can be undone until the next training), a retraining after a rollback
 * drops the abandoned newer ones, a delete removes them all, and the other side sees every change.
 */
export function describeVersionContract(
  name: string,
  open: (limits?: RegistryLimits) => Promise<OpenedRegistries>,
): void {
  describe(`${name} model versions`, () => {
    it('keeps the last N versions of each model, the oldest dropped, each whole with its training history', async () => {
      const { first, second, close } = await open({ ...LIMITS, versionsKept: 3 });
      try {
        const added = await first.add('quasimoto_1d', trainedTo(0, 0), {});
        expect(await second.versionsOf(added.id)).toEqual([0]);
        await train(first, added.id, [1, 2, 3, 4]);
        expect(await second.versionsOf(added.id)).toEqual([4, 3, 2]);
        expect(await first.versionsOf(added.id)).toEqual([4, 3, 2]);
        for (const version of [3, 2]) {
          const kept = (await second.getVersion(added.id, version))!;
          expect(kept.model.version).toBe(version);
          expect(parametersOf(kept)).toEqual(Array.from(trainedTo(version, version * 10).parameters));
          expect(kept.training?.dataset).toBe(`data${version}`);
          expect(kept).toMatchObject({ id: added.id, type: 'quasimoto_1d', tenant: added.tenant });
        }
        expect(await second.getVersion(added.id, 1)).toBeUndefined();
        expect(await second.getVersion(added.id, 0)).toBeUndefined();
        // The current version is the current model.
        expect(parametersOf(await second.getVersion(added.id, 4))).toEqual(
          parametersOf(await second.get(added.id)),
        );
      } finally {
        await close();
      }
    });

    it('keeps no older version with MODEL_VERSIONS_KEPT=1', async () => {
      const { first, store, close } = await open({ ...LIMITS, versionsKept: 1 });
      try {
        const added = await first.add('quasimoto_1d', trainedTo(0, 0), {});
        await train(first, added.id, [1, 2]);
        expect(await first.versionsOf(added.id)).toEqual([2]);
        expect(await store.olderVersions(added.id)).toEqual([]);
      } finally {
        await close();
      }
    });

    it('rolls back to a kept version and forward again; the other side sees it at once', async () => {
      const { first, second, close } = await open({ ...LIMITS, versionsKept: 3 });
      try {
        const added = await first.add('quasimoto_1d', trainedTo(0, 0), {});
        await train(first, added.id, [1, 2, 3]);
        await second.get(added.id); // the other side holds version 3 now
        const rolledBack = await first.rollback(added.id, 1);
        expect(rolledBack.model.version).toBe(1);
        expect(parametersOf(rolledBack)).toEqual(Array.from(trainedTo(1, 10).parameters));
        expect(rolledBack.training?.dataset).toBe('data1');
        const seen = (await second.get(added.id))!;
        expect(seen.model.version).toBe(1);
        expect(parametersOf(seen)).toEqual(parametersOf(rolledBack));
        // Nothing is lost: the newer versions stay until the next training.
        expect(await second.versionsOf(added.id)).toEqual([3, 2, 1]);
        expect(parametersOf(await second.getVersion(added.id, 3))).toEqual(
          Array.from(trainedTo(3, 30).parameters),
        );
        // Rolling back to the current version changes nothing.
        expect((await first.rollback(added.id, 1)).model.version).toBe(1);
        expect(await first.versionsOf(added.id)).toEqual([3, 2, 1]);
        const forward = await second.rollback(added.id, 3);
        expect(parametersOf(forward)).toEqual(Array.from(trainedTo(3, 30).parameters));
        expect(parametersOf(await first.get(added.id))).toEqual(parametersOf(forward));
        await expect(first.rollback(added.id, 0)).rejects.toMatchObject({
          code: 'not_found',
          message: `Model ${added.id} does not keep version 0; its kept versions are 3, 2, 1 (newest first).`,
        });
        await expect(first.rollback('quasimoto_1d_999999', 1)).rejects.toMatchObject({
          code: 'not_found',
          message: 'Model not found: quasimoto_1d_999999',
        });
      } finally {
        await close();
      }
    });

    it('drops the abandoned newer versions when a rolled-back model is trained again (the history is linear)', async () => {
      const { first, second, close } = await open({ ...LIMITS, versionsKept: 3 });
      try {
        const added = await first.add('quasimoto_1d', trainedTo(0, 0), {});
        await train(first, added.id, [1, 2, 3]);
        await first.rollback(added.id, 1);
        // Trained from version 1, as a training after the rollback would be: versions 2 and 3 are abandoned.
        await train(second, added.id, [2]);
        expect(await first.versionsOf(added.id)).toEqual([2, 1]);
        // Version 2 is the new training's, not the abandoned one's.
        expect(parametersOf(await first.get(added.id))).toEqual(Array.from(trainedTo(2, 20).parameters));
        expect(parametersOf(await first.getVersion(added.id, 1))).toEqual(
          Array.from(trainedTo(1, 10).parameters),
        );
        await train(second, added.id, [5, 6]);
        expect(await first.versionsOf(added.id)).toEqual([6, 5, 2]);
      } finally {
        await close();
      }
    });

    it('deletes every version with the model, and keeps versions within their tenant', async () => {
      const { first, second, store, close } = await open({ ...LIMITS, versionsKept: 3 });
      try {
        const added = await first.add('quasimoto_1d', trainedTo(0, 0), {}, 'acme');
        await train(first, added.id, [1, 2]);
        expect(await second.versionsOf(added.id, 'acme')).toEqual([2, 1, 0]);
        expect(await second.versionsOf(added.id, 'other')).toEqual([]);
        expect(await second.getVersion(added.id, 1, 'other')).toBeUndefined();
        expect((await second.getVersion(added.id, 1, 'acme'))!.tenant).toBe('acme');
        await expect(second.rollback(added.id, 1, 'other')).rejects.toMatchObject({ code: 'not_found' });
        expect(await store.olderVersions(added.id)).toEqual([1, 0]);
        expect(await second.delete(added.id, 'acme')).toBe(true);
        expect(await store.olderVersions(added.id)).toEqual([]);
        expect(await store.readVersion(added.id, 1)).toBeUndefined();
        expect(await first.versionsOf(added.id)).toEqual([]);
        expect(await first.getVersion(added.id, 1)).toBeUndefined();
      } finally {
        await close();
      }
    });
  });
}
