/** A task's life: pending → running → completed or failed. */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed';

/** One unit of work and what became of it, in the original's field names. */
export interface TaskRecord {
  readonly task_id: string;
  readonly operation: string;
  readonly params: unknown;
  status: TaskStatus;
  readonly created_at: number;
  started_at: number | null;
  completed_at: number | null;
  result: unknown;
  error: string | null;
  worker: string | null;
}

/** Runs an operation by name; what it returns is the task's result, what it throws its error. */
export type TaskExecutor = (operation: string, params: unknown, signal: AbortSignal) => unknown;

export function newTask(id: string, operation: string, params: unknown): TaskRecord {
  return {
    task_id: id,
    operation,
    params,
    status: 'pending',
    created_at: Date.now(),
    started_at: null,
    completed_at: null,
    result: null,
    error: null,
    worker: null,
  };
}
