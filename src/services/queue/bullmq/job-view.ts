import type { Job } from 'bullmq';
import { isFinished, type TaskState, type TaskView } from '../task-service.js';
import { CANCELLED_REASON, type TaskData } from './task-data.js';

/** BullMQ's job states as DREDGE task states; undefined for a job BullMQ no longer knows. */
function taskState(state: string, job: Job<TaskData>): TaskState | undefined {
  switch (state) {
    case 'active':
      return 'running';
    case 'completed':
      return 'completed';
    case 'failed':
      return job.failedReason === CANCELLED_REASON ? 'cancelled' : 'failed';
    case 'waiting':
    case 'wait':
    case 'prioritized':
    case 'delayed':
    case 'waiting-children':
    case 'paused':
      return 'pending';
    default:
      return undefined;
  }
}

const iso = (ms: number | undefined): string | null => (ms ? new Date(ms).toISOString() : null);

/** A task as BullMQ holds it (a task not finished yet, or one whose worker died before recording it). */
export function jobView(job: Job<TaskData>, state: string): TaskView | undefined {
  const status = taskState(state, job);
  if (!status) return undefined;
  return {
    task_id: String(job.id),
    operation: job.name,
    status,
    created_at: new Date(job.timestamp).toISOString(),
    started_at: iso(job.processedOn),
    completed_at: isFinished(status) ? iso(job.finishedOn) : null,
    attempts: status === 'running' ? job.attemptsStarted : job.attemptsMade,
    max_attempts: job.opts.attempts ?? 1,
    result: status === 'completed' ? (job.returnvalue ?? null) : null,
    error:
      status === 'failed' ? { code: 'unavailable', message: job.failedReason || 'The task failed.' } : null,
    worker: job.processedBy ?? null,
    progress: progressOf(job.progress),
  };
}

/** The progress a worker stored (an object, never BullMQ's bare number default). */
export function progressOf(progress: unknown): TaskView['progress'] {
  if (progress === null || typeof progress !== 'object') return null;
  const { progress: done, total, message } = progress as Record<string, unknown>;
  if (typeof done !== 'number' || typeof total !== 'number') return null;
  return typeof message === 'string' ? { progress: done, total, message } : { progress: done, total };
}
