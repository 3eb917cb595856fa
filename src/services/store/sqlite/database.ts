import { join } from 'node:path';
import Database from 'better-sqlite3';
import { makeDirectory } from '../../../config/directories.js';
import { ConfigError } from '../../../config/errors.js';
import { MIGRATIONS } from './migrations.js';

export type SqliteDatabase = Database.Database;

/** The embedded store's file inside DATA_DIR. */
export const DATABASE_FILE = 'dredge.db';

/** SQLite's answers that mean the file cannot be used where it is (not a bug to show a stack trace for). */
const UNUSABLE_FILE = /^SQLITE_(CANTOPEN|READONLY|PERM|IOERR|NOTADB|CORRUPT|FULL)/;

/**
 * Opens (creating if needed) the embedded store in `dataDir`: write-ahead logging, so readers never wait for the
 * writer and a crash mid-write leaves the last committed state; writers that wait for each other, so several processes on
 * one DATA_DIR take turns instead of failing; and the schema brought up to date. A DATA_DIR that cannot be made,
 * written or read is a ConfigError naming the directory and the reason (one line for the command line).
 */
export function openDatabase(dataDir: string): SqliteDatabase {
  const problem = makeDirectory(dataDir);
  if (problem !== undefined) throw new ConfigError(`Cannot use DATA_DIR ${dataDir}: ${problem}.`, 'DATA_DIR');
  const file = join(dataDir, DATABASE_FILE);
  let db: SqliteDatabase | undefined;
  try {
    db = new Database(file);
    db.pragma('journal_mode = WAL');
    configureConnection(db);
    migrate(db);
    // From here on this is the event loop's connection: it never sleeps on a lock nor checkpoints (LoopWrites).
    db.pragma('busy_timeout = 0');
    db.pragma('wal_autocheckpoint = 0');
    return db;
  } catch (error) {
    db?.close();
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !UNUSABLE_FILE.test(code)) throw error;
    throw new ConfigError(
      `Cannot use DATA_DIR ${dataDir}: ${file} cannot be opened (${code}: ${(error as Error).message}).`,
      'DATA_DIR',
    );
  }
}

function migrate(db: SqliteDatabase): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (row) => row.version,
    ),
  );
  for (const step of MIGRATIONS) {
    if (applied.has(step.version)) continue;
    db.transaction(() => {
      db.exec(step.sql);
      step.run?.(db);
      db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)').run(
        step.version,
        step.description,
        new Date().toISOString(),
      );
    }).immediate();
  }
}

/**
 * The settings every connection to the store needs, the server's and the store thread's alike (WAL is a property
 * of the file, set once by `openDatabase`, which then takes the busy timeout off the event loop's connection).
 */
export function configureConnection(db: SqliteDatabase): void {
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
}

/** The schema version a database is at (the last step taken). */
export function schemaVersion(db: SqliteDatabase): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}
