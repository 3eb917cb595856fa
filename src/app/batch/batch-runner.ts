import type { BatchTask } from './batch-task.js';

/** Where the tasks run: this process, `dredge worker` processes behind the queue, or a server over HTTP. */
export type BatchMode = 'in-process' | 'distributed' | 'http';

export interface BatchTaskFailure {
  /** The stable error code (`invalid_input`, `not_found`, `unavailable`, `timeout`, `cancelled` …). */
  readonly code: string;
  readonly message: string;
}

/** How one task ended. A failed task is an outcome, not an exception: a load test counts failures. */
export type BatchTaskOutcome =
  | { readonly success: true; readonly cached: boolean }
  | { readonly success: false; readonly error: BatchTaskFailure };

/** What the side that ran the tasks says about itself after the run. */
export interface ServerSnapshot {
  /** Who answered: "this process", the server's URL, or "one worker (…)". */
  readonly source: string;
  /** The original's metric counters (`get_metrics`), keys like `mcp_unified_inference{}`. */
  readonly metricsCounters: Readonly<Record<string, number>> | null;
  /** `get_cache_stats`'s `cache_stats`. */
  readonly cacheStats: Readonly<Record<string, unknown>> | null;
  /** Why either is missing, when it is. */
  readonly problem?: string;
}

/** One way of running tasks; the pipeline (run-batch.ts) drives any of them the same way. */
export interface BatchRunner {
  readonly mode: BatchMode;
  /** What the tasks run against, for the report ("this process", a URL, "BullMQ queue on redis://…"). */
  readonly target: string;
  /**
   * Runs one task and resolves with its outcome; never rejects. `cancel` fires when the run is being abandoned
   * (a second Ctrl-C, or the wait for tasks in flight ran out): the task should then end as soon as it can.
   */
  run(task: BatchTask, cancel: AbortSignal): Promise<BatchTaskOutcome>;
  /** The metrics counters and cache statistics of whatever ran the tasks. */
  serverSnapshot(): Promise<ServerSnapshot>;
  close(): Promise<void>;
}

/** The failure of an error thrown where a task ran: a DredgeError keeps its code, anything else is `internal`. */
export function failureOf(error: unknown): BatchTaskOutcome {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      success: false,
      error: { code: typeof code === 'string' ? code : 'internal', message: error.message },
    };
  }
  return { success: false, error: { code: 'internal', message: String(error) } };
}
