import { DredgeError } from '../errors.js';

/** A queue holding `maxWaiting` tasks (QUEUE_MAX_WAITING) refuses the next at once: 503, the client may retry. */
export function queueFullOfTasks(maxWaiting: number): DredgeError {
  return queueFull(`${maxWaiting} tasks waiting, QUEUE_MAX_WAITING`);
}

/** The local engine holds its waiting tasks' params in memory: they are bounded in bytes too. */
export function queueFullOfBytes(maxBytes: number): DredgeError {
  return queueFull(`its waiting tasks hold ${maxBytes / 1024 / 1024} MiB of params`);
}

function queueFull(reason: string): DredgeError {
  return new DredgeError('unavailable', `The task queue is full (${reason}): try again later.`);
}
