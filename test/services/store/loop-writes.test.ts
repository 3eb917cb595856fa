import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../../src/services/store/sqlite/database.js';
import { LoopWrites } from '../../../src/services/store/sqlite/loop-writes.js';
import { SqliteInsightStore } from '../../../src/services/store/sqlite/sqlite-records.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const tempDir = useTempDirs();
const LIMITS = { maxInsights: 100, maxBytes: 1_000_000 };

/** Another writer on the same file (as the store's thread or a second process is), holding the write lock. */
function otherWriter(dir: string): Database.Database {
  const other = new Database(`${dir}/${DATABASE_FILE}`);
  other.exec('BEGIN IMMEDIATE');
  return other;
}

/** The longest the event loop went without running a 1 ms timer while `work` ran. */
async function longestLoopPause(work: Promise<unknown>): Promise<number> {
  let longest = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  try {
    await work.catch(() => undefined);
  } finally {
    clearInterval(timer);
  }
  return longest;
}

describe('writes on the event loop connection', () => {
  it('wait for another writer on timers, not by sleeping the event loop, then land', async () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const other = otherWriter(dir);
    const writes = new LoopWrites();
    const insights = new SqliteInsightStore(db, LIMITS, writes);
    // The other writer lets go after 400 ms; SQLite's busy handler would have slept the loop all that time.
    setTimeout(() => other.exec('COMMIT'), 400);
    const saved = insights.save('a', 'an insight written while another writer held the lock');
    const pause = await longestLoopPause(saved);
    await expect(saved).resolves.toMatchObject({ created: true });
    expect(pause).toBeLessThan(200);
    expect(writes.takeWrote()).toBe(true);
    expect(writes.takeWrote()).toBe(false);
    other.close();
    db.close();
  });

  it('give up with SQLITE_BUSY after their wait, having written nothing', async () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    const other = otherWriter(dir);
    const insights = new SqliteInsightStore(db, LIMITS, new LoopWrites(150));
    await expect(insights.save('b', 'never written')).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    other.exec('COMMIT');
    expect(await insights.get('b')).toBeUndefined();
    other.close();
    db.close();
  });

  it('never checkpoint on the event loop: the store thread does', async () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(0);
    db.close();
  });
});
