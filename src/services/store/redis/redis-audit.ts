import type { Redis } from 'ioredis';
import {
  AuditRetention,
  tailLimit,
  type AuditRecord,
  type AuditStore,
  type AuditStoreOptions,
  type StoredAuditRecord,
} from '../audit.js';

/** The most records past their retention time one pruning deletes; the next one, a minute later, goes on. */
const MAX_PRUNED = 10_000;

/**
 * Appends a batch in one step, so replicas appending at once never share a seq: each record is an entry whose
 * stream id is `<seq>-0`, seq counting on from the larger of the counter and the stream's last id (so a lost
 * counter never makes XADD refuse a smaller id), the stream trimmed to about ARGV[1] entries as it goes. KEYS: the
 * stream, the counter. ARGV: the bound, then per record the number of field/value words and those words.
 */
const APPEND = `
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  for j = 1, #info, 2 do
    if info[j] == 'last-generated-id' then
      local stored = tonumber(string.match(info[j + 1], '^(%d+)'))
      if stored > last then last = stored end
    end
  end
end
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  last = last + 1
  redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], string.format('%d-0', last), unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
redis.call('SET', KEYS[2], string.format('%d', last))
return last`;

/**
 * Deletes, from the oldest entry, those whose time is before ARGV[1], up to the first that is not (records come
 * roughly in time order: one a little older behind it waits for the next pruning), at most ARGV[2] of them.
 * KEYS: the stream. Answers how many it deleted.
 */
const PRUNE = `
local deleted = 0
local limit = tonumber(ARGV[2])
while deleted < limit do
  local entries = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 100)
  local old = {}
  for _, entry in ipairs(entries) do
    local fields = entry[2]
    local time = nil
    for j = 1, #fields, 2 do
      if fields[j] == 'time' then time = fields[j + 1] break end
    end
    if time == nil or time >= ARGV[1] then break end
    old[#old + 1] = entry[1]
  end
  if #old > 0 then
    redis.call('XDEL', KEYS[1], unpack(old))
    deleted = deleted + #old
  end
  if #old < #entries or #entries == 0 then break end
end
return deleted`;

/**
 * The audit log in Redis, shared by replicas: a stream (`<prefix>audit`) trimmed to about `maxRecords` entries
 * (MAXLEN ~, which trims whole nodes of the stream: cheap, and never below the bound), whose entry ids are the
 * records' seqs, so reading what came after a seq is one XRANGE. Records past their retention time are deleted
 * on an append, at most once a minute.
 */
export class RedisAuditStore implements AuditStore {
  private readonly retention: AuditRetention;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'dredge:store:',
    options: AuditStoreOptions = {},
  ) {
    this.retention = new AuditRetention(options);
  }

  private get stream(): string {
    return `${this.prefix}audit`;
  }

  private get counter(): string {
    return `${this.prefix}audit:seq`;
  }

  async append(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const words = records.flatMap((record) => {
      const fields = toFields(record);
      return [String(fields.length), ...fields];
    });
    await this.redis.eval(APPEND, 2, this.stream, this.counter, String(this.retention.maxRecords), ...words);
    const cutoff = this.retention.dueCutoff();
    if (cutoff !== undefined) await this.redis.eval(PRUNE, 1, this.stream, cutoff, String(MAX_PRUNED));
  }

  async tail(limit: number, afterSeq?: number): Promise<StoredAuditRecord[]> {
    const count = tailLimit(limit);
    if (count === 0) return [];
    if (afterSeq !== undefined) {
      const from = `${Math.max(0, Math.floor(afterSeq)) + 1}-0`;
      return (await this.redis.xrange(this.stream, from, '+', 'COUNT', count)).flatMap(fromEntry);
    }
    return (await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', count)).flatMap(fromEntry).reverse();
  }
}

/** The entry's field/value words; a null field is left out. */
function toFields(record: AuditRecord): string[] {
  const fields: Array<[string, string | number | null]> = [
    ['time', record.time],
    ['tenant', record.tenant],
    ['keyId', record.keyId],
    ['action', record.action],
    ['outcome', record.outcome],
    ['requestId', record.requestId],
    ['client', record.client],
    ['inputBytes', record.inputBytes],
    ['outputBytes', record.outputBytes],
    ['count', record.count],
  ];
  return fields.flatMap(([name, value]) => (value === null ? [] : [name, String(value)]));
}

/** The record of a stream entry; none for an entry that is not one (written by something else). */
function fromEntry([id, words]: [string, string[]]): StoredAuditRecord[] {
  const fields = new Map<string, string>();
  for (let i = 0; i + 1 < words.length; i += 2) fields.set(words[i] as string, words[i + 1] as string);
  const seq = Number.parseInt(id, 10);
  const time = fields.get('time');
  const tenant = fields.get('tenant');
  if (!Number.isSafeInteger(seq) || time === undefined || tenant === undefined) return [];
  return [
    {
      seq,
      time,
      tenant,
      keyId: fields.get('keyId') ?? null,
      action: fields.get('action') ?? '',
      outcome: fields.get('outcome') ?? '',
      requestId: fields.get('requestId') ?? null,
      client: fields.get('client') ?? null,
      inputBytes: Number(fields.get('inputBytes') ?? 0),
      outputBytes: Number(fields.get('outputBytes') ?? 0),
      count: Number(fields.get('count') ?? 1),
    },
  ];
}
