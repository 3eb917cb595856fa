import { z } from 'zod';
// The same maxima bound the server's defaults (TASK_ATTEMPTS, TASK_TIMEOUT), so no task can exceed them.
import { MAX_TASK_ATTEMPTS, MAX_TASK_TIMEOUT_SECONDS } from '../../config/keys.js';
import { DredgeError } from '../../services/errors.js';
import type { TaskView } from '../../services/queue/index.js';
import { allows, missingScope } from '../security/principal.js';
import { defineOperation, fixedWork, type AnyOperation } from './operation.js';
import { boundedString, parseOrThrow, patternString, positiveNumber, wholeNumber } from './schema.js';

/** The task operations themselves cannot be queued: a task that queues tasks has no bound. */
export const TASK_OPERATIONS: ReadonlySet<string> = new Set([
  'submit_task',
  'get_task',
  'cancel_task',
  'get_queue_stats',
]);

/** The largest params a task may carry, as JSON: a queue holds many tasks, so each must stay small. */
export const MAX_TASK_PARAMS_BYTES = 1024 * 1024;

const taskIdSchema = patternString(/^[A-Za-z0-9-]{1,64}$/, 64, 'a task id as submit_task answered it');

export function submitTaskOperation(lookup: (name: string) => AnyOperation | undefined) {
  return defineOperation({
    name: 'submit_task',
    scope: 'write',
    description:
      'Queue any other operation as a task and answer its task_id at once; fetch it with get_task. Transient ' +
      `failures are retried with exponential backoff (attempts, default TASK_ATTEMPTS, at most ${MAX_TASK_ATTEMPTS}); ` +
      `each attempt may run for timeout seconds (default TASK_TIMEOUT, at most ${MAX_TASK_TIMEOUT_SECONDS}). ` +
      'With QUEUE_BACKEND=bullmq, `dredge worker` processes run it.',
    input: z.object({
      operation: boundedString(100, 1),
      params: z.record(z.string(), z.unknown()).default({}),
      attempts: wholeNumber(1, MAX_TASK_ATTEMPTS).optional(),
      timeout: positiveNumber(MAX_TASK_TIMEOUT_SECONDS).optional(),
    }),
    workFormula: 'fixed',
    work: fixedWork,
    async handle(input, context) {
      const target = lookup(input.operation);
      if (!target) throw new DredgeError('not_found', `Unknown operation: ${input.operation}`);
      // Queuing work is doing it later: the caller needs the scope of the operation it queues too.
      if (!allows(context.principal, target.scope)) {
        throw new DredgeError('forbidden', missingScope(context.principal, target.scope, target.name));
      }
      if (TASK_OPERATIONS.has(target.name)) {
        throw new DredgeError(
          'invalid_input',
          `params.operation cannot be ${target.name}: tasks cannot queue tasks`,
        );
      }
      const size = Buffer.byteLength(JSON.stringify(input.params));
      if (size > MAX_TASK_PARAMS_BYTES) {
        throw new DredgeError(
          'too_large',
          `params.params must be at most ${MAX_TASK_PARAMS_BYTES} bytes of JSON to be queued (this one: ${size}); send large work as a request instead`,
        );
      }
      // Checked now, so a mistake is the caller's 400 rather than a failed task found later.
      parseOrThrow(target.input, input.params, 'params.params');
      const traceparent = context.services.telemetry.tracing.inject(context.trace).traceparent;
      const view = await context.services.tasks.submit(input.operation, input.params, {
        tenant: context.tenant,
        ...(traceparent === undefined ? {} : { traceparent }),
        ...(input.attempts === undefined ? {} : { attempts: input.attempts }),
        // Rounded up: a timeout of a microsecond is one millisecond, never zero.
        ...(input.timeout === undefined ? {} : { timeoutMs: Math.ceil(input.timeout * 1000) }),
      });
      return { ...view };
    },
  });
}

export const getTask = defineOperation({
  name: 'get_task',
  scope: 'read',
  description:
    'A queued task: status (pending, running, completed, failed, cancelled), times, attempts, worker, and once ' +
    'completed its result (the operation’s answer); failed tasks carry error {code, message}.',
  input: z.object({ task_id: taskIdSchema }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, context) {
    // Only the caller's tenant's tasks are found: another tenant's id is `Task not found`, as an unknown one.
    return { ...(await found(input.task_id, context.services.tasks.get(input.task_id, context.tenant))) };
  },
});

export const cancelTask = defineOperation({
  name: 'cancel_task',
  scope: 'write',
  description:
    'Cancel a task that has not finished: a waiting task is removed, a running one is stopped on its worker. ' +
    'Answers the task afterwards (a task that finished first keeps its result).',
  input: z.object({ task_id: taskIdSchema }),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, context) {
    return {
      ...(await found(input.task_id, context.services.tasks.cancel(input.task_id, context.tenant))),
    };
  },
});

export const getQueueStats = defineOperation({
  name: 'get_queue_stats',
  scope: 'read',
  description:
    'The task queue: backend, tasks waiting, running, delayed for a retry, completed and failed, and the live ' +
    'workers with their total concurrency.',
  input: z.object({}),
  workFormula: 'fixed',
  work: fixedWork,
  async handle(_input, context) {
    // With tenants, each sees its own tasks' numbers; without, every task is the default tenant's, counted whole.
    const tenant = context.services.config.security.multiTenant ? context.tenant : undefined;
    return { ...(await context.services.tasks.stats(tenant)) };
  },
});

async function found(id: string, lookup: Promise<TaskView | undefined>): Promise<TaskView> {
  const view = await lookup;
  if (!view) throw new DredgeError('not_found', `Task not found: ${id} (unknown, or its result has expired)`);
  return view;
}
