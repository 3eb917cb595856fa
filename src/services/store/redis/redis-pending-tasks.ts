import type { Redis } from 'ioredis';
import type {
  PendingTaskChange,
  PendingTaskRecord,
  PendingTaskState,
  PendingTaskStore,
} from '../pending-tasks.js';

/** Changes a task only while it is recorded, so a late update never brings back a finished task's half. */
const UPDATE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'attempts', ARGV[2], 'startedAt', ARGV[3])
return 1`;

/** Removes a task and its place in its owner's list. KEYS[2] is the prefix of the owners' lists. */
const REMOVE = `
local owner = redis.call('HGET', KEYS[1], 'owner')
redis.call('DEL', KEYS[1])
if owner then redis.call('ZREM', KEYS[2] .. owner, ARGV[1]) end
return 1`;

/**
 * Moves at most ARGV[3] tasks of the lapsed owner ARGV[1] to ARGV[2], in one step, so two engines never take the
 * same task and a live owner (its lease key exists) keeps its own. Task hashes are named from ARGV[4] (standalone
 * Redis, as the store's other multi-key writes).
 */
const CLAIM = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {} end
local ids = redis.call('ZRANGE', KEYS[2], 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
local taken = {}
for i = 1, #ids, 2 do
  local id = ids[i]
  redis.call('ZREM', KEYS[2], id)
  if redis.call('EXISTS', ARGV[4] .. id) == 1 then
    redis.call('HSET', ARGV[4] .. id, 'owner', ARGV[2])
    redis.call('ZADD', KEYS[3], ids[i + 1], id)
    taken[#taken + 1] = id
  end
end
if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('SREM', KEYS[4], ARGV[1]) end
return taken`;

/**
 * Accepted tasks in Redis: a hash per task, each owner's tasks in a sorted set (by creation), the owners in a set
 * and each owner's lease as a key that expires on Redis' own clock, so replicas on machines with different clocks
 * agree on who has lapsed. Writes that touch several keys are one MULTI or one script.
 */
export class RedisPendingTaskStore implements PendingTaskStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dredge:store:',
  ) {}

  private task(id: string): string {
    return `${this.prefix}pending-task:${id}`;
  }

  private get tasksOfPrefix(): string {
    return `${this.prefix}pending-tasks-of:`;
  }

  private tasksOf(owner: string): string {
    return `${this.tasksOfPrefix}${owner}`;
  }

  private lease(owner: string): string {
    return `${this.prefix}pending-task-lease:${owner}`;
  }

  private get owners(): string {
    return `${this.prefix}pending-task-owners`;
  }

  async add(record: PendingTaskRecord, leaseMs: number): Promise<void> {
    await this.redis
      .multi()
      .hset(this.task(record.id), toFields(record))
      .zadd(this.tasksOf(record.owner), record.createdAt, record.id)
      .sadd(this.owners, record.owner)
      .set(this.lease(record.owner), '1', 'PX', leaseMs)
      .exec();
  }

  async update(id: string, change: PendingTaskChange): Promise<void> {
    await this.redis.eval(
      UPDATE,
      1,
      this.task(id),
      change.state,
      String(change.attempts),
      change.startedAt === null ? '' : String(change.startedAt),
    );
  }

  async get(id: string): Promise<PendingTaskRecord | undefined> {
    return fromFields(id, await this.redis.hgetall(this.task(id)));
  }

  async remove(id: string): Promise<void> {
    await this.redis.eval(REMOVE, 2, this.task(id), this.tasksOfPrefix, id);
  }

  async beat(owner: string, leaseMs: number): Promise<void> {
    await this.redis.multi().sadd(this.owners, owner).set(this.lease(owner), '1', 'PX', leaseMs).exec();
  }

  async release(owner: string): Promise<void> {
    await this.redis.del(this.lease(owner));
  }

  async claimOrphans(owner: string, leaseMs: number, limit: number): Promise<PendingTaskRecord[]> {
    await this.beat(owner, leaseMs);
    const ids: string[] = [];
    for (const other of await this.redis.smembers(this.owners)) {
      if (ids.length >= limit) break;
      if (other === owner) continue;
      const taken = (await this.redis.eval(
        CLAIM,
        4,
        this.lease(other),
        this.tasksOf(other),
        this.tasksOf(owner),
        this.owners,
        other,
        owner,
        String(limit - ids.length),
        this.task(''),
      )) as string[];
      ids.push(...taken);
    }
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.task(id));
    const replies = (await pipeline.exec()) ?? [];
    const records: PendingTaskRecord[] = [];
    ids.forEach((id, i) => {
      const [error, fields] = replies[i] ?? [null, null];
      if (error) throw error;
      const record = fromFields(id, fields as Record<string, string>);
      if (record) records.push(record);
    });
    return records.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }
}

function toFields(record: PendingTaskRecord): Record<string, string> {
  return {
    owner: record.owner,
    state: record.state,
    attempts: String(record.attempts),
    maxAttempts: String(record.maxAttempts),
    timeoutMs: String(record.timeoutMs),
    createdAt: String(record.createdAt),
    startedAt: record.startedAt === null ? '' : String(record.startedAt),
    operation: record.operation,
    tenant: record.tenant,
    traceparent: record.traceparent ?? '',
    params: record.params,
  };
}

function fromFields(id: string, fields: Record<string, string>): PendingTaskRecord | undefined {
  if (fields.params === undefined || fields.owner === undefined) return undefined;
  return {
    id,
    owner: fields.owner,
    state: fields.state as PendingTaskState,
    attempts: Number(fields.attempts),
    maxAttempts: Number(fields.maxAttempts),
    timeoutMs: Number(fields.timeoutMs),
    createdAt: Number(fields.createdAt),
    startedAt: fields.startedAt ? Number(fields.startedAt) : null,
    operation: fields.operation ?? '',
    tenant: fields.tenant ?? '',
    traceparent: fields.traceparent ? fields.traceparent : null,
    params: fields.params,
  };
}
