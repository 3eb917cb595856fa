import { setTimeout as sleep } from 'node:timers/promises';

/** The longest a write on the event loop's connection waits for another writer (the store thread, another process). */
export const LOOP_WRITE_WAIT_MS = 5_000;

/** The longest pause between two tries of a write that found the database locked. */
const LONGEST_PAUSE_MS = 25;

/**
 * Every write made on the event loop's connection goes through here. SQLite lets one writer at a time, and its
 * busy handler waits by sleeping inside the call: while the store thread writes a large model (hundreds of
 * milliseconds) the event loop would sleep with it. The event loop's connection therefore has no busy timeout; a
 * write that finds the database locked is tried again after a timer (1, 2, 4 … 25 ms), so the loop answers other
 * requests meanwhile, and fails with SQLITE_BUSY after LOOP_WRITE_WAIT_MS as the busy timeout would.
 *
 * That connection never checkpoints either (copying the log into the database file is work in proportion to all
 * that was written, a model's megabytes included); `takeWrote` tells the store whether there is anything new for
 * its thread to checkpoint.
 */
export class LoopWrites {
  #wrote = false;

  constructor(private readonly waitMs: number = LOOP_WRITE_WAIT_MS) {}

  async run<T>(write: () => T): Promise<T> {
    const deadline = performance.now() + this.waitMs;
    for (let pause = 1; ; pause = Math.min(2 * pause, LONGEST_PAUSE_MS)) {
      try {
        const result = write();
        this.#wrote = true;
        return result;
      } catch (error) {
        // A locked database changed nothing (BEGIN IMMEDIATE or the statement itself was refused): safe to repeat.
        if (!isBusy(error) || performance.now() + pause > deadline) throw error;
      }
      await sleep(pause);
    }
  }

  /** Whether anything was written since the last call. */
  takeWrote(): boolean {
    const wrote = this.#wrote;
    this.#wrote = false;
    return wrote;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
