import type { RegisteredModel } from './model-registry.js';
import { modelFromState } from './model-state.js';
import type { StoredModelRecord } from './model-store.js';
import { parseTrainingHistory } from './training-history.js';

/**
 * Models already restored in this process, by id and version. The registry asks its store only for the version
 * of a model on each use (cheap), and restores the model from its state only when that version is not the one
 * held here: another replica retrained it, or this process has not seen it yet.
 */
export class RegisteredModelCache {
  private readonly byId = new Map<string, RegisteredModel>();

  constructor(private readonly capacity: number) {}

  lookup(id: string, version: number, updatedAt: string): RegisteredModel | undefined {
    const held = this.byId.get(id);
    return held && held.model.version === version && held.updatedAt.toISOString() === updatedAt
      ? held
      : undefined;
  }

  restore(record: StoredModelRecord): RegisteredModel {
    return this.hold(restoredModel(record));
  }

  hold(registered: RegisteredModel): RegisteredModel {
    if (!this.byId.has(registered.id) && this.byId.size >= this.capacity) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
    this.byId.set(registered.id, registered);
    return registered;
  }

  forget(id: string): void {
    this.byId.delete(id);
  }
}

/** The model a stored record describes (a current model, or an older version of one), restored from its state. */
export function restoredModel(record: StoredModelRecord): RegisteredModel {
  return {
    id: record.id,
    tenant: record.tenant,
    type: record.type,
    requestConfig: JSON.parse(record.requestConfig) as Record<string, unknown>,
    model: modelFromState(record.state),
    createdAt: new Date(record.createdAt),
    updatedAt: new Date(record.updatedAt),
    training: parseTrainingHistory(record.training),
  };
}
