import { ResultTable } from './result-table.js';
import { TaskQueue } from './task-queue.js';
import type { TaskExecutor, TaskRecord } from './task.js';
import { Worker } from './worker.js';

export interface WorkerPoolOptions {
  /** Most tasks waiting (default 1000). */
  readonly maxsize?: number;
  /** Most finished tasks whose results are kept (default 10,000). */
  readonly maxResults?: number;
  /** How long a finished task's result is kept, in ms (default one hour). */
  readonly resultTtlMs?: number;
}

export interface PoolStats {
  readonly num_workers: number;
  readonly running: boolean;
  readonly queue_size: number;
  readonly max_queue_size: number;
  readonly pending: number;
  readonly in_progress: number;
  readonly completed: number;
  readonly failed: number;
}

/**
 * The original's in-process worker pool: `numWorkers` workers taking tasks from one bounded queue. Workers here
 * are concurrent tasks on the event loop; CPU-heavy operations belong on the worker-thread pool.
 */
export class WorkerPool {
  readonly queue: TaskQueue;
  private readonly results: ResultTable;
  private readonly workers: Worker[];

  constructor(
    readonly numWorkers: number,
    executor: TaskExecutor,
    options: WorkerPoolOptions = {},
  ) {
    if (!Number.isInteger(numWorkers) || numWorkers < 1 || numWorkers > 1024) {
      throw new RangeError('numWorkers must be a whole number from 1 to 1024');
    }
    this.queue = new TaskQueue(options.maxsize ?? 1000);
    this.results = new ResultTable(options.maxResults ?? 10_000, options.resultTtlMs ?? 3_600_000);
    this.workers = Array.from(
      { length: numWorkers },
      (_, i) => new Worker(`worker-${i + 1}`, this.queue, executor, this.results),
    );
  }

  start(): void {
    for (const worker of this.workers) worker.start();
  }

  /** Lets every worker finish its current task, then stops them; queued tasks stay pending. */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }

  /** Queues a task and answers its id; a full queue fails at once (DredgeError `unavailable`). */
  submit(operation: string, params: unknown = {}): string {
    const task = this.queue.submit(operation, params);
    this.results.track(task);
    return task.task_id;
  }

  /** The task with its status, times and (once finished) result or error; undefined once forgotten. */
  getResult(taskId: string): TaskRecord | undefined {
    return this.results.get(taskId);
  }

  getStats(): PoolStats {
    const counts = { pending: 0, running: 0, completed: 0, failed: 0 };
    for (const task of this.results.values()) counts[task.status] += 1;
    return {
      num_workers: this.numWorkers,
      running: this.workers.some((worker) => worker.running),
      queue_size: this.queue.size,
      max_queue_size: this.queue.maxsize,
      pending: counts.pending,
      in_progress: counts.running,
      completed: counts.completed,
      failed: counts.failed,
    };
  }
}
