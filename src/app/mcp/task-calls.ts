import type { TaskView } from '../../services/queue/index.js';
import { DredgeError } from '../../services/errors.js';
import { runOperation, type AnyOperation, type Catalogue, type RequestContext } from '../operations/index.js';
import { parseOrThrow } from '../operations/schema.js';
import { allows } from '../security/principal.js';
import { taskViewOf } from './task-wire.js';

/** Tools that always run as a task for a client that accepts tasks: trainings last seconds to hours. */
const LONG_RUNNING: ReadonlySet<string> = new Set(['train', 'benchmark']);

/** Tools that run as a task when the call's work is above COMPUTE_INLINE_WORK (a large batch of rows). */
const WEIGHED: ReadonlySet<string> = new Set(['inference']);

/** `submit_task` queues the operation it names: called by a client that accepts tasks, it answers the task. */
const SUBMIT_TASK = 'submit_task';

/**
 * Whether a tool call by a client that accepts tasks is answered with a task rather than a result: `submit_task`,
 * `train` and `benchmark` always, an `inference` whose work would leave the event loop. Only for a caller who may
 * queue it (the `submit_task` scope and the operation's own, exactly as `POST /tasks`): anyone else gets the call
 * run as usual, with its usual answer (a 403 tool error when the operation's scope is missing).
 */
export async function answersWithTask(
  operation: AnyOperation,
  args: unknown,
  catalogue: Catalogue,
  context: RequestContext,
): Promise<boolean> {
  const submit = catalogue.get(SUBMIT_TASK);
  if (!submit || !allows(context.principal, submit.scope) || !allows(context.principal, operation.scope)) {
    return false;
  }
  if (operation.name === SUBMIT_TASK || LONG_RUNNING.has(operation.name)) return true;
  if (!WEIGHED.has(operation.name)) return false;
  const work = await weigh(operation, args, context);
  const { inlineWork, maxRequestWork } = context.services.config.compute;
  // Over MAX_REQUEST_WORK the call is refused at once (413): a task would only fail the same way, later.
  return work !== undefined && work > inlineWork && work <= maxRequestWork;
}

/**
 * Queues the call as a task, through `submit_task` (its scopes, validation, quotas, rate limit and audit, exactly as
 * `POST /tasks`), and answers the task. `submit_task`'s own arguments already are its params; another tool's are
 * the operation and arguments to queue.
 */
export async function queueCall(
  operation: AnyOperation,
  args: unknown,
  catalogue: Catalogue,
  context: RequestContext,
): Promise<TaskView> {
  const params = operation.name === SUBMIT_TASK ? args : { operation: operation.name, params: args ?? {} };
  try {
    return taskViewOf((await runOperation(catalogue.find(SUBMIT_TASK), params, context)).value);
  } catch (error) {
    // submit_task names a bad argument of the operation it queues under its own params (`params.params.epochs`);
    // the caller sent the tool's arguments, so the refusal reads as the call's would (`params.epochs must be …`).
    if (error instanceof DredgeError && error.code === 'invalid_input' && operation.name !== SUBMIT_TASK) {
      parseOrThrow(operation.input, args ?? {}, 'params');
    }
    throw error;
  }
}

/**
 * The call's work as `runOperation` will weigh it (the operation's `work` on the validated input and the caller's
 * tenant's stored model), or undefined when the call cannot be weighed (invalid, an unknown model, the store
 * away): such a call then runs as usual and answers its own error.
 */
async function weigh(
  operation: AnyOperation,
  args: unknown,
  context: RequestContext,
): Promise<number | undefined> {
  const parsed = operation.input.safeParse(args ?? {});
  if (!parsed.success) return undefined;
  try {
    const model = operation.model
      ? await context.services.store.models.get(operation.model(parsed.data), context.tenant)
      : undefined;
    if (operation.model && !model) return undefined;
    return operation.work(parsed.data, model, context);
  } catch {
    return undefined;
  }
}
