import { z } from 'zod';
// The same maxima bound the server's defaults (TASK_ATTEMPTS, TASK_TIMEOUT), so no task can exceed them.
import { MAX_TASK_ATTEMPTS, MAX_TASK_TIMEOUT_SECONDS } from '../../config/keys.js';
import { DredgeError } from '../../services/errors.js';
import type { TaskView } from '../../services/queue/index.js';
import { allows, missingScope } from '../security/principal.js';
import { answer, count, instant } from './answer.js';
import { READS_ONLY, defineOperation, fixedWork, type AnyOperation } from './operation.js';
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

const taskIdSchema = patternString(
  /^[A-Za-z0-9-]{1,64}$/,
  64,
  'a task id as submit_task answered it',
).describe('The task’s id, as submit_task answered it');

const nullableInstant = (what: string) => z.string().nullable().describe(`${what}, ISO 8601 in UTC`);

/** A task as submit_task, get_task and cancel_task answer it (`TaskView`). */
const taskAnswer = answer({
  task_id: z.string().describe('The task’s id: pass it to get_task and cancel_task'),
  operation: z.string().describe('The operation it runs'),
  status: z
    .enum(['pending', 'running', 'completed', 'failed', 'cancelled'])
    .describe('pending → running → completed, failed or cancelled (a retried task goes back to pending)'),
  created_at: instant('When it was queued'),
  started_at: nullableInstant('When its latest attempt started; null before the first'),
  completed_at: nullableInstant('When it finished; null until then'),
  attempts: count('Attempts made so far'),
  max_attempts: count('The most attempts allowed (transient failures are retried with exponential backoff)'),
  result: z
    .unknown()
    .describe(
      'The operation’s answer ({"success": true, …}, as its own tool answers) once completed; else null',
    ),
  error: z
    .object({
      code: z.string().describe('The stable error code (invalid_input, not_found, unavailable, timeout, …)'),
      message: z.string().describe('What went wrong'),
    })
    .nullable()
    .describe('Why it failed, once failed; else null'),
  worker: z.string().nullable().describe('The worker that ran or runs it; null before it starts'),
  progress: z
    .object({
      progress: z.number().describe('Work done, in the operation’s unit (epochs for a training)'),
      total: z.number().describe('Work in all, in the same unit'),
      message: z.string().optional().describe('What it is doing'),
    })
    .nullable()
    .describe('The latest progress it reported (trainings and benchmarks report it); null if none'),
});

export function submitTaskOperation(lookup: (name: string) => AnyOperation | undefined) {
  return defineOperation({
    name: 'submit_task',
    title: 'Queue an operation as a task',
    scope: 'write',
    // It may queue any operation: delete_model, train or update_dependabot_alert as well as reads.
    effects: { readOnly: false, destructive: true, idempotent: false, openWorld: true },
    description:
      'Queue any other operation as a task and answer its task_id at once; fetch it with get_task. Transient ' +
      `failures are retried with exponential backoff (attempts, default TASK_ATTEMPTS, at most ${MAX_TASK_ATTEMPTS}); ` +
      `each attempt may run for timeout seconds (default TASK_TIMEOUT, at most ${MAX_TASK_TIMEOUT_SECONDS}). ` +
      'With QUEUE_BACKEND=bullmq, `dredge worker` processes run it.',
    input: z.object({
      operation: boundedString(100, 1).describe(
        'The operation to run, any but submit_task, get_task, cancel_task and get_queue_stats',
      ),
      params: z
        .record(z.string(), z.unknown())
        .default({})
        .describe(
          `Its arguments, as its own tool takes them (checked now; at most ${MAX_TASK_PARAMS_BYTES} bytes of JSON)`,
        ),
      attempts: wholeNumber(1, MAX_TASK_ATTEMPTS)
        .optional()
        .describe(`Most attempts, 1 for no retry (1 to ${MAX_TASK_ATTEMPTS}; default TASK_ATTEMPTS)`),
      timeout: positiveNumber(MAX_TASK_TIMEOUT_SECONDS)
        .optional()
        .describe(
          `Longest one attempt may run, in seconds (greater than 0, at most ${MAX_TASK_TIMEOUT_SECONDS}; default TASK_TIMEOUT)`,
        ),
    }),
    output: taskAnswer,
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
  title: 'Get a task',
  scope: 'read',
  effects: READS_ONLY,
  description:
    'A queued task: status (pending, running, completed, failed, cancelled), times, attempts, worker, and once ' +
    'completed its result (the operation’s answer); failed tasks carry error {code, message}.',
  input: z.object({ task_id: taskIdSchema }),
  output: taskAnswer,
  workFormula: 'fixed',
  work: fixedWork,
  async handle(input, context) {
    // Only the caller's tenant's tasks are found: another tenant's id is `Task not found`, as an unknown one.
    return { ...(await found(input.task_id, context.services.tasks.get(input.task_id, context.tenant))) };
  },
});

export const cancelTask = defineOperation({
  name: 'cancel_task',
  title: 'Cancel a task',
  scope: 'write',
  // The task's work is lost; cancelling it again answers it as it is.
  effects: { readOnly: false, destructive: true, idempotent: true, openWorld: false },
  description:
    'Cancel a task that has not finished: a waiting task is removed, a running one is stopped on its worker. ' +
    'Answers the task afterwards (a task that finished first keeps its result).',
  input: z.object({ task_id: taskIdSchema }),
  output: taskAnswer,
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
  title: 'Get queue statistics',
  scope: 'read',
  effects: READS_ONLY,
  description:
    'The task queue: backend, tasks waiting, running, delayed for a retry, completed and failed, and the live ' +
    'workers with their total concurrency.',
  input: z.object({}),
  output: answer({
    backend: z
      .enum(['local', 'bullmq'])
      .describe('Where tasks wait: in this server, or in Redis for dredge workers'),
    waiting: count('Tasks waiting for a worker (the queue’s depth)'),
    running: count('Tasks running'),
    delayed: count('Tasks waiting out a retry’s backoff'),
    completed: count('Tasks completed'),
    failed: count('Tasks failed'),
    workers: count('Workers able to take tasks now'),
    concurrency: count('Most tasks running at once across those workers'),
  }),
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
