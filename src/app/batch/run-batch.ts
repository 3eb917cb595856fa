import { setMaxListeners } from 'node:events';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
import type { BatchRunner } from './batch-runner.js';
import type { BatchTask, TaskList } from './batch-task.js';
import { ErrorTally, type TalliedError } from './error-tally.js';

export interface RunBatchOptions {
  /** Tasks run at once: this many loops each take the next task as soon as their last one ends. */
  readonly workers: number;
  /** Fires to stop taking new tasks (the first Ctrl-C); tasks in flight are waited for, up to `stopGraceMs`. */
  readonly stop?: AbortSignal;
  /** Fires to abandon the tasks in flight at once (a second Ctrl-C). */
  readonly abandon?: AbortSignal;
  /** Longest wait for tasks in flight after `stop`, in ms; then they are abandoned. */
  readonly stopGraceMs: number;
  /** Called after each task with the counts so far (kept cheap: a progress bar reads them on its own timer). */
  readonly onTaskDone?: (completed: number, failed: number) => void;
}

export interface BatchRun {
  /** Tasks the batch held. */
  readonly planned: number;
  /** Tasks that ended, successfully or not (abandoned ones are not counted). */
  readonly completed: number;
  readonly successful: number;
  readonly failed: number;
  readonly cacheHits: number;
  /** Latency of each completed task, in ms: from handing it to the runner to its outcome. */
  readonly latenciesMs: Float64Array;
  readonly errors: TalliedError[];
  /** From the first task handed out to the last outcome, in ms. */
  readonly elapsedMs: number;
  /** True when the run was stopped before every task had ended. */
  readonly interrupted: boolean;
  /** Tasks in flight at the stop that did not end within the grace period. */
  readonly abandoned: number;
}

/**
 * Without a macrotask now and then, a run of in-process tasks that never wait for I/O (cache hits, inline
 * operations) would be all microtasks: no timer, no signal handler and no progress bar would run until the end.
 */
const YIELD_EVERY_MS = 20;

/**
 * Runs the tasks through `runner` with `workers` concurrent loops, in order of the list, and measures each.
 * Like the original's ThreadPoolExecutor, a task's latency is its own run, not its wait for a free worker.
 */
export async function runBatch(
  tasks: TaskList,
  runner: BatchRunner,
  options: RunBatchOptions,
): Promise<BatchRun> {
  const latencies = new Float64Array(tasks.length);
  const errors = new ErrorTally();
  const abandon = new AbortController();
  // Every task in flight listens to it (one per worker, and a few of the run's own).
  setMaxListeners(options.workers + 8, abandon.signal);
  const forward = () => abandon.abort();
  options.abandon?.addEventListener('abort', forward, { once: true });
  let next = 0;
  let completed = 0;
  let failed = 0;
  let cacheHits = 0;
  let abandoned = 0;
  let lastYield = performance.now();

  const loop = async (): Promise<void> => {
    while (next < tasks.length && !options.stop?.aborted && !abandon.signal.aborted) {
      const task = tasks.at(next++) as BatchTask;
      const started = performance.now();
      const outcome = await runner.run(task, abandon.signal);
      const ended = performance.now();
      if (abandon.signal.aborted && !outcome.success) {
        abandoned += 1;
        continue;
      }
      latencies[completed++] = ended - started;
      if (outcome.success) {
        if (outcome.cached) cacheHits += 1;
      } else {
        failed += 1;
        errors.add(outcome.error, task.id);
      }
      options.onTaskDone?.(completed, failed);
      if (ended - lastYield >= YIELD_EVERY_MS) {
        lastYield = ended;
        await nextMacrotask();
      }
    }
  };

  const started = performance.now();
  const loops = Promise.all(Array.from({ length: Math.min(options.workers, tasks.length) }, loop));
  const graceTimer = whenStopped(options.stop, options.stopGraceMs, forward);
  try {
    await loops;
  } finally {
    graceTimer.cancel();
    options.abandon?.removeEventListener('abort', forward);
  }
  const elapsedMs = performance.now() - started;
  return {
    planned: tasks.length,
    completed,
    successful: completed - failed,
    failed,
    cacheHits,
    latenciesMs: latencies.subarray(0, completed),
    errors: errors.list(),
    elapsedMs,
    interrupted: (options.stop?.aborted === true || abandon.signal.aborted) && completed < tasks.length,
    abandoned,
  };
}

/** Once `stop` fires, calls `expire` after `graceMs` unless cancelled first. */
function whenStopped(stop: AbortSignal | undefined, graceMs: number, expire: () => void): { cancel(): void } {
  if (!stop) return { cancel: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    timer = setTimeout(expire, graceMs);
  };
  if (stop.aborted) arm();
  else stop.addEventListener('abort', arm, { once: true });
  return {
    cancel: () => {
      stop.removeEventListener('abort', arm);
      if (timer) clearTimeout(timer);
    },
  };
}
