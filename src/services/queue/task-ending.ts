import type { AttemptOutcome } from './run-attempt.js';
import type { TaskFailure, TaskView } from './task-service.js';

/** How a task ended, as it is recorded: completed with the operation's answer (its JSON text), failed, or cancelled. */
export type TaskEnding =
  | { readonly status: 'completed'; readonly error: null; readonly resultJson: string }
  | { readonly status: 'failed'; readonly error: TaskFailure; readonly resultJson?: undefined }
  | { readonly status: 'cancelled'; readonly error: null; readonly resultJson?: undefined };

export const CANCELLED: TaskEnding = { status: 'cancelled', error: null };

/** The ending an attempt's outcome records when no retry follows it (a timeout is a failure). */
export function endingOf(outcome: AttemptOutcome): TaskEnding {
  switch (outcome.kind) {
    case 'completed':
      return { status: 'completed', error: null, resultJson: outcome.json };
    case 'cancelled':
      return CANCELLED;
    case 'failed':
    case 'timeout':
      return { status: 'failed', error: outcome.failure };
  }
}

/** What a task that did not end yet shows, of what its record keeps. */
export type UnfinishedView = Omit<TaskView, 'status' | 'completed_at' | 'error' | 'result'>;

/**
 * The record of a task that ended now, as both engines store it (`FinishedTasks.save`): its view with the
 * ending's state and failure; the result travels beside it as JSON text.
 */
export function finishedView(task: UnfinishedView, ending: TaskEnding): Omit<TaskView, 'result'> {
  return {
    task_id: task.task_id,
    operation: task.operation,
    status: ending.status,
    created_at: task.created_at,
    started_at: task.started_at,
    completed_at: new Date().toISOString(),
    attempts: task.attempts,
    max_attempts: task.max_attempts,
    error: ending.error,
    worker: task.worker,
    progress: task.progress,
  };
}
