import type { LoadedConfig } from '../../config/index.js';
import { ROOT_CONTEXT, type Logger } from '../../services/telemetry/index.js';
import { openApp } from '../open-app.js';
import { runOperation, type Catalogue } from '../operations/index.js';
import { requestContext } from '../operations/request-context.js';
import type { AppServices } from '../services.js';
import { failureOf, type BatchRunner, type BatchTaskOutcome, type ServerSnapshot } from './batch-runner.js';
import type { BatchTask } from './batch-task.js';
import { snapshotFromAnswers } from './server-snapshot.js';

/**
 * Runs each task in this process through the catalogue, exactly as a door does (`runOperation` with a request
 * context), so validation, cache, metrics and tracing are the server's own.
 */
export class InProcessRunner implements BatchRunner {
  readonly mode = 'in-process';
  readonly target = 'this process';

  constructor(
    private readonly services: AppServices,
    private readonly catalogue: Catalogue,
    /** Longest a task of an operation that runs long may run (BATCH_TIMEOUT), in ms; 0: no limit. */
    private readonly taskTimeoutMs: number,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

  async run(task: BatchTask, cancel: AbortSignal): Promise<BatchTaskOutcome> {
    let timeout: AbortSignal | undefined;
    try {
      const operation = this.catalogue.find(task.operation);
      // Quick operations finish long before any timeout and cannot be interrupted: no timer per task for them.
      timeout =
        operation.runsLong && this.taskTimeoutMs > 0 ? AbortSignal.timeout(this.taskTimeoutMs) : undefined;
      const signal = timeout ? AbortSignal.any([cancel, timeout]) : cancel;
      const context = requestContext(this.services, { trace: ROOT_CONTEXT, signal });
      const outcome = await runOperation(operation, task.params, context);
      return { success: true, cached: outcome.cached === true };
    } catch (error) {
      if (timeout?.aborted && !cancel.aborted) {
        const seconds = this.taskTimeoutMs / 1000;
        return {
          success: false,
          error: { code: 'timeout', message: `no answer within ${seconds} s (BATCH_TIMEOUT)` },
        };
      }
      return failureOf(error);
    }
  }

  async serverSnapshot(): Promise<ServerSnapshot> {
    const ask = async (operation: string): Promise<unknown> => {
      const context = requestContext(this.services, {
        trace: ROOT_CONTEXT,
        signal: new AbortController().signal,
      });
      return (await runOperation(this.catalogue.find(operation), {}, context)).value;
    };
    return snapshotFromAnswers(this.target, ask);
  }

  close(): Promise<void> {
    return this.release();
  }
}

/** An in-process runner on services of its own, built from the configuration; closing it releases them. */
export async function openInProcessRunner(loaded: LoadedConfig, logger: Logger): Promise<InProcessRunner> {
  const { services, catalogue } = await openApp(loaded, { serviceName: 'dredge-batch', logger });
  return new InProcessRunner(services, catalogue, loaded.config.batch.timeoutMs, () => services.close());
}
