import type { Redis } from 'ioredis';
import type { AnyModel, ModelType } from '../../../core/index.js';
import { DredgeError } from '../../errors.js';
import {
  familyOf,
  registryFullError,
  type ModelRegistry,
  type RegisteredModel,
  type RegistryLimits,
} from '../model-registry.js';
import { RegisteredModelCache, toRecord, type StoredModelRecord } from '../registered-model-cache.js';
import type { TrainingHistory } from '../training-history.js';

/**
 * Models in Redis, shared by every replica: a model loaded or retrained on one is served by all the others at once
 * (each asks Redis for the model's version on use and restores it when it changed). Ids come from INCR, so
 * concurrent load_model calls on different replicas never get the same id. Each write is one command or one
 * MULTI, so a replica that dies mid-request leaves every model whole.
 */
export class RedisModelRegistry implements ModelRegistry {
  private readonly cache: RegisteredModelCache;

  constructor(
    private readonly redis: Redis,
    readonly limits: RegistryLimits,
    private readonly prefix = 'dredge:store:',
  ) {
    this.cache = new RegisteredModelCache(limits.maxModels);
  }

  private key(id: string): string {
    return `${this.prefix}model:${id}`;
  }

  private get index(): string {
    return `${this.prefix}models`;
  }

  private get parameterTotal(): string {
    return `${this.prefix}models:parameters`;
  }

  async add(
    type: ModelType,
    model: AnyModel,
    requestConfig: Readonly<Record<string, unknown>>,
  ): Promise<RegisteredModel> {
    return this.guard(async () => {
      const [models, parameters] = await Promise.all([
        this.redis.zcard(this.index),
        this.redis.get(this.parameterTotal),
      ]);
      const full = registryFullError(this.limits, models, Number(parameters ?? 0), model.parameterCount);
      if (full) throw new DredgeError('too_large', full);
      const n = (await this.redis.incr(`${this.prefix}counter:${familyOf(type)}`)) - 1;
      const now = new Date();
      const registered: RegisteredModel = {
        id: `${type}_${n}`,
        type,
        requestConfig,
        model,
        createdAt: now,
        updatedAt: now,
      };
      const { training: _none, ...record } = toRecord(registered);
      await this.redis
        .multi()
        .hset(this.key(record.id), { ...record, nParameters: String(model.parameterCount) })
        .zadd(this.index, now.getTime(), record.id)
        .incrby(this.parameterTotal, model.parameterCount)
        .exec();
      return this.cache.hold(registered);
    });
  }

  get(id: string): Promise<RegisteredModel | undefined> {
    return this.guard(async () => {
      const [version, updatedAt] = await this.redis.hmget(this.key(id), 'version', 'updatedAt');
      if (version === null || version === undefined || updatedAt === null || updatedAt === undefined) {
        this.cache.forget(id);
        return undefined;
      }
      const held = this.cache.lookup(id, Number(version), updatedAt);
      if (held) return held;
      const record = (await this.redis.hgetall(this.key(id))) as unknown as Record<
        keyof StoredModelRecord,
        string
      >;
      if (!record.state) return undefined;
      return this.cache.restore({
        ...record,
        type: record.type as ModelType,
        version: Number(record.version),
      });
    });
  }

  async list(): Promise<RegisteredModel[]> {
    const ids = await this.guard(() => this.redis.zrange(this.index, 0, -1));
    const models = await Promise.all(ids.map((id) => this.get(id)));
    return models.filter((model): model is RegisteredModel => model !== undefined);
  }

  async update(id: string, model: AnyModel, training?: TrainingHistory): Promise<RegisteredModel> {
    const existing = await this.get(id);
    if (!existing) throw new DredgeError('not_found', `Model not found: ${id}`);
    const registered: RegisteredModel = {
      ...existing,
      model,
      updatedAt: new Date(),
      training: training ?? existing.training,
    };
    const record = toRecord(registered);
    // One HSET: the parameters and the history of the training that produced them change together.
    await this.guard(() =>
      this.redis.hset(this.key(id), {
        state: record.state,
        version: String(record.version),
        updatedAt: record.updatedAt,
        ...(training && record.training ? { training: record.training } : {}),
      }),
    );
    return this.cache.hold(registered);
  }

  async delete(id: string): Promise<boolean> {
    this.cache.forget(id);
    return this.guard(async () => {
      const parameters = await this.redis.hget(this.key(id), 'nParameters');
      if (parameters === null) return false;
      const results = await this.redis
        .multi()
        .del(this.key(id))
        .zrem(this.index, id)
        .decrby(this.parameterTotal, Number(parameters))
        .exec();
      return results?.[0]?.[1] === 1;
    });
  }

  /** Redis failures become 503 with a sentence; DREDGE's own errors pass. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DredgeError) throw error;
      throw new DredgeError('unavailable', 'The model store (Redis) is unavailable; try again shortly.');
    }
  }
}
