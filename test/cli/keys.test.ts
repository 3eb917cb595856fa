import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseApiKey } from '../../src/app/security/api-key.js';
import { openDatabase } from '../../src/services/store/sqlite/database.js';
import { SqliteApiKeyStore } from '../../src/services/store/sqlite/sqlite-api-keys.js';
import { SqliteAuditStore } from '../../src/services/store/sqlite/sqlite-audit.js';
import { commandInFreshPlace } from '../helpers/cli.js';
import { describeWithRedis } from '../helpers/describe-with-redis.js';
import { DREDGE_BIN } from '../helpers/spawn-dredge.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

/** A fresh DATA_DIR, working directory and home for each test. */
const place = (env?: NodeJS.ProcessEnv) => commandInFreshPlace(tempDir, 'keys', env);

/** What the embedded store in `dataDir` keeps of the key `id`. */
async function storedKey(dataDir: string, id: string) {
  const db = openDatabase(dataDir);
  try {
    return await new SqliteApiKeyStore(db).get(id);
  } finally {
    db.close();
  }
}

/** The audit records in the embedded store in `dataDir`, oldest first. */
async function auditTrail(dataDir: string) {
  const db = openDatabase(dataDir);
  try {
    return await new SqliteAuditStore(db).tail(100);
  } finally {
    db.close();
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('dredge keys', () => {
  it('create prints the key alone on stdout, once, and stores only its hash', async () => {
    const { dataDir, run: keys } = place();
    const created = await keys('create');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^dredge_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/);
    expect(created.stderr).toMatch(/cannot be shown again/);
    const key = created.stdout.trim();
    const parsed = parseApiKey(key);
    expect(parsed).toBeDefined();
    const { id, secret } = parsed!;
    expect(await storedKey(dataDir, id)).toMatchObject({
      id,
      tenant: 'default',
      name: 'key',
      scopes: ['read'],
      hash: sha256(secret),
      revokedAt: null,
    });

    const listed = await keys('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^ID\s+TENANT\s+NAME\s+SCOPES\s+CREATED\s+REVOKED$/m);
    expect(listed.stdout).toMatch(
      new RegExp(`^${id}\\s+default\\s+key\\s+read\\s+\\d{4}-\\d\\d-\\d\\dT\\S+\\s+-$`, 'm'),
    );
    for (const hidden of [key, secret, sha256(secret)]) expect(listed.stdout).not.toContain(hidden);

    const json = await keys('list', '--json');
    const shown = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(shown).toEqual([
      {
        id,
        tenant: 'default',
        name: 'key',
        scopes: ['read'],
        created_at: expect.any(String),
        revoked_at: null,
      },
    ]);
    for (const hidden of [secret, sha256(secret)]) expect(json.stdout).not.toContain(hidden);
  });

  it('create --json prints one object with the key, tenant, name and scopes given', async () => {
    const { dataDir, run: keys } = place();
    const created = await keys(
      'create',
      '--tenant',
      'acme.prod-1',
      '--scopes',
      'read, write,read',
      '--name',
      'ci bot',
      '--json',
    );
    expect(created.code, created.stderr).toBe(0);
    const shown = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(Object.keys(shown).sort()).toEqual(['created_at', 'id', 'key', 'name', 'scopes', 'tenant']);
    expect(shown).toMatchObject({ tenant: 'acme.prod-1', name: 'ci bot', scopes: ['read', 'write'] });
    const parsed = parseApiKey(shown.key as string);
    expect(parsed?.id).toBe(shown.id);
    expect(await storedKey(dataDir, shown.id as string)).toMatchObject({
      tenant: 'acme.prod-1',
      scopes: ['read', 'write'],
      hash: sha256(parsed!.secret),
      createdAt: shown.created_at,
    });
  });

  it('refuses an unknown scope, a bad tenant or name with the usage code, storing nothing', async () => {
    const { run: keys } = place();
    const unknown = await keys('create', '--scopes', 'read,nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain('"nope"');
    expect(unknown.stderr).toContain('read, write, github, metrics, admin');
    for (const argv of [
      ['--scopes', ','],
      ['--tenant', ''],
      ['--tenant', 'a/b'],
      ['--tenant', 'x'.repeat(65)],
      ['--name', ''],
      ['--name', 'n'.repeat(101)],
      ['--name', 'two\nlines'],
    ]) {
      const run = await keys('create', ...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(JSON.parse((await keys('list', '--json')).stdout)).toEqual([]);
  });

  it('revoke marks the key revoked in the list; again, or an unknown id, exits 1', async () => {
    const { dataDir, run: keys } = place();
    const id = parseApiKey((await keys('create', '--name', 'temp')).stdout.trim())!.id;
    const revoked = await keys('revoke', id);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(id);
    const listed = await keys('list');
    expect(listed.stdout).toMatch(
      new RegExp(`^${id}\\s+default\\s+temp\\s+read\\s+\\S+\\s+\\d{4}-\\d\\d-\\d\\dT\\S+$`, 'm'),
    );
    expect((await storedKey(dataDir, id))?.revokedAt).toEqual(expect.any(String));

    const again = await keys('revoke', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/revoked already/);
    const unknown = await keys('revoke', '0123456789abcdef');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('0123456789abcdef');
    expect((await keys('revoke')).code).toBe(2);

    const trail = await auditTrail(dataDir);
    expect(trail.map((record) => [record.action, record.keyId, record.outcome, record.client])).toEqual([
      ['keys create', id, 'ok', 'cli'],
      ['keys revoke', id, 'ok', 'cli'],
      ['keys revoke', id, 'already_revoked', 'cli'],
      ['keys revoke', null, 'not_found', 'cli'],
    ]);
  });

  it('list says so when there are no keys', async () => {
    const { run: keys } = place();
    const listed = await keys('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/No API keys/);
  });

  it('a real process makes a key and exits, the store closed', () => {
    const dataDir = tempDir();
    const home = tempDir();
    const result = spawnSync(process.execPath, [DREDGE_BIN, 'keys', 'create'], {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: home, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(parseApiKey(result.stdout.trim())).toBeDefined();
  });
});

describeWithRedis('dredge keys on the Redis store', (redis) => {
  it('creates, lists and revokes keys in Redis', async () => {
    const { run: keys } = place({ STORE_BACKEND: 'redis', REDIS_URL: redis().url });
    const created = await keys('create', '--scopes', 'admin');
    expect(created.code, created.stderr).toBe(0);
    const { id } = parseApiKey(created.stdout.trim())!;
    const listed = JSON.parse((await keys('list', '--json')).stdout) as Array<Record<string, unknown>>;
    expect(listed).toContainEqual(expect.objectContaining({ id, scopes: ['admin'], revoked_at: null }));
    expect((await keys('revoke', id)).code).toBe(0);
    expect((await keys('revoke', id)).code).toBe(1);
  });
});
