import type { Redis } from 'ioredis';

/** What a worker says about itself every heartbeat. */
export interface WorkerHeartbeat {
  readonly name: string;
  readonly concurrency: number;
  readonly pid: number;
  readonly host: string;
  readonly started_at: string;
  /** Milliseconds since the epoch of this heartbeat. */
  readonly seen: number;
}

/** A worker silent for this many heartbeats is no longer counted. */
const MISSED_HEARTBEATS = 5;
export const HEARTBEAT_MS = 2000;

/**
 * Live `dredge worker` processes, as heartbeats in a Redis hash (BullMQ's own worker list counts connections, not
 * processes, and knows nothing of their concurrency). Entries of workers that stopped beating are removed on read.
 */
export async function liveWorkers(redis: Redis, key: string, now = Date.now()): Promise<WorkerHeartbeat[]> {
  const entries = await redis.hgetall(key);
  const live: WorkerHeartbeat[] = [];
  const stale: string[] = [];
  for (const [name, json] of Object.entries(entries)) {
    const beat = parseHeartbeat(json);
    if (beat && now - beat.seen <= MISSED_HEARTBEATS * HEARTBEAT_MS) live.push(beat);
    else stale.push(name);
  }
  if (stale.length > 0) await redis.hdel(key, ...stale);
  return live;
}

function parseHeartbeat(json: string): WorkerHeartbeat | undefined {
  try {
    const beat = JSON.parse(json) as Partial<WorkerHeartbeat>;
    return typeof beat.seen === 'number' && typeof beat.concurrency === 'number'
      ? (beat as WorkerHeartbeat)
      : undefined;
  } catch {
    return undefined;
  }
}
