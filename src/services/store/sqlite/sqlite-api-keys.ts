import { apiKeyStoreFull, MAX_API_KEYS, type ApiKeyRecord, type ApiKeyStore } from '../api-keys.js';
import type { SqliteDatabase } from './database.js';
import { LoopWrites } from './loop-writes.js';

const COLUMNS = 'id, tenant, name, scopes, hash, created_at AS createdAt, revoked_at AS revokedAt';

/** A row of `api_keys` as read: the scopes still a comma list. */
type ApiKeyRow = Omit<ApiKeyRecord, 'scopes'> & { readonly scopes: string };

/**
 * API keys in the embedded store (migration 6). A key is counted against MAX_API_KEYS in the immediate
 * transaction that inserts it, so processes sharing DATA_DIR stay within the bound together.
 */
export class SqliteApiKeyStore implements ApiKeyStore {
  private readonly statements;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly writes: LoopWrites = new LoopWrites(),
  ) {
    this.statements = {
      count: db.prepare('SELECT COUNT(*) AS n FROM api_keys'),
      insert: db.prepare(
        'INSERT INTO api_keys (id, tenant, name, scopes, hash, created_at, revoked_at) ' +
          'VALUES (@id, @tenant, @name, @scopes, @hash, @createdAt, @revokedAt)',
      ),
      one: db.prepare(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`),
      all: db.prepare(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`),
      revoke: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    };
  }

  add(record: ApiKeyRecord): Promise<void> {
    const { count, insert } = this.statements;
    const add = this.db.transaction(() => {
      if ((count.get() as { n: number }).n >= MAX_API_KEYS) throw apiKeyStoreFull();
      insert.run({ ...record, scopes: record.scopes.join(',') });
    });
    return this.writes.run(() => add.immediate());
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.statements.one.get(id) as ApiKeyRow | undefined;
    return row && fromRow(row);
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (this.statements.all.all() as ApiKeyRow[]).map(fromRow);
  }

  revoke(id: string, at: string): Promise<boolean> {
    return this.writes.run(() => this.statements.revoke.run(at, id).changes > 0);
  }
}

function fromRow(row: ApiKeyRow): ApiKeyRecord {
  return { ...row, scopes: row.scopes === '' ? [] : row.scopes.split(',') };
}
