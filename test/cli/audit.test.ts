import { describe, expect, it } from 'vitest';
import { EXIT_USAGE } from '../../src/cli/io.js';
import type { AuditRecord } from '../../src/services/store/audit.js';
import { openDatabase } from '../../src/services/store/sqlite/database.js';
import { SqliteAuditStore } from '../../src/services/store/sqlite/sqlite-audit.js';
import { commandInFreshPlace } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/describe-with-redis.js';
import { spawnDredge } from '../helpers/spawn-dredge.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { auditRecord } from '../helpers/audit-records.js';

const tempDir = useTempDirs();

/** A fresh DATA_DIR, working directory and home for each test. */
const place = (env?: NodeJS.ProcessEnv) => commandInFreshPlace(tempDir, 'audit', env);

/** Records made a minute before the tests start: well within the retention time. */
const BASE = Date.now() - 60_000;

const record = (n: number, extra: Partial<AuditRecord> = {}): AuditRecord => auditRecord(BASE, n, extra);

/** Appends to the embedded store in `dataDir`, as a server sharing it would. */
async function append(dataDir: string, records: readonly AuditRecord[]): Promise<void> {
  const db = openDatabase(dataDir);
  try {
    await new SqliteAuditStore(db).append(records);
  } finally {
    db.close();
  }
}

describe('dredge audit tail', () => {
  it('prints the last 20 records, oldest first, as aligned lines under a header', async () => {
    const { dataDir, run: audit } = place();
    await append(
      dataDir,
      Array.from({ length: 25 }, (_, n) => record(n)),
    );
    await append(dataDir, [
      record(25, {
        keyId: null,
        action: 'authentication',
        outcome: 'unauthorized',
        count: 1000,
        requestId: null,
      }),
    ]);
    const run = await audit('tail');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[0]).toMatch(
      /^TIME\s+TENANT\s+KEY\s+ACTION\s+OUTCOME\s+COUNT\s+CLIENT\s+REQUEST\s+IN\s+OUT$/,
    );
    expect(lines[1]).toMatch(
      /^\d{4}-\d\d-\d\dT\S+Z\s+acme\s+0123456789abcdef\s+compute_waves\s+ok\s+1\s+203\.0\.113\.7\s+req-6\s+106\s+2006$/,
    );
    expect(lines[20]).toMatch(
      /\s+acme\s+-\s+authentication\s+unauthorized\s+1000\s+203\.0\.113\.7\s+-\s+125\s+2025$/,
    );
    // Aligned: every column starts where its title does.
    const outcomeAt = lines[0]!.indexOf('OUTCOME');
    for (const line of lines.slice(1)) expect(line.slice(outcomeAt)).toMatch(/^(ok|unauthorized)\s/);
  });

  it('-n and --json print that many records as JSON lines', async () => {
    const { dataDir, run: audit } = place();
    await append(dataDir, [record(1), record(2, { client: null, requestId: null }), record(3)]);
    const run = await audit('tail', '-n', '2', '--json');
    expect(run.code, run.stderr).toBe(0);
    const shown = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(shown).toEqual([
      {
        seq: expect.any(Number),
        time: record(2).time,
        tenant: 'acme',
        key_id: '0123456789abcdef',
        action: 'compute_waves',
        outcome: 'ok',
        count: 1,
        client: null,
        request_id: null,
        input_bytes: 102,
        output_bytes: 2002,
      },
      expect.objectContaining({ request_id: 'req-3', time: record(3).time }),
    ]);
    expect(shown[1]!.seq).toBeGreaterThan(shown[0]!.seq as number);
    const all = await audit('tail', '--lines', '10000', '--json');
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(3);
  });

  it('says so on stderr when there are no records, printing nothing on stdout', async () => {
    const { run: audit } = place();
    const run = await audit('tail');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/No audit records/);
    const json = await audit('tail', '--json');
    expect(json).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('shows a control character in a field as "?", keeping one record a line', async () => {
    const { dataDir, run: audit } = place();
    await append(dataDir, [record(1, { requestId: 'a\tb\u001b[31m' })]);
    const run = await audit('tail');
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(run.stdout).toContain('a?b?[31m');
  });

  it('refuses -n outside 1 to 10,000 with the usage code', async () => {
    const { run: audit } = place();
    for (const n of ['0', '10001', '-1', 'ten', '1.5', '']) {
      const run = await audit('tail', '-n', n);
      expect(run.code, n).toBe(EXIT_USAGE);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n'), n).toHaveLength(1);
    }
    expect((await audit('tail', '--nope')).code).toBe(EXIT_USAGE);
  });

  it('--follow prints records appended while it runs, and exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    const home = tempDir();
    await append(dataDir, [record(1)]);
    const follower = await spawnDredge(
      ['audit', 'tail', '--follow', '--json'],
      { DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      home,
      (stdout) => (stdout.includes('"req-1"') ? true : undefined),
    );
    try {
      await append(dataDir, [record(2), record(3)]);
      await expect.poll(() => follower.output(), { timeout: 10_000, interval: 100 }).toContain('"req-3"');
      expect(await follower.signal('SIGTERM')).toBe(0);
      const lines = follower
        .output()
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { request_id: string });
      expect(lines.map((line) => line.request_id)).toEqual(['req-1', 'req-2', 'req-3']);
    } finally {
      await follower.signal('SIGKILL');
    }
  });

  it('--follow exits 0 on SIGINT too, from an empty log', async () => {
    const dataDir = tempDir();
    const home = tempDir();
    const starting = spawnDredge(
      ['audit', 'tail', '--follow'],
      { DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      home,
      (stdout) => (stdout.includes('req-7') ? true : undefined),
    );
    // Whether the follower reads it first or polls it later, the record shows, under the header.
    await append(dataDir, [record(7)]);
    const follower = await starting;
    try {
      expect(await follower.signal('SIGINT')).toBe(0);
      const lines = follower.output().trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^TIME\s+TENANT/);
      expect(lines[1]).toMatch(/\sreq-7\s/);
    } finally {
      await follower.signal('SIGKILL');
    }
  });
});

describeWithRedis('dredge audit tail on the Redis store', (redis) => {
  it('prints what the Redis store holds', async () => {
    const { RedisAuditStore } = await import('../../src/services/store/redis/redis-audit.js');
    const { Redis } = await import('ioredis');
    const client = new Redis(redis().url);
    try {
      await new RedisAuditStore(client).append([record(1), record(2)]);
    } finally {
      client.disconnect();
    }
    const { run: audit } = place({ STORE_BACKEND: 'redis', REDIS_URL: redis().url });
    const run = await audit('tail', '-n', '1', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ request_id: 'req-2', seq: 2 });
  });
});
