import { DredgeClientError } from './errors.js';
import type { HttpTransport } from './http-transport.js';
import type { CallOptions } from './options.js';
import type {
  OperationAnswer,
  OperationParams,
  ParamsArgument,
  QueueableOperationName,
} from './operation-types.js';
import type { QueueStatsAnswer, SubmitTaskOptions, TaskAnswer, WaitForTaskOptions } from './task-types.js';
import { waitForTask } from './wait-for-task.js';

/** What `tasks.run` takes: how to submit, and how long to wait. */
export interface RunTaskOptions extends SubmitTaskOptions {
  readonly wait?: WaitForTaskOptions;
}

/**
 * The MCP server's `/tasks`: queue any operation as a task, read it, cancel it, wait for it. Each method is the
 * catalogue operation of the same meaning (submit_task, get_task, cancel_task, get_queue_stats).
 */
export class TaskClient {
  readonly #transport: HttpTransport;

  constructor(transport: HttpTransport) {
    this.#transport = transport;
  }

  /**
   * `POST /tasks`: queues the operation (validated now: a mistake is a 400 here, not a failed task later) and
   * answers the task, pending. Not retried after a 503 without Retry-After, which may have queued it.
   */
  submit<N extends QueueableOperationName>(
    operation: N,
    ...[params, options = {}]: ParamsArgument<N, [options?: SubmitTaskOptions]>
  ): Promise<TaskAnswer> {
    const { attempts, timeout, ...call } = options;
    return this.#transport.send(
      {
        method: 'POST',
        path: '/tasks',
        body: { operation, params: params ?? {}, attempts, timeout },
        safe: false,
        operation: 'submit_task',
      },
      call,
    );
  }

  /** `GET /tasks/{id}`: the task as it is now. */
  get(taskId: string, options?: CallOptions): Promise<TaskAnswer> {
    return this.#transport.send(
      { method: 'GET', path: taskPath(taskId), safe: true, operation: 'get_task' },
      options,
    );
  }

  /** `DELETE /tasks/{id}`: cancels a task that has not finished, and answers it afterwards. */
  cancel(taskId: string, options?: CallOptions): Promise<TaskAnswer> {
    return this.#transport.send(
      { method: 'DELETE', path: taskPath(taskId), safe: false, operation: 'cancel_task' },
      options,
    );
  }

  /** `GET /tasks`: the queue's statistics (waiting, running, delayed, completed, failed, workers). */
  stats(options?: CallOptions): Promise<QueueStatsAnswer> {
    return this.#transport.send(
      { method: 'GET', path: '/tasks', safe: true, operation: 'get_queue_stats' },
      options,
    );
  }

  /** Polls until the task has finished, and answers it (see `waitForTask`). */
  wait(taskId: string, options?: WaitForTaskOptions): Promise<TaskAnswer> {
    return waitForTask(this, taskId, options);
  }

  /**
   * The result of a finished task: its operation's answer when it completed. A task that failed throws its
   * failure (its `code`: `timeout`, `too_large`, `interrupted`, or the operation's), a cancelled one
   * `task_cancelled`, an unfinished one `task_not_finished`. Name the operation for a typed answer:
   * `tasks.result<'benchmark'>(id)`.
   */
  async result<N extends QueueableOperationName = QueueableOperationName>(
    taskId: string,
    options?: CallOptions,
  ): Promise<OperationAnswer<N>> {
    return resultOf<N>(await this.get(taskId, options));
  }

  /** Submits the operation, waits for it, and answers its result (or throws its failure, as `result`). */
  async run<N extends QueueableOperationName>(
    operation: N,
    params: OperationParams<N>,
    options: RunTaskOptions = {},
  ): Promise<OperationAnswer<N>> {
    const { wait, ...submit } = options;
    const submitted = await this.submit<QueueableOperationName>(operation, params, submit);
    return resultOf<N>(await this.wait(String(submitted.task_id), wait));
  }
}

function taskPath(taskId: string): string {
  return `/tasks/${encodeURIComponent(taskId)}`;
}

/** A finished task's result, or its ending as the error it is. */
function resultOf<N extends QueueableOperationName>(task: TaskAnswer): OperationAnswer<N> {
  const taskId = String(task.task_id);
  const operation = String(task.operation);
  switch (task.status) {
    case 'completed':
      return task.result as OperationAnswer<N>;
    case 'failed': {
      const failure = (task.error ?? {}) as { code?: unknown; message?: unknown };
      throw new DredgeClientError({
        code: typeof failure.code === 'string' ? failure.code : 'internal',
        status: 0,
        message: typeof failure.message === 'string' ? failure.message : `Task ${taskId} failed`,
        taskId,
        operation,
      });
    }
    case 'cancelled':
      throw new DredgeClientError({
        code: 'task_cancelled',
        status: 0,
        message: `Task ${taskId} was cancelled`,
        taskId,
        operation,
      });
    default:
      throw new DredgeClientError({
        code: 'task_not_finished',
        status: 0,
        message: `Task ${taskId} has not finished (it is ${String(task.status)}): wait for it first`,
        taskId,
        operation,
      });
  }
}
