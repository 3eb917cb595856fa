import type { Redis } from 'ioredis';
import type { ModelType } from '../../../core/index.js';
import type {
  ModelFamily,
  ModelStore,
  NewStoredModel,
  StoredModelChange,
  StoredModelRecord,
  StoredModelVersion,
} from '../model-store.js';

/**
 * Models in Redis, shared by every replica: one hash per model, an index sorted by creation time, the parameter
 * total beside it. Ids come from INCR, so concurrent load_model calls on different replicas never get the same id.
 * Each write is one command or one MULTI, so a replica that dies mid-request leaves every model whole.
 */
export class RedisModelStore implements ModelStore {
  readonly name = 'Redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dredge:store:',
  ) {}

  private key(id: string): string {
    return `${this.prefix}model:${id}`;
  }

  private get index(): string {
    return `${this.prefix}models`;
  }

  private get parameterTotal(): string {
    return `${this.prefix}models:parameters`;
  }

  private counter(family: ModelFamily): string {
    return `${this.prefix}counter:${family}`;
  }

  async insert(model: NewStoredModel): Promise<number> {
    const [models, parameters] = await Promise.all([
      this.redis.zcard(this.index),
      this.redis.get(this.parameterTotal),
    ]);
    model.admit({ models, parameters: Number(parameters ?? 0) });
    const n = (await this.redis.incr(this.counter(model.family))) - 1;
    // A new model has no training history; the field is written by its first training.
    const { training: _none, ...record } = model.recordFor(n);
    await this.redis
      .multi()
      .hset(this.key(record.id), { ...record, nParameters: String(model.parameterCount) })
      .zadd(this.index, Date.parse(record.createdAt), record.id)
      .incrby(this.parameterTotal, model.parameterCount)
      .exec();
    return n;
  }

  async versionOf(id: string): Promise<StoredModelVersion | undefined> {
    const [version, updatedAt] = await this.redis.hmget(this.key(id), 'version', 'updatedAt');
    if (version === null || version === undefined || updatedAt === null || updatedAt === undefined) {
      return undefined;
    }
    return { id, version: Number(version), updatedAt };
  }

  async versions(): Promise<StoredModelVersion[]> {
    const ids = await this.redis.zrange(this.index, 0, -1);
    const versions = await Promise.all(ids.map((id) => this.versionOf(id)));
    return versions.filter((version): version is StoredModelVersion => version !== undefined);
  }

  async read(id: string): Promise<StoredModelRecord | undefined> {
    const fields = (await this.redis.hgetall(this.key(id))) as unknown as Record<
      keyof StoredModelRecord,
      string
    >;
    if (!fields.state) return undefined;
    return { ...fields, type: fields.type as ModelType, version: Number(fields.version) };
  }

  async update(id: string, change: StoredModelChange): Promise<void> {
    await this.redis.hset(this.key(id), {
      state: change.state,
      version: String(change.version),
      updatedAt: change.updatedAt,
      ...(change.training === undefined ? {} : { training: change.training }),
    });
  }

  async remove(id: string): Promise<boolean> {
    const parameters = await this.redis.hget(this.key(id), 'nParameters');
    if (parameters === null) return false;
    const results = await this.redis
      .multi()
      .del(this.key(id))
      .zrem(this.index, id)
      .decrby(this.parameterTotal, Number(parameters))
      .exec();
    return results?.[0]?.[1] === 1;
  }
}
