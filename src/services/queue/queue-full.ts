import { DredgeError } from '../errors.js';

/** A queue holding `maxWaiting` tasks (QUEUE_MAX_WAITING) refuses the next at once: 503, the client may retry. */
export function queueFullOfTasks(maxWaiting: number): DredgeError {
  return queueFull(`${maxWaiting} tasks waiting, QUEUE_MAX_WAITING`);
}

/** The local engine holds its waiting tasks' params in memory: they are bounded in bytes too. */
export function queueFullOfBytes(maxBytes: number): DredgeError {
  return queueFull(`its waiting tasks hold ${maxBytes / 1024 / 1024} MiB of params`);
}

/**
 * 429: the tenant has TENANT_MAX_WAITING_TASKS tasks submitted and not finished; it may submit again once some
 * finish (or are cancelled).
 */
export function tenantQueueFull(maxWaiting: number): DredgeError {
  return new DredgeError(
    'rate_limited',
    `This tenant has ${maxWaiting} tasks waiting or running, its most (TENANT_MAX_WAITING_TASKS): ` +
      'try again once some have finished, or cancel some with cancel_task.',
    { retryable: true },
  );
}

function queueFull(reason: string): DredgeError {
  return new DredgeError('unavailable', `The task queue is full (${reason}): try again later.`);
}
