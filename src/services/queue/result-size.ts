import type { TaskFailure } from './task-service.js';

/**
 * Why a task whose answer is over TASK_RESULT_MAX_BYTES fails instead of keeping a truncated result: a cut JSON
 * text is no longer the operation's answer, and a client reading `result` could not tell a whole one from a
 * part. A failure with `too_large` and this sentence is something it can act on (run the operation as a request,
 * whose answer is not stored). Not retried: the same input answers the same size.
 */
export function oversizedResult(operation: string, json: string, maxBytes: number): TaskFailure | undefined {
  // A UTF-16 code unit is at least one UTF-8 byte and at most three: most answers are decided without counting.
  if (json.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return undefined;
  return {
    code: 'too_large',
    message:
      `${operation} answered ${bytes} bytes of JSON, more than a task may keep as its result ` +
      `(TASK_RESULT_MAX_BYTES, ${maxBytes} bytes): run it as a request instead.`,
  };
}
