import type { SqliteDatabase } from './database.js';
import { convertTextStates } from './text-state-migration.js';

/**
 * The schema, as numbered steps. A database records the steps it has taken (`schema_migrations`); opening it takes
 * the missing ones in order, each in its own transaction. Steps are never edited once released: a change is a new
 * step. A step whose rows need more than SQL (decoding base64, say) adds `run`, taken after its SQL in the same
 * transaction.
 */
export const MIGRATIONS: ReadonlyArray<{
  readonly version: number;
  readonly description: string;
  readonly sql: string;
  readonly run?: (db: SqliteDatabase) => void;
}> = [
  {
    version: 1,
    description: 'models, id counters, insights, task results',
    sql: `
      CREATE TABLE models (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        request_config TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        n_parameters INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE id_counters (
        family TEXT PRIMARY KEY,
        next INTEGER NOT NULL
      );
      CREATE TABLE insights (
        id TEXT PRIMARY KEY,
        text TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE task_results (
        id TEXT PRIMARY KEY,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX task_results_expiry ON task_results (expires_at);
    `,
  },
  {
    version: 2,
    description: "models: the last training's thinned loss curve",
    // JSON of a TrainingHistory (at most MAX_HISTORY_POINTS losses); NULL until the model is trained.
    sql: `ALTER TABLE models ADD COLUMN training TEXT;`,
  },
  {
    version: 3,
    description: 'running totals of models and insights',
    // load_model and /lift check their limits against these one-row tables instead of reading every row (a
    // model's n_parameters lies after its state, so summing it read every stored model). Triggers keep them in the
    // writing transaction, whatever statement writes. A later step that rebuilds models or insights must create
    // their triggers again.
    sql: `
      CREATE TABLE model_totals (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        models INTEGER NOT NULL,
        parameters INTEGER NOT NULL
      );
      INSERT INTO model_totals SELECT 1, COUNT(*), COALESCE(SUM(n_parameters), 0) FROM models;
      CREATE TRIGGER model_totals_insert AFTER INSERT ON models BEGIN
        UPDATE model_totals SET models = models + 1, parameters = parameters + NEW.n_parameters;
      END;
      CREATE TRIGGER model_totals_delete AFTER DELETE ON models BEGIN
        UPDATE model_totals SET models = models - 1, parameters = parameters - OLD.n_parameters;
      END;
      CREATE TRIGGER model_totals_update AFTER UPDATE OF n_parameters ON models BEGIN
        UPDATE model_totals SET parameters = parameters - OLD.n_parameters + NEW.n_parameters;
      END;
      CREATE TABLE insight_totals (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        insights INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      );
      INSERT INTO insight_totals
        SELECT 1, COUNT(*), COALESCE(SUM(length(CAST(text AS BLOB))), 0) FROM insights;
      CREATE TRIGGER insight_totals_insert AFTER INSERT ON insights BEGIN
        UPDATE insight_totals SET insights = insights + 1, bytes = bytes + length(CAST(NEW.text AS BLOB));
      END;
      CREATE TRIGGER insight_totals_delete AFTER DELETE ON insights BEGIN
        UPDATE insight_totals SET insights = insights - 1, bytes = bytes - length(CAST(OLD.text AS BLOB));
      END;
    `,
  },
  {
    version: 4,
    description: 'tasks accepted by a local engine and not finished yet',
    // Written before a submission is answered, so an accepted task survives the process (see PendingTaskStore).
    // owner: the engine holding it; task_owners: each engine's lease, renewed while it lives. params comes last,
    // so reading a task's state never walks through a large params text.
    sql: `
      CREATE TABLE pending_tasks (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        max_attempts INTEGER NOT NULL,
        timeout_ms INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        operation TEXT NOT NULL,
        tenant TEXT NOT NULL,
        traceparent TEXT,
        params TEXT NOT NULL
      );
      CREATE INDEX pending_tasks_owner ON pending_tasks (owner, created_at);
      CREATE TABLE task_owners (
        owner TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    description: 'models: binary state (format 2) in BLOBs after every other column',
    // `state` keeps format 1 (the model's JSON text, values as base64) until `run` rewrites the row as format 2: a
    // small JSON header there, and the values as little-endian float64 bytes in `parameters` and `buffers`. Added
    // columns come last, so reading any other column never walks a model's values. A row that does not restore
    // stays format 1 (and fails to load, as it did before). The totals' triggers watch n_parameters only: untouched.
    sql: `
      ALTER TABLE models ADD COLUMN state_format INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE models ADD COLUMN parameters BLOB;
      ALTER TABLE models ADD COLUMN buffers BLOB;
    `,
    run: convertTextStates,
  },
  {
    version: 6,
    description: 'API keys: the SHA-256 of each secret, never the secret',
    // One row per key, kept once revoked (revoked_at set) so an id is never reused. scopes is a comma list of
    // Scope words; hash is the secret's SHA-256 in hex (see ApiKeyRecord).
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        tenant TEXT NOT NULL,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
    `,
  },
  {
    version: 7,
    description: 'the audit log: who did what, and how it ended (never a payload or a secret)',
    // Append-only: the trigger refuses every UPDATE. Rows are deleted only by retention (MAX_AUDIT_RECORDS, the
    // oldest seq first, and AUDIT_RETENTION_DAYS, by time: hence the index), which SqliteAuditStore does when it
    // appends. AUTOINCREMENT: a seq is never reused, even once the rows before it are deleted, so a reader
    // following the log by seq never mistakes a new record for one it has read.
    sql: `
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        tenant TEXT NOT NULL,
        key_id TEXT,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        request_id TEXT,
        client TEXT,
        input_bytes INTEGER NOT NULL,
        output_bytes INTEGER NOT NULL,
        count INTEGER NOT NULL
      );
      CREATE INDEX audit_log_time ON audit_log (time);
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'audit_log is append-only: its records cannot be changed');
      END;
    `,
  },
  {
    version: 8,
    description: 'tenants: models, insights and task results belong to one; running totals per tenant',
    // Rows written before tenancy are the default tenant's (the column's default). The column comes last, after a
    // model's BLOBs, so model lookups read it from covering indexes (INDEXED BY in SqliteModelStore), never from
    // the row: (tenant, id, …) for a tenant's lookups and listing, (id, tenant, …) for a lookup by id alone.
    // Per-tenant totals (TENANT_MAX_*) are kept by triggers beside migration 3's, in the writing transaction.
    sql: `
      ALTER TABLE models ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX models_tenant ON models (tenant, id, version, updated_at, created_at);
      CREATE INDEX models_id_tenant ON models (id, tenant, version, updated_at, created_at);
      ALTER TABLE insights ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default';
      CREATE INDEX insights_tenant ON insights (tenant, created_at);
      ALTER TABLE task_results ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default';
      CREATE TABLE tenant_model_totals (
        tenant TEXT PRIMARY KEY,
        models INTEGER NOT NULL,
        parameters INTEGER NOT NULL
      );
      INSERT INTO tenant_model_totals
        SELECT tenant, COUNT(*), COALESCE(SUM(n_parameters), 0) FROM models GROUP BY tenant;
      CREATE TRIGGER tenant_model_totals_insert AFTER INSERT ON models BEGIN
        INSERT INTO tenant_model_totals (tenant, models, parameters) VALUES (NEW.tenant, 1, NEW.n_parameters)
          ON CONFLICT (tenant) DO UPDATE SET models = models + 1, parameters = parameters + excluded.parameters;
      END;
      CREATE TRIGGER tenant_model_totals_delete AFTER DELETE ON models BEGIN
        UPDATE tenant_model_totals SET models = models - 1, parameters = parameters - OLD.n_parameters
          WHERE tenant = OLD.tenant;
      END;
      CREATE TRIGGER tenant_model_totals_update AFTER UPDATE OF n_parameters ON models BEGIN
        UPDATE tenant_model_totals SET parameters = parameters - OLD.n_parameters + NEW.n_parameters
          WHERE tenant = NEW.tenant;
      END;
      CREATE TABLE tenant_insight_totals (
        tenant TEXT PRIMARY KEY,
        insights INTEGER NOT NULL
      );
      INSERT INTO tenant_insight_totals SELECT tenant, COUNT(*) FROM insights GROUP BY tenant;
      CREATE TRIGGER tenant_insight_totals_insert AFTER INSERT ON insights BEGIN
        INSERT INTO tenant_insight_totals (tenant, insights) VALUES (NEW.tenant, 1)
          ON CONFLICT (tenant) DO UPDATE SET insights = insights + 1;
      END;
      CREATE TRIGGER tenant_insight_totals_delete AFTER DELETE ON insights BEGIN
        UPDATE tenant_insight_totals SET insights = insights - 1 WHERE tenant = OLD.tenant;
      END;
    `,
  },
  {
    version: 9,
    description: "models' older versions (MODEL_VERSIONS_KEPT), for inference by version and rollback",
    // One row per kept older version, as its model's row was when that version was current: the state (format 2,
    // or format 1 copied as it was), its number, updatedAt and training history. The BLOBs come last and the
    // primary key's index covers (model_id, version), so listing a model's versions never walks their values.
    // Rows are written and dropped in the transaction that trains or rolls back the model, and go with it when it
    // is deleted (the foreign key, and SqliteModelStore's remove). Totals count current models only: untouched.
    sql: `
      CREATE TABLE model_versions (
        model_id TEXT NOT NULL REFERENCES models (id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        training TEXT,
        state_format INTEGER NOT NULL,
        state TEXT NOT NULL,
        parameters BLOB,
        buffers BLOB,
        PRIMARY KEY (model_id, version)
      );
    `,
  },
];
