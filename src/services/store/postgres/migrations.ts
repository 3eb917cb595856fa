import type { PostgresClient, PostgresPool } from './pool.js';

/**
 * The key of the session advisory lock migrations run under (any bigint agreed by every replica; these are the
 * bytes of "dredgemg"): replicas starting together wait for the first, which takes the missing steps, then find
 * nothing left to do.
 */
export const MIGRATION_LOCK_KEY = 0x64726564_67656d67n;

/**
 * The schema, as numbered steps. A database records the steps it has taken (`schema_migrations`); the store's
 * start takes the missing ones in order, each in its own transaction, under MIGRATION_LOCK_KEY. Steps are never
 * edited once released: a change is a new step.
 */
export const MIGRATIONS: ReadonlyArray<{
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}> = [
  {
    version: 1,
    description: 'models (binary values in chunks), id counters, running totals',
    // A model's row holds its facts and its state's JSON header; its values live in model_values as chunks of at
    // most VALUE_CHUNK_BYTES (part 0: parameters, 1: buffers), so that no statement moves a whole large model in
    // one message and a model read walks no values. STORAGE EXTERNAL: float64 bytes do not compress, so
    // PostgreSQL does not try. Totals are kept by triggers in the writing transaction, so limits are checked
    // without reading every row.
    sql: `
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        type TEXT NOT NULL,
        request_config TEXT NOT NULL,
        version BIGINT NOT NULL,
        n_parameters BIGINT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        state_header TEXT NOT NULL,
        parameter_bytes BIGINT NOT NULL,
        buffer_bytes BIGINT NOT NULL,
        training TEXT
      );
      CREATE INDEX models_tenant ON models (tenant, created_at, id);
      CREATE TABLE model_values (
        model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        part SMALLINT NOT NULL CHECK (part IN (0, 1)),
        chunk INTEGER NOT NULL,
        bytes BYTEA NOT NULL,
        PRIMARY KEY (model_id, part, chunk)
      );
      ALTER TABLE model_values ALTER COLUMN bytes SET STORAGE EXTERNAL;
      CREATE TABLE id_counters (
        family TEXT PRIMARY KEY,
        next BIGINT NOT NULL
      );
      CREATE TABLE model_totals (
        tenant TEXT PRIMARY KEY,
        models BIGINT NOT NULL,
        parameters BIGINT NOT NULL
      );
      CREATE FUNCTION model_totals_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          UPDATE model_totals SET models = models - 1, parameters = parameters - OLD.n_parameters
            WHERE tenant = OLD.tenant;
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
          INSERT INTO model_totals (tenant, models, parameters) VALUES (NEW.tenant, 1, NEW.n_parameters)
            ON CONFLICT (tenant) DO UPDATE
            SET models = model_totals.models + 1, parameters = model_totals.parameters + EXCLUDED.parameters;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER models_totals AFTER INSERT OR DELETE OR UPDATE OF n_parameters, tenant ON models
        FOR EACH ROW EXECUTE FUNCTION model_totals_change();
    `,
  },
  {
    version: 2,
    description: 'insights, searched through a trigram GIN index',
    // Search keeps insights whose text contains the words asked for, case-insensitively, as every store does: a
    // GIN index of the tenant and the text's trigrams (pg_trgm and btree_gin, trusted extensions any database
    // owner may create) answers a tenant's ILIKE '%…%' without reading every insight (fastupdate off: a search
    // never walks a list of entries not merged yet). Running totals per tenant, kept by statement triggers (one
    // update per statement, however many rows it writes), bound MAX_INSIGHTS, MAX_INSIGHT_BYTES and
    // TENANT_MAX_INSIGHTS; the '' row is every tenant's. save_insight admits and stores one insight in one round
    // trip, so the lock that orders saves is held for microseconds, not for a client's round trips.
    sql: `
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE EXTENSION IF NOT EXISTS btree_gin;
      CREATE TABLE insights (
        tenant TEXT NOT NULL,
        id TEXT NOT NULL,
        text TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX insights_newest ON insights (tenant, created_at DESC, id);
      CREATE INDEX insights_text ON insights USING gin (tenant, text gin_trgm_ops) WITH (fastupdate = off);
      CREATE TABLE insight_totals (
        tenant TEXT PRIMARY KEY,
        insights BIGINT NOT NULL,
        bytes BIGINT NOT NULL
      );
      INSERT INTO insight_totals VALUES ('', 0, 0);
      CREATE FUNCTION insight_totals_add() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE insight_totals SET insights = insights + added.n, bytes = bytes + added.b
          FROM (SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM inserted) AS added WHERE tenant = '';
        INSERT INTO insight_totals (tenant, insights, bytes)
          SELECT tenant, COUNT(*), SUM(bytes) FROM inserted GROUP BY tenant
          ON CONFLICT (tenant) DO UPDATE
          SET insights = insight_totals.insights + EXCLUDED.insights, bytes = insight_totals.bytes + EXCLUDED.bytes;
        RETURN NULL;
      END $$;
      CREATE FUNCTION insight_totals_remove() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE insight_totals SET insights = insights - gone.n, bytes = bytes - gone.b
          FROM (SELECT COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b FROM removed) AS gone WHERE tenant = '';
        UPDATE insight_totals SET insights = insights - gone.n, bytes = bytes - gone.b
          FROM (SELECT tenant AS of, COUNT(*) AS n, SUM(bytes) AS b FROM removed GROUP BY tenant) AS gone
          WHERE tenant = gone.of;
        RETURN NULL;
      END $$;
      CREATE FUNCTION save_insight(
        p_tenant TEXT, p_id TEXT, p_text TEXT, p_bytes INTEGER, p_created_at TIMESTAMPTZ,
        p_max_insights BIGINT, p_max_bytes BIGINT, p_tenant_max BIGINT
      ) RETURNS TABLE (outcome TEXT, kept_text TEXT, kept_at TIMESTAMPTZ, bytes_kept BIGINT)
      LANGUAGE plpgsql AS $$
      DECLARE
        found_text TEXT;
        found_at TIMESTAMPTZ;
        all_insights BIGINT;
        all_bytes BIGINT;
        tenant_insights BIGINT;
      BEGIN
        -- The every-tenant row's lock orders saves; an insight saved meanwhile is seen once it is held.
        SELECT t.insights, t.bytes INTO all_insights, all_bytes FROM insight_totals t WHERE t.tenant = '' FOR UPDATE;
        SELECT i.text, i.created_at INTO found_text, found_at FROM insights i WHERE i.tenant = p_tenant AND i.id = p_id;
        IF FOUND THEN
          RETURN QUERY SELECT 'kept', found_text, found_at, NULL::BIGINT;
          RETURN;
        END IF;
        IF all_insights >= p_max_insights THEN
          RETURN QUERY SELECT 'full', NULL::TEXT, NULL::TIMESTAMPTZ, NULL::BIGINT;
          RETURN;
        END IF;
        IF all_bytes + p_bytes > p_max_bytes THEN
          RETURN QUERY SELECT 'bytes_full', NULL::TEXT, NULL::TIMESTAMPTZ, all_bytes;
          RETURN;
        END IF;
        IF p_tenant_max >= 0 THEN
          SELECT t.insights INTO tenant_insights FROM insight_totals t WHERE t.tenant = p_tenant;
          IF COALESCE(tenant_insights, 0) >= p_tenant_max THEN
            RETURN QUERY SELECT 'tenant_full', NULL::TEXT, NULL::TIMESTAMPTZ, NULL::BIGINT;
            RETURN;
          END IF;
        END IF;
        INSERT INTO insights (tenant, id, text, bytes, created_at) VALUES (p_tenant, p_id, p_text, p_bytes, p_created_at);
        RETURN QUERY SELECT 'stored', p_text, p_created_at, NULL::BIGINT;
      END $$;
      CREATE TRIGGER insights_totals_add AFTER INSERT ON insights REFERENCING NEW TABLE AS inserted
        FOR EACH STATEMENT EXECUTE FUNCTION insight_totals_add();
      CREATE TRIGGER insights_totals_remove AFTER DELETE ON insights REFERENCING OLD TABLE AS removed
        FOR EACH STATEMENT EXECUTE FUNCTION insight_totals_remove();
    `,
  },
  {
    version: 3,
    description: 'task results, tasks accepted and not finished, API keys, the audit log',
    // pending_tasks and task_owners: see PendingTaskStore (times in milliseconds since the epoch, as the engines
    // count them). audit_log is append-only: the trigger refuses every UPDATE; rows are deleted only by retention.
    // Its seq is an identity, never reused.
    sql: `
      CREATE TABLE task_results (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
      );
      CREATE INDEX task_results_expiry ON task_results (expires_at);
      CREATE TABLE pending_tasks (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        max_attempts INTEGER NOT NULL,
        timeout_ms BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        started_at BIGINT,
        operation TEXT NOT NULL,
        tenant TEXT NOT NULL,
        traceparent TEXT,
        params TEXT NOT NULL
      );
      CREATE INDEX pending_tasks_owner ON pending_tasks (owner, created_at);
      CREATE TABLE task_owners (
        owner TEXT PRIMARY KEY,
        expires_at BIGINT NOT NULL
      );
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        revoked_at TIMESTAMPTZ
      );
      CREATE TABLE audit_log (
        seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        time TIMESTAMPTZ NOT NULL,
        tenant TEXT NOT NULL,
        key_id TEXT,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        request_id TEXT,
        client TEXT,
        input_bytes BIGINT NOT NULL,
        output_bytes BIGINT NOT NULL,
        count INTEGER NOT NULL
      );
      CREATE INDEX audit_log_time ON audit_log (time);
      CREATE FUNCTION audit_log_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: its records cannot be changed';
      END $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_update();
    `,
  },
  {
    version: 4,
    description: "models' older versions (MODEL_VERSIONS_KEPT), for inference by version and rollback",
    // A kept older version is its model's row as it was (its number, updatedAt, state header and training history)
    // and its values in chunks, as models and model_values hold a current model's. A training copies the current
    // row and chunks here inside PostgreSQL (INSERT … SELECT: no byte crosses to a replica) in its transaction; a
    // rollback swaps them back. Both go with their model (ON DELETE CASCADE). Totals count current models only.
    sql: `
      CREATE TABLE model_versions (
        model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        version BIGINT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL,
        state_header TEXT NOT NULL,
        parameter_bytes BIGINT NOT NULL,
        buffer_bytes BIGINT NOT NULL,
        training TEXT,
        PRIMARY KEY (model_id, version)
      );
      CREATE TABLE model_version_values (
        model_id TEXT NOT NULL,
        version BIGINT NOT NULL,
        part SMALLINT NOT NULL CHECK (part IN (0, 1)),
        chunk INTEGER NOT NULL,
        bytes BYTEA NOT NULL,
        PRIMARY KEY (model_id, version, part, chunk),
        FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version) ON DELETE CASCADE
      );
      ALTER TABLE model_version_values ALTER COLUMN bytes SET STORAGE EXTERNAL;
    `,
  },
];

/**
 * Takes the steps the database lacks, in order, each in its own transaction, holding MIGRATION_LOCK_KEY on one
 * connection throughout: a second replica starting at the same moment waits for the lock, then finds every step
 * recorded. Answers the versions it applied (none when the schema was current).
 */
export async function migrate(pool: PostgresPool): Promise<number[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    // A migration may take longer than a request's statement timeout; the lock's wait as well.
    await client.query('SET statement_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, ' +
          'applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
      );
      const taken = new Set(
        (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (row) => row.version,
        ),
      );
      const applied: number[] = [];
      for (const step of MIGRATIONS) {
        if (taken.has(step.version)) continue;
        await applyStep(client, step);
        applied.push(step.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]);
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // RESET puts the pool's statement timeout back; a connection that failed is discarded instead.
    if (!broken) await client.query('RESET statement_timeout').catch(() => (broken = true));
    client.release(broken);
  }
}

async function applyStep(client: PostgresClient, step: (typeof MIGRATIONS)[number]): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(step.sql);
    await client.query('INSERT INTO schema_migrations (version, description) VALUES ($1, $2)', [
      step.version,
      step.description,
    ]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The newest step the database has taken (0 for an empty one). */
export async function schemaVersion(pool: PostgresPool): Promise<number> {
  const exists = await pool.query<{ found: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS found",
  );
  if (exists.rows[0]?.found === null) return 0;
  const { rows } = await pool.query<{ version: number | null }>(
    'SELECT MAX(version) AS version FROM schema_migrations',
  );
  return rows[0]?.version ?? 0;
}
