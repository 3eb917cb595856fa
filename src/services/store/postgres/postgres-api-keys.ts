import { apiKeyStoreFull, MAX_API_KEYS, type ApiKeyRecord, type ApiKeyStore } from '../api-keys.js';
import { inTransaction, type PostgresPool } from './pool.js';

interface ApiKeyRow {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly scopes: string;
  readonly hash: string;
  readonly created_at: Date;
  readonly revoked_at: Date | null;
}

/** The lock a new key takes before counting, so replicas adding keys at once stay within MAX_API_KEYS together. */
const API_KEY_ADMISSION_LOCK = 0x64726564_6b657973n;

function recordOf(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    scopes: row.scopes === '' ? [] : row.scopes.split(','),
    hash: row.hash,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at === null ? null : row.revoked_at.toISOString(),
  };
}

/** API keys in PostgreSQL (migration 3): the SHA-256 of each secret, never the secret. */
export class PostgresApiKeyStore implements ApiKeyStore {
  constructor(private readonly pool: PostgresPool) {}

  async add(record: ApiKeyRecord): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [API_KEY_ADMISSION_LOCK.toString()]);
      const { rows } = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM api_keys');
      if (Number(rows[0]?.n ?? 0) >= MAX_API_KEYS) throw apiKeyStoreFull();
      await client.query(
        'INSERT INTO api_keys (id, tenant, name, scopes, hash, created_at, revoked_at) ' +
          'VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [
          record.id,
          record.tenant,
          record.name,
          record.scopes.join(','),
          record.hash,
          record.createdAt,
          record.revokedAt,
        ],
      );
    });
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.pool.query<ApiKeyRow>('SELECT * FROM api_keys WHERE id = $1', [id]);
    return rows[0] && recordOf(rows[0]);
  }

  async list(): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<ApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, id');
    return rows.map(recordOf);
  }

  async revoke(id: string, at: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL',
      [id, at],
    );
    return (rowCount ?? 0) > 0;
  }
}
