import type { PendingTaskRecord } from '../../store/pending-tasks.js';
import type { TaskJob, TaskProgress } from '../task-job.js';
import type { TaskView } from '../task-service.js';

/** A task this process holds: waiting, running, or waiting out a retry backoff. */
export interface LiveTask {
  readonly id: string;
  readonly job: TaskJob;
  readonly createdAt: number;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  /** Its params as JSON, in bytes: what it costs to hold while it waits. */
  readonly bytes: number;
  state: 'pending' | 'running';
  attempts: number;
  startedAt: number | null;
  progress: TaskProgress | null;
  cancel: AbortController;
  /** Stopped because the server stopped, not by a cancel_task: it stays in the store for the next start. */
  stoppedByServer: boolean;
  /** Being recorded as finished: a second cancel (or anything else) must not finish it again. */
  finishing: boolean;
  retryTimer: NodeJS.Timeout | undefined;
}

/** A task as it starts its life in this process, accepted now or taken over from the store. */
export function liveTask(
  fields: Pick<LiveTask, 'id' | 'job' | 'createdAt' | 'maxAttempts' | 'timeoutMs' | 'bytes'> &
    Partial<Pick<LiveTask, 'attempts' | 'startedAt'>>,
): LiveTask {
  return {
    attempts: 0,
    startedAt: null,
    ...fields,
    state: 'pending',
    progress: null,
    cancel: new AbortController(),
    stoppedByServer: false,
    finishing: false,
    retryTimer: undefined,
  };
}

/** The store's record of a task accepted by `owner`, with its params as the JSON text they were measured as. */
export function recordOf(task: LiveTask, owner: string, params: string): PendingTaskRecord {
  return {
    id: task.id,
    owner,
    state: task.state,
    attempts: task.attempts,
    maxAttempts: task.maxAttempts,
    timeoutMs: task.timeoutMs,
    createdAt: task.createdAt,
    startedAt: task.startedAt,
    operation: task.job.operation,
    tenant: task.job.tenant,
    traceparent: task.job.traceparent ?? null,
    params,
  };
}

/** A task taken over from the store (its engine stopped), with the attempts it has made. */
export function adoptedTask(record: PendingTaskRecord): LiveTask {
  return liveTask({
    id: record.id,
    job: {
      operation: record.operation,
      params: JSON.parse(record.params) as unknown,
      tenant: record.tenant,
      ...(record.traceparent === null ? {} : { traceparent: record.traceparent }),
    },
    createdAt: record.createdAt,
    maxAttempts: record.maxAttempts,
    timeoutMs: record.timeoutMs,
    bytes: Buffer.byteLength(record.params),
    attempts: record.attempts,
    startedAt: record.startedAt,
  });
}

/** What get_task answers for an unfinished task, held here (`worker` this process) or only in the store. */
export function unfinishedView(
  task: Pick<PendingTaskRecord, 'id' | 'state' | 'createdAt' | 'startedAt' | 'attempts' | 'maxAttempts'> & {
    readonly operation: string;
    readonly progress?: TaskProgress | null;
  },
  worker: string | null,
): TaskView {
  return {
    task_id: task.id,
    operation: task.operation,
    status: task.state,
    created_at: new Date(task.createdAt).toISOString(),
    started_at: task.startedAt === null ? null : new Date(task.startedAt).toISOString(),
    completed_at: null,
    attempts: task.attempts,
    max_attempts: task.maxAttempts,
    result: null,
    error: null,
    worker: task.startedAt === null ? null : worker,
    progress: task.progress ?? null,
  };
}
