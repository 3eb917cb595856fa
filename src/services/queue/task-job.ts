/** What a queued task carries: one catalogue operation, for one tenant, in one trace. */
export interface TaskJob {
  readonly operation: string;
  readonly params: unknown;
  readonly tenant: string;
  /** W3C traceparent of the request that submitted it; the task's spans join that trace. */
  readonly traceparent?: string;
}

/** How far a running task has got, as its operation reports it (a training: epochs done of epochs). */
export interface TaskProgress {
  readonly progress: number;
  readonly total: number;
  readonly message?: string;
}

/**
 * Runs a task's operation and answers the JSON text of its answer (`{"success":true,…}`); failures are thrown as
 * DredgeErrors; progress goes to `onProgress`. The app layer provides it (the catalogue lives there), so this
 * layer never imports the app.
 */
export type TaskExecutor = (
  job: TaskJob,
  signal: AbortSignal,
  onProgress: (progress: TaskProgress) => void,
) => Promise<string>;
