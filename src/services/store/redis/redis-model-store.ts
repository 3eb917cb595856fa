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
  type StoredTotals,
} from '../model-store.js';
import { admitWithinLimits } from '../registry-limits.js';
import { admitWithinQuota, DEFAULT_TENANT, type TenantModelTotals } from '../tenancy.js';
import { tenantPrefix } from './redis-records.js';

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
 * The totals of every tenant's models, made on first use from the default tenant's (before tenancy every model was
 * the default tenant's), in one step. KEYS: every tenant's count and parameters, the default tenant's index and
 * parameters. Answers the count and the parameters.
 */
const ALL_TOTALS = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('SET', KEYS[1], redis.call('ZCARD', KEYS[3]))
  redis.call('SET', KEYS[2], redis.call('GET', KEYS[4]) or '0')
end
return {tonumber(redis.call('GET', KEYS[1])), tonumber(redis.call('GET', KEYS[2]) or '0')}`;

/**
 * Keeps the current state of a model as an older version before an update replaces it (run in the update's MULTI,
 * before its HSET): drops the versions `survivesUpdate` does not keep (newer than the current one, or not older
 * than the new one), copies the model's hash to its version's key (COPY: the values never leave Redis), and drops
 * the oldest beyond the kept count. KEYS: the model's hash, its versions' sorted set (scored by number). ARGV: the
 * prefix of its versions' keys, the new version, the older versions to keep (MODEL_VERSIONS_KEPT − 1).
 */
const KEEP_VERSION = `
local currentText = redis.call('HGET', KEYS[1], 'version')
if not currentText then return 0 end
local current = tonumber(currentText)
local newVersion = tonumber(ARGV[2])
local kept = tonumber(ARGV[3])
local floor = math.min(current, newVersion - 1)
for _, version in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. floor, '+inf')) do
  redis.call('DEL', ARGV[1] .. version)
  redis.call('ZREM', KEYS[2], version)
end
if kept > 0 and current < newVersion then
  redis.call('COPY', KEYS[1], ARGV[1] .. currentText, 'REPLACE')
  redis.call('ZADD', KEYS[2], currentText, currentText)
end
local surplus = redis.call('ZCARD', KEYS[2]) - kept
if surplus > 0 then
  for _, version in ipairs(redis.call('ZRANGE', KEYS[2], 0, surplus - 1)) do
    redis.call('DEL', ARGV[1] .. version)
    redis.call('ZREM', KEYS[2], version)
  end
end
return 1`;

/**
 * Swaps a kept older version and the current state of a model, in one step: the current hash is copied to its
 * version's key, the version's hash replaces the model's (with a new updatedAt), and the version's key goes.
 * KEYS: the model's hash, its versions' sorted set. ARGV: the prefix of its versions' keys, the version, the new
 * updatedAt. Answers 1, or 0 (changing nothing) when the model or that version is not kept.
 */
const ROLLBACK = `
local current = redis.call('HGET', KEYS[1], 'version')
if not current or not redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 0 end
if current == ARGV[2] then return 1 end
redis.call('COPY', KEYS[1], ARGV[1] .. current, 'REPLACE')
redis.call('ZADD', KEYS[2], current, current)
redis.call('COPY', ARGV[1] .. ARGV[2], KEYS[1], 'REPLACE')
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3])
redis.call('DEL', ARGV[1] .. ARGV[2])
redis.call('ZREM', KEYS[2], ARGV[2])
return 1`;

/** Deletes every older version of a model (run in its removal's MULTI). KEYS: its versions' set; ARGV: their prefix. */
const REMOVE_VERSIONS = `
for _, version in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  redis.call('DEL', ARGV[1] .. version)
end
redis.call('DEL', KEYS[1])
return 1`;

/**
 * Models in Redis, shared by every replica: one hash per model (its values as binary fields, its tenant in a
 * field: none on a hash written before tenancy, the default tenant's), and per tenant (see tenantPrefix) an index
 * sorted by creation and the parameter total beside it, which TENANT_MAX_* bound; the totals of every tenant
 * (`all:`), which MAX_MODELS and MAX_MODEL_PARAMETERS bound; the set of tenants other than the default. Ids come
 * from INCR in the default tenant (so concurrent load_model calls on different replicas never get the same id)
 * and are random in any other, so a model's hash is found by its id alone and its tenant then checked. Each write
 * is one command or one MULTI, so a replica that dies mid-request leaves every model whole. A model's older versions
 * (MODEL_VERSIONS_KEPT) are copies of its hash under `model:<id>:version:<n>`, listed by the sorted set
 * `model:<id>:versions`; they are written, dropped and deleted in the same MULTI (or script) as the model's change.
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

  /** The prefix of a model's versions' keys, the version number after it. */
  private versionKey(id: string): string {
    return `${this.prefix}model:${id}:version:`;
  }

  private versionSet(id: string): string {
    return `${this.prefix}model:${id}:versions`;
  }

  private index(tenant: string): string {
    return `${tenantPrefix(this.prefix, tenant)}models`;
  }

  private parameterTotal(tenant: string): string {
    return `${tenantPrefix(this.prefix, tenant)}models:parameters`;
  }

  private get tenants(): string {
    return `${this.prefix}tenants`;
  }

  private counter(family: ModelFamily): string {
    return `${this.prefix}counter:${family}`;
  }

  async totals(): Promise<StoredTotals> {
    const [models, parameters] = (await this.redis.eval(
      ALL_TOTALS,
      4,
      `${this.prefix}all:models`,
      `${this.prefix}all:parameters`,
      this.index(DEFAULT_TENANT),
      this.parameterTotal(DEFAULT_TENANT),
    )) as [number, number];
    return { models, parameters };
  }

  async tenantTotals(tenant: string): Promise<TenantModelTotals> {
    const [models, parameters] = await Promise.all([
      this.redis.zcard(this.index(tenant)),
      this.redis.get(this.parameterTotal(tenant)),
    ]);
    return { models, parameters: Number(parameters ?? 0) };
  }

  async insert(model: NewStoredModel): Promise<string> {
    const { state, ...facts } = model.record;
    const { tenant } = facts;
    const [totals, tenantTotals] = await Promise.all([
      this.totals(),
      model.quotas ? this.tenantTotals(tenant) : undefined,
    ]);
    admitWithinLimits(model.limits, totals, model.parameterCount);
    if (tenantTotals) admitWithinQuota(model.quotas, tenantTotals, model.parameterCount);
    const id = model.id ?? modelId(facts.type, (await this.redis.incr(this.counter(model.family))) - 1);
    // A new model has no training history; the field is written by its first training.
    const write = this.redis.multi().hset(this.key(id), {
      id,
      tenant,
      type: facts.type,
      requestConfig: facts.requestConfig,
      version: String(facts.version),
      createdAt: facts.createdAt,
      updatedAt: facts.updatedAt,
      nParameters: String(model.parameterCount),
      ...stateFields(state),
    });
    if (tenant !== DEFAULT_TENANT) write.sadd(this.tenants, tenant);
    await write
      .zadd(this.index(tenant), Date.parse(facts.createdAt), id)
      .incrby(this.parameterTotal(tenant), model.parameterCount)
      .incr(`${this.prefix}all:models`)
      .incrby(`${this.prefix}all:parameters`, model.parameterCount)
      .exec();
    return id;
  }

  async versionOf(id: string, tenant?: string): Promise<StoredModelVersion | undefined> {
    const [version, updatedAt, owner] = await this.redis.hmget(
      this.key(id),
      'version',
      'updatedAt',
      'tenant',
    );
    if (version === null || version === undefined || updatedAt === null || updatedAt === undefined) {
      return undefined;
    }
    const modelTenant = owner || DEFAULT_TENANT;
    if (tenant !== undefined && modelTenant !== tenant) return undefined;
    return { id, tenant: modelTenant, version: Number(version), updatedAt };
  }

  async versions(tenant?: string): Promise<StoredModelVersion[]> {
    const tenants =
      tenant === undefined ? [DEFAULT_TENANT, ...(await this.redis.smembers(this.tenants))] : [tenant];
    const versions: StoredModelVersion[] = [];
    for (const each of tenants) {
      const ids = await this.redis.zrange(this.index(each), 0, -1);
      const found = await Promise.all(ids.map((id) => this.versionOf(id, each)));
      versions.push(...found.filter((version): version is StoredModelVersion => version !== undefined));
    }
    return versions;
  }

  read(id: string): Promise<StoredModelRecord | undefined> {
    return this.recordAt(this.key(id), id);
  }

  private async recordAt(key: string, id: string): Promise<StoredModelRecord | undefined> {
    // As Buffers: the values are bytes, which text decoding would mangle.
    const fields = await this.redis.hgetallBuffer(key);
    const state = stateOf(fields);
    if (!state) return undefined;
    const text = (name: string) => fields[name]?.toString() ?? '';
    return {
      id,
      tenant: text('tenant') || DEFAULT_TENANT,
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
    const results = await this.redis
      .multi()
      .eval(
        KEEP_VERSION,
        2,
        this.key(id),
        this.versionSet(id),
        this.versionKey(id),
        String(change.version),
        String(Math.max(0, change.versionsKept - 1)),
      )
      .hset(this.key(id), {
        ...stateFields(change.state),
        version: String(change.version),
        updatedAt: change.updatedAt,
        ...(change.training === undefined ? {} : { training: change.training }),
      })
      .exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async olderVersions(id: string): Promise<number[]> {
    return (await this.redis.zrevrange(this.versionSet(id), 0, -1)).map(Number);
  }

  async readVersion(id: string, version: number): Promise<StoredModelRecord | undefined> {
    // The version's hash is a copy of the model's as it was, its tenant and facts included.
    return this.recordAt(`${this.versionKey(id)}${version}`, id);
  }

  async rollback(id: string, version: number, updatedAt: string): Promise<boolean> {
    const done = await this.redis.eval(
      ROLLBACK,
      2,
      this.key(id),
      this.versionSet(id),
      this.versionKey(id),
      String(version),
      updatedAt,
    );
    return done === 1;
  }

  async remove(id: string): Promise<boolean> {
    const [parameters, owner] = await this.redis.hmget(this.key(id), 'nParameters', 'tenant');
    if (parameters === null || parameters === undefined) return false;
    const tenant = owner || DEFAULT_TENANT;
    // Made before the first change, so the totals of every tenant count this model before they lose it.
    await this.totals();
    const results = await this.redis
      .multi()
      .del(this.key(id))
      .eval(REMOVE_VERSIONS, 1, this.versionSet(id), this.versionKey(id))
      .zrem(this.index(tenant), id)
      .decrby(this.parameterTotal(tenant), Number(parameters))
      .decr(`${this.prefix}all:models`)
      .decrby(`${this.prefix}all:parameters`, Number(parameters))
      .exec();
    return results?.[0]?.[1] === 1;
  }
}
