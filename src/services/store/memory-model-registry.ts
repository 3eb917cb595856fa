import type { AnyModel, ModelType } from '../../core/index.js';
import { DredgeError } from '../errors.js';
import {
  familyOf,
  registryFullError,
  type ModelFamily,
  type ModelRegistry,
  type RegisteredModel,
  type RegistryLimits,
} from './model-registry.js';

/** Models in this process's memory, within the registry's limits. */
export class MemoryModelRegistry implements ModelRegistry {
  private readonly models = new Map<string, RegisteredModel>();
  private readonly counters: Record<ModelFamily, number> = { quasimoto: 0, string_theory: 0 };

  private parameters = 0;

  constructor(readonly limits: RegistryLimits) {}

  add(
    type: ModelType,
    model: AnyModel,
    requestConfig: Readonly<Record<string, unknown>>,
  ): Promise<RegisteredModel> {
    const full = registryFullError(this.limits, this.models.size, this.parameters, model.parameterCount);
    if (full) return Promise.reject(new DredgeError('too_large', full));
    this.parameters += model.parameterCount;
    const family = familyOf(type);
    const id = `${type}_${this.counters[family]++}`;
    const now = new Date();
    const entry: RegisteredModel = { id, type, requestConfig, model, createdAt: now, updatedAt: now };
    this.models.set(id, entry);
    return Promise.resolve(entry);
  }

  get(id: string): Promise<RegisteredModel | undefined> {
    return Promise.resolve(this.models.get(id));
  }

  list(): Promise<RegisteredModel[]> {
    return Promise.resolve([...this.models.values()]);
  }

  update(id: string, model: AnyModel): Promise<RegisteredModel> {
    const existing = this.models.get(id);
    if (!existing) return Promise.reject(new DredgeError('not_found', `Model not found: ${id}`));
    const entry = { ...existing, model, updatedAt: new Date() };
    this.models.set(id, entry);
    return Promise.resolve(entry);
  }

  delete(id: string): Promise<boolean> {
    const existing = this.models.get(id);
    if (existing) this.parameters -= existing.model.parameterCount;
    return Promise.resolve(this.models.delete(id));
  }
}
