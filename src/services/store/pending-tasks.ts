/** Where an accepted task stands while it has not finished: waiting for a worker, or in an attempt. */
export type PendingTaskState = 'pending' | 'running';

/**
 * A task a local engine (QUEUE_BACKEND=local) accepted and has not finished, as the store keeps it: written
 * before the submission is answered, so that an accepted task outlives the process that accepted it.
 */
export interface PendingTaskRecord {
  readonly id: string;
  /** The engine holding it; another takes it over once this one's lease lapses (see `claimOrphans`). */
  readonly owner: string;
  readonly state: PendingTaskState;
  /** Attempts started so far; an attempt the process died in counts. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly operation: string;
  readonly tenant: string;
  readonly traceparent: string | null;
  /** The params as the JSON text they were submitted as. */
  readonly params: string;
}

/** What changes when an attempt starts or a task goes back to wait for its next one. */
export type PendingTaskChange = Pick<PendingTaskRecord, 'state' | 'attempts' | 'startedAt'>;

/**
 * The tasks local engines have accepted and not finished, and each engine's lease on them. An engine renews its
 * lease while it lives (`beat`) and gives it up when it stops (`release`); the tasks of an engine whose lease has
 * lapsed (it was killed, or stopped) are taken over by the next engine that looks (`claimOrphans`). Every method
 * may reject with the backend's own error.
 */
export interface PendingTaskStore {
  /** Records an accepted task, and renews its owner's lease for `leaseMs`; resolves once both are stored. */
  add(record: PendingTaskRecord, leaseMs: number): Promise<void>;
  /** Changes a task still recorded; a task removed meanwhile stays removed. */
  update(id: string, change: PendingTaskChange): Promise<void>;
  get(id: string): Promise<PendingTaskRecord | undefined>;
  /** Forgets a finished task. */
  remove(id: string): Promise<void>;
  /** `owner` is alive for `leaseMs` more. */
  beat(owner: string, leaseMs: number): Promise<void>;
  /** `owner` stops: its tasks may be taken over at once. */
  release(owner: string): Promise<void>;
  /**
   * Takes over, for `owner` (whose lease it renews), at most `limit` tasks of engines whose lease has lapsed,
   * oldest first, and answers them as they now stand.
   */
  claimOrphans(owner: string, leaseMs: number, limit: number): Promise<PendingTaskRecord[]>;
}
