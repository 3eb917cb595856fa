/**
 * The schema, as numbered steps. A database records the steps it has taken (`schema_migrations`); opening it takes
 * the missing ones in order, each in its own transaction. Steps are never edited once released: a change is a new
 * step.
 */
export const MIGRATIONS: ReadonlyArray<{
  readonly version: number;
  readonly description: string;
  readonly sql: string;
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
];
