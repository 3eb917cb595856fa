import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AUDIT_FAILURE_WINDOW_MS,
  AUDIT_FLUSH_MS,
  AUDIT_MAX_FIELD_LENGTH,
  AuditLog,
  type AuditEntry,
} from '../../../src/app/security/audit-log.js';
import type { AuditRecord, AuditStore, StoredAuditRecord } from '../../../src/services/store/index.js';
import { createLogger } from '../../../src/services/telemetry/index.js';

/**
 * The recorder's own unit test: an AuditStore that keeps each batch it is given (the backends have their tests in
 * test/services/store/audit.test.ts), and can be made to hold its answer or to fail.
 */
class FakeAuditStore implements AuditStore {
  readonly batches: AuditRecord[][] = [];
  /** While set, appends wait for it. */
  gate: Promise<void> | undefined;
  failure: Error | undefined;
  throwNow = false;

  append(records: readonly AuditRecord[]): Promise<void> {
    if (this.throwNow) throw new Error('thrown at once');
    this.batches.push([...records]);
    if (this.failure) return Promise.reject(this.failure);
    return this.gate ?? Promise.resolve();
  }

  tail(): Promise<StoredAuditRecord[]> {
    return Promise.resolve([]);
  }

  get records(): AuditRecord[] {
    return this.batches.flat();
  }
}

const START = Date.parse('2025-06-01T12:00:00.000Z');

function entry(n: number, extra: Partial<AuditEntry> = {}): AuditEntry {
  return {
    tenant: 'acme',
    keyId: '0123456789abcdef',
    action: 'compute_waves',
    outcome: 'ok',
    requestId: `req-${n}`,
    client: '203.0.113.7',
    inputBytes: n,
    outputBytes: 10 * n,
    ...extra,
  };
}

let now = START;
let warnings: Array<Record<string, unknown>>;
let logs: AuditLog[];

function open(store: AuditStore, options: { maxBuffered?: number; maxFailureGroups?: number } = {}) {
  const logger = createLogger({
    level: 'warn',
    pretty: false,
    destination: { write: (line: string) => void warnings.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const log = new AuditLog(store, logger, { ...options, now: () => now });
  logs.push(log);
  return log;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  now = START;
  warnings = [];
  logs = [];
});

afterEach(async () => {
  for (const log of logs) await log.close();
  vi.useRealTimers();
});

describe('AuditLog', () => {
  it('buffers records and appends them as one batch every flushMs', async () => {
    const store = new FakeAuditStore();
    const log = open(store);
    log.record(entry(1));
    log.record(entry(2, { time: '2025-01-01T00:00:00.000Z', outcome: 'forbidden' }));
    log.record(entry(3, { keyId: null, requestId: null, client: null }));
    expect(store.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(AUDIT_FLUSH_MS - 1);
    expect(store.batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.batches).toEqual([
      [
        { ...entry(1), time: new Date(START).toISOString(), count: 1 },
        { ...entry(2), time: '2025-01-01T00:00:00.000Z', outcome: 'forbidden', count: 1 },
        {
          ...entry(3),
          keyId: null,
          requestId: null,
          client: null,
          time: new Date(START).toISOString(),
          count: 1,
        },
      ],
    ]);
    // Nothing new: nothing appended.
    await vi.advanceTimersByTimeAsync(5 * AUDIT_FLUSH_MS);
    expect(store.batches).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('appends at once when maxBuffered records wait', async () => {
    const store = new FakeAuditStore();
    const log = open(store, { maxBuffered: 5 });
    for (let n = 0; n < 4; n++) log.record(entry(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.batches).toEqual([]);
    log.record(entry(4));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.batches.map((batch) => batch.map((record) => record.requestId))).toEqual([
      ['req-0', 'req-1', 'req-2', 'req-3', 'req-4'],
    ]);
  });

  it('drops the oldest records while a slow store holds a full buffer, and says how many', async () => {
    const store = new FakeAuditStore();
    let release = () => {};
    store.gate = new Promise((resolve) => (release = resolve));
    const log = open(store, { maxBuffered: 3 });
    for (let n = 0; n < 3; n++) log.record(entry(n));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.batches).toHaveLength(1);
    // The store has not answered: recording neither waits nor grows past the bound.
    for (let n = 3; n < 10; n++) expect(log.record(entry(n))).toBeUndefined();
    await vi.advanceTimersByTimeAsync(3 * AUDIT_FLUSH_MS);
    expect(store.batches).toHaveLength(1);
    store.gate = undefined;
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.batches.map((batch) => batch.map((record) => record.requestId))).toEqual([
      ['req-0', 'req-1', 'req-2'],
      ['req-7', 'req-8', 'req-9'],
    ]);
    expect(warnings).toEqual([expect.objectContaining({ level: 40, dropped: 4 })]);
  });

  it('counts 1,000 failures from one client in a minute as one record', async () => {
    const store = new FakeAuditStore();
    const log = open(store);
    const failure = { tenant: 'default', keyId: null, client: '198.51.100.9', outcome: 'unauthorized' };
    for (let n = 0; n < 1000; n++) {
      log.failure(failure);
      now += 50; // 1,000 failures over 50 seconds
    }
    await vi.advanceTimersByTimeAsync(5 * AUDIT_FLUSH_MS);
    // The minute is not over: still counting.
    expect(store.batches).toEqual([]);
    now = START + AUDIT_FAILURE_WINDOW_MS;
    await vi.advanceTimersByTimeAsync(AUDIT_FLUSH_MS);
    expect(store.records).toEqual([
      {
        time: new Date(START).toISOString(),
        tenant: 'default',
        keyId: null,
        action: 'authentication',
        outcome: 'unauthorized',
        requestId: null,
        client: '198.51.100.9',
        inputBytes: 0,
        outputBytes: 0,
        count: 1000,
      },
    ]);
  });

  it('counts failures apart per key, client, outcome and minute', async () => {
    const store = new FakeAuditStore();
    const log = open(store);
    const bad = { tenant: 'default', keyId: null, client: '198.51.100.9', outcome: 'unauthorized' };
    log.failure(bad);
    log.failure(bad);
    log.failure({ ...bad, keyId: '0123456789abcdef', tenant: 'acme' });
    log.failure({ ...bad, client: '198.51.100.10' });
    log.failure({ ...bad, outcome: 'forbidden' });
    now += AUDIT_FAILURE_WINDOW_MS;
    log.failure(bad);
    await log.flush();
    const counts = store.records.map(({ keyId, client, outcome, count, time }) => ({
      keyId,
      client,
      outcome,
      count,
      time,
    }));
    const first = new Date(START).toISOString();
    expect(counts).toEqual([
      // The first group's minute ended when its next failure came: it went first.
      { keyId: null, client: '198.51.100.9', outcome: 'unauthorized', count: 2, time: first },
      { keyId: '0123456789abcdef', client: '198.51.100.9', outcome: 'unauthorized', count: 1, time: first },
      { keyId: null, client: '198.51.100.10', outcome: 'unauthorized', count: 1, time: first },
      { keyId: null, client: '198.51.100.9', outcome: 'forbidden', count: 1, time: first },
      {
        keyId: null,
        client: '198.51.100.9',
        outcome: 'unauthorized',
        count: 1,
        time: new Date(now).toISOString(),
      },
    ]);
    expect(store.records[1]?.tenant).toBe('acme');
  });

  it('counts failures past the bound of groups together, with neither key nor client', async () => {
    const store = new FakeAuditStore();
    const log = open(store, { maxFailureGroups: 2 });
    for (let n = 0; n < 100; n++) {
      log.failure({
        tenant: 'default',
        keyId: n.toString(16).padStart(16, '0'),
        client: `10.0.0.${n}`,
        outcome: 'unauthorized',
      });
    }
    await log.flush();
    expect(store.records.map(({ keyId, client, count }) => ({ keyId, client, count }))).toEqual([
      { keyId: '0000000000000000', client: '10.0.0.0', count: 1 },
      { keyId: '0000000000000001', client: '10.0.0.1', count: 1 },
      { keyId: null, client: null, count: 98 },
    ]);
  });

  it('logs a store that fails, never throwing to the caller, and goes on', async () => {
    const store = new FakeAuditStore();
    store.failure = new Error('disk full');
    const log = open(store);
    log.record(entry(1));
    await expect(log.flush()).resolves.toBeUndefined();
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        records: 1,
        err: expect.objectContaining({ message: 'disk full' }),
      }),
    ]);

    store.failure = undefined;
    store.throwNow = true;
    log.record(entry(2));
    await vi.advanceTimersByTimeAsync(AUDIT_FLUSH_MS);
    expect(warnings).toHaveLength(2);

    store.throwNow = false;
    log.record(entry(3));
    await log.flush();
    expect(store.batches.at(-1)?.map((record) => record.requestId)).toEqual(['req-3']);
  });

  it('cuts long fields and makes byte counts whole numbers', async () => {
    const store = new FakeAuditStore();
    const log = open(store);
    log.record(entry(1, { requestId: 'r'.repeat(10_000), inputBytes: -5, outputBytes: 12.7 }));
    await log.flush();
    expect(store.records[0]).toMatchObject({
      requestId: 'r'.repeat(AUDIT_MAX_FIELD_LENGTH),
      inputBytes: 0,
      outputBytes: 12,
    });
  });

  it('close appends everything held, the failures of this minute included, then ignores new records', async () => {
    const store = new FakeAuditStore();
    let release = () => {};
    store.gate = new Promise((resolve) => (release = resolve));
    const log = open(store, { maxBuffered: 2 });
    log.record(entry(1));
    log.record(entry(2)); // in flight, held by the store
    log.record(entry(3));
    log.failure({ tenant: 'default', keyId: null, client: null, outcome: 'unauthorized' });
    let closed = false;
    const closing = log.close().then(() => (closed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    store.gate = undefined;
    release();
    await closing;
    expect(store.batches.map((batch) => batch.map((record) => record.requestId ?? record.action))).toEqual([
      ['req-1', 'req-2'],
      ['req-3', 'authentication'],
    ]);
    log.record(entry(4));
    log.failure({ tenant: 'default', keyId: null, client: null, outcome: 'unauthorized' });
    await vi.advanceTimersByTimeAsync(10 * AUDIT_FLUSH_MS);
    await log.flush();
    expect(store.batches).toHaveLength(2);
  });
});
