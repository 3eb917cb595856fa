import type { LoadedConfig } from '../../config/index.js';
import { ROOT_CONTEXT, type Logger } from '../../services/telemetry/index.js';
import { openApp } from '../open-app.js';
import { runOperation, type Catalogue } from '../operations/index.js';
import { requestContext, type RequestFacts } from '../operations/request-context.js';
import { ANONYMOUS } from '../security/authenticator.js';
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
    /** Longest a task whose work leaves the event loop may run (BATCH_TIMEOUT), in ms; 0: no limit. */
    private readonly taskTimeoutMs: number,
    private readonly release: () => Promise<void> = async () => undefined,
  ) {}

  async run(task: BatchTask, cancel: AbortSignal): Promise<BatchTaskOutcome> {
    const facts = new BatchTaskFacts(cancel, this.taskTimeoutMs);
    try {
      const operation = this.catalogue.find(task.operation);
      const context = requestContext(this.services, facts);
      const outcome = await runOperation(operation, task.params, context);
      return { success: true, cached: outcome.cached === true };
    } catch (error) {
      if (facts.timeout?.aborted && !cancel.aborted) {
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
        principal: ANONYMOUS,
        client: 'batch',
        rateLimited: false,
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

/**
 * A task's facts: the batch's cancel signal, with BATCH_TIMEOUT's timer added on first read only, that is for work
 * that leaves the event loop (quick work finishes long before any timeout and cannot be interrupted).
 */
class BatchTaskFacts implements RequestFacts {
  // The batch runs in the process of whoever started it, with the services it opened itself.
  readonly principal = ANONYMOUS;
  readonly client = 'batch';
  readonly rateLimited = false;
  readonly trace = ROOT_CONTEXT;
  timeout: AbortSignal | undefined;
  #signal: AbortSignal | undefined;

  constructor(
    private readonly cancel: AbortSignal,
    private readonly timeoutMs: number,
  ) {}

  get signal(): AbortSignal {
    if (this.#signal) return this.#signal;
    if (this.timeoutMs > 0) this.timeout = AbortSignal.timeout(this.timeoutMs);
    return (this.#signal = this.timeout ? AbortSignal.any([this.cancel, this.timeout]) : this.cancel);
  }
}

/** An in-process runner on services of its own, built from the configuration; closing it releases them. */
export async function openInProcessRunner(loaded: LoadedConfig, logger: Logger): Promise<InProcessRunner> {
  const { services, catalogue } = await openApp(loaded, { serviceName: 'dredge-batch', logger });
  return new InProcessRunner(services, catalogue, loaded.config.batch.timeoutMs, () => services.close());
}
