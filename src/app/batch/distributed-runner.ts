import { redactUrlCredentials, type LoadedConfig } from '../../config/index.js';
import { isFinished, type TaskService, type TaskView } from '../../services/queue/index.js';
import type { Logger } from '../../services/telemetry/index.js';
import { openApp } from '../open-app.js';
import { DEFAULT_TENANT } from '../../services/store/index.js';
import type { BatchRunner, BatchTaskOutcome, ServerSnapshot } from './batch-runner.js';
import type { BatchTask } from './batch-task.js';
import { snapshotFromAnswers } from './server-snapshot.js';

/** How long the metrics and cache questions may wait for a worker after the run, in ms. */
const SNAPSHOT_WAIT_MS = 10_000;

/**
 * Puts each task on the queue (`TaskService.submit`) and waits for its result: with QUEUE_BACKEND=bullmq the
 * tasks run on `dredge worker` processes, wherever they are. A task's latency is therefore queue round trip plus
 * run: what a client of the queue sees.
 */
export class DistributedRunner implements BatchRunner {
  readonly mode = 'distributed';
  readonly target: string;

  constructor(
    private readonly tasks: TaskService,
    /** Longest wait for one task's result (BATCH_TIMEOUT), in ms; 0: no limit. */
    private readonly timeoutMs: number,
    target: string,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {
    this.target = target;
  }

  async run(task: BatchTask, cancel: AbortSignal): Promise<BatchTaskOutcome> {
    let submitted: TaskView;
    try {
      submitted = await this.tasks.submit(task.operation, task.params, { tenant: DEFAULT_TENANT });
    } catch (error) {
      return failure(error);
    }
    try {
      const finished = await this.waitOrCancel(submitted.task_id, cancel);
      return outcomeOf(finished, this.timeoutMs);
    } catch (error) {
      return failure(error);
    }
  }

  /** Waits for the task; when `cancel` fires first, cancels it on the queue and answers its state then. */
  private async waitOrCancel(id: string, cancel: AbortSignal): Promise<TaskView | undefined> {
    if (cancel.aborted) return this.tasks.cancel(id);
    let onCancel: (() => void) | undefined;
    const cancelled = new Promise<'cancelled'>((resolve) => {
      onCancel = () => resolve('cancelled');
      cancel.addEventListener('abort', onCancel, { once: true });
    });
    try {
      // TaskService.wait takes a finite timeout; "no limit" is a day, far beyond any batch.
      const waited = this.tasks.wait(id, this.timeoutMs > 0 ? this.timeoutMs : 86_400_000);
      const first = await Promise.race([waited, cancelled]);
      if (first !== 'cancelled') {
        if (first && !isFinished(first.status)) await this.tasks.cancel(id).catch(() => undefined);
        return first;
      }
      return await this.tasks.cancel(id);
    } finally {
      if (onCancel) cancel.removeEventListener('abort', onCancel);
    }
  }

  serverSnapshot(): Promise<ServerSnapshot> {
    // Each worker process has its own counters: these are those of whichever worker takes the question.
    return snapshotFromAnswers(`one worker (${this.target})`, async (operation) => {
      const view = await this.tasks.submit(operation, {}, { tenant: DEFAULT_TENANT });
      const done = await this.tasks.wait(view.task_id, SNAPSHOT_WAIT_MS);
      if (done?.status !== 'completed') {
        // No worker took it in time: it must not wait in the queue for one that comes later.
        await this.tasks.cancel(view.task_id).catch(() => undefined);
        throw new Error(done ? `the task ended ${done.status}` : 'the task expired');
      }
      return done.result;
    });
  }

  close(): Promise<void> {
    return this.release();
  }
}

function outcomeOf(view: TaskView | undefined, timeoutMs: number): BatchTaskOutcome {
  if (!view) return { success: false, error: { code: 'not_found', message: 'the task expired or vanished' } };
  switch (view.status) {
    case 'completed': {
      const result = view.result as { cached?: unknown } | null;
      return { success: true, cached: result?.cached === true };
    }
    case 'failed':
      return {
        success: false,
        error: view.error ?? { code: 'internal', message: 'the task failed without saying why' },
      };
    case 'cancelled':
      return { success: false, error: { code: 'cancelled', message: 'the task was cancelled' } };
    default:
      return {
        success: false,
        error: {
          code: 'timeout',
          message: `still ${view.status} after ${timeoutMs / 1000} s (BATCH_TIMEOUT); cancelled`,
        },
      };
  }
}

function failure(error: unknown): BatchTaskOutcome {
  const code = (error as { code?: unknown }).code;
  return {
    success: false,
    error: {
      code: typeof code === 'string' ? code : 'unavailable',
      message: error instanceof Error ? error.message : String(error),
    },
  };
}

/**
 * A distributed runner on services of its own (closing it releases them): the task service QUEUE_BACKEND names.
 * With bullmq, the results come back through the store, so STORE_BACKEND must be one the workers share
 * (redis or postgres, or sqlite in the same DATA_DIR on one machine).
 */
export async function openDistributedRunner(
  loaded: LoadedConfig,
  logger: Logger,
): Promise<DistributedRunner> {
  const { config } = loaded;
  const { services } = await openApp(loaded, { serviceName: 'dredge-batch', logger });
  const target =
    config.storage.queueBackend === 'bullmq'
      ? `BullMQ queue ${config.queue.name} on ${redactUrlCredentials(config.redis.url)}`
      : 'the local task pool, QUEUE_BACKEND=local';
  return new DistributedRunner(services.tasks, config.batch.timeoutMs, target, () => services.close());
}
