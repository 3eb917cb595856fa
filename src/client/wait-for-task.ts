import { CallSignal } from './call-signal.js';
import { DredgeClientError } from './errors.js';
import { checkedTimeout } from './options.js';
import type { CallOptions } from './options.js';
import {
  DEFAULT_INITIAL_POLL_MS,
  DEFAULT_MAX_POLL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  POLL_BACKOFF_FACTOR,
  isFinishedStatus,
  type TaskAnswer,
  type WaitForTaskOptions,
} from './task-types.js';

/** What polling needs of a task client: reading a task. */
export interface TaskReader {
  get(taskId: string, options?: CallOptions): Promise<TaskAnswer>;
}

/**
 * Polls the task until it has finished (completed, failed or cancelled) and answers it as it ended, whatever the
 * ending: a failed task is an answer here (see `TaskClient.result` for its result or its failure as an error).
 * The pauses between polls grow from `initialIntervalMs` by half each time up to `maxIntervalMs`, so a quick task
 * is seen at once and a long one costs a request every two seconds. Fails with code `timeout` past `timeoutMs`,
 * `aborted` when `signal` aborts; either way the task itself goes on.
 */
export async function waitForTask(
  tasks: TaskReader,
  taskId: string,
  options: WaitForTaskOptions = {},
): Promise<TaskAnswer> {
  const timeoutMs = checkedTimeout('timeoutMs', options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS);
  const maxInterval = checkedTimeout('maxIntervalMs', options.maxIntervalMs ?? DEFAULT_MAX_POLL_MS);
  let interval = Math.min(
    maxInterval,
    checkedTimeout('initialIntervalMs', options.initialIntervalMs ?? DEFAULT_INITIAL_POLL_MS),
  );
  const wait = new CallSignal(timeoutMs, options.signal);
  let last: TaskAnswer | undefined;
  try {
    for (;;) {
      last = await tasks.get(taskId, { signal: wait.signal });
      if (isFinishedStatus(last.status)) return last;
      options.onPoll?.(last);
      await wait.wait(Math.min(interval, Math.max(0, wait.remainingMs())));
      interval = Math.min(maxInterval, interval * POLL_BACKOFF_FACTOR);
    }
  } catch (error) {
    if (!wait.signal.aborted) throw error;
    const timedOut = wait.reason === 'timeout';
    const state = last === undefined ? '' : ` (it is ${String(last.status)})`;
    throw new DredgeClientError({
      code: wait.reason,
      status: 0,
      message: timedOut
        ? `Task ${taskId} did not finish within ${timeoutMs} ms${state}; it goes on`
        : `Waiting for task ${taskId} was aborted${state}; it goes on`,
      taskId,
      cause: error,
    });
  } finally {
    wait.dispose();
  }
}
