import type { Redis } from 'ioredis';
import type { ModelType } from '../../../core/index.js';
import {
  asBuffer,
  BINARY_STATE_FORMAT,
  TEXT_STATE_FORMAT,
  type BinaryModelState,
  type StoredModelState,
} from '../model-state.js';
import {
  modelId,
  type ModelFamily,
  type ModelStore,
  type NewStoredModel,
  type StoredModelChange,
  type StoredModelRecord,
  type StoredModelVersion,
} from '../model-store.js';
import { admitWithinLimits } from '../registry-limits.js';

/**
 * A model's state as hash fields, format 2: `state` holds the JSON header, `parameters` and `buffers` the values as
 * little-endian float64 bytes, `stateFormat` says so. A hash written before format 2 has no `stateFormat` and its
 * whole JSON text (format 1) in `state`: it is read as it is and rewritten as format 2 by the model's next update
 * (a training), the only write a stored model gets, so no reader ever races a conversion.
 */
function stateFields(state: BinaryModelState): Record<string, string | Buffer> {
  return {
    stateFormat: String(state.format),
    state: state.header,
    parameters: asBuffer(state.parameters),
    buffers: asBuffer(state.buffers),
  };
}

function stateOf(fields: Record<string, Buffer>): StoredModelState | undefined {
  const state = fields.state?.toString();
  if (state === undefined) return undefined;
  if (fields.stateFormat?.toString() !== String(BINARY_STATE_FORMAT))
    return { format: TEXT_STATE_FORMAT, text: state };
  return {
    format: BINARY_STATE_FORMAT,
    header: state,
    parameters: fields.parameters ?? Buffer.alloc(0),
    buffers: fields.buffers ?? Buffer.alloc(0),
  };
}

/**
 * Models in Redis, shared by every replica: one hash per model (its values as binary fields), an index sorted by
 * creation time, the parameter total beside it. Ids come from INCR, so concurrent load_model calls on different
 * replicas never get the same id. Each write is one command or one MULTI, so a replica that dies mid-request leaves
 * every model whole.
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
    admitWithinLimits(model.limits, { models, parameters: Number(parameters ?? 0) }, model.parameterCount);
    const n = (await this.redis.incr(this.counter(model.family))) - 1;
    const { state, ...facts } = model.record;
    const id = modelId(facts.type, n);
    // A new model has no training history; the field is written by its first training.
    await this.redis
      .multi()
      .hset(this.key(id), {
        id,
        type: facts.type,
        requestConfig: facts.requestConfig,
        version: String(facts.version),
        createdAt: facts.createdAt,
        updatedAt: facts.updatedAt,
        nParameters: String(model.parameterCount),
        ...stateFields(state),
      })
      .zadd(this.index, Date.parse(facts.createdAt), id)
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
    // As Buffers: the values are bytes, which text decoding would mangle.
    const fields = await this.redis.hgetallBuffer(this.key(id));
    const state = stateOf(fields);
    if (!state) return undefined;
    const text = (name: string) => fields[name]?.toString() ?? '';
    return {
      id,
      type: text('type') as ModelType,
      requestConfig: text('requestConfig'),
      state,
      version: Number(text('version')),
      createdAt: text('createdAt'),
      updatedAt: text('updatedAt'),
      training: fields.training?.toString(),
    };
  }

  async update(id: string, change: StoredModelChange): Promise<void> {
    await this.redis.hset(this.key(id), {
      ...stateFields(change.state),
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
