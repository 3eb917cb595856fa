import type { ResultTable } from './result-table.js';
import type { TaskQueue } from './task-queue.js';
import type { TaskExecutor, TaskRecord } from './task.js';

/**
 * Takes tasks from a queue one at a time and runs them with the executor, recording each one's life in the
 * result table. `stop` lets the current task finish, then ends the loop.
 */
export class Worker {
  private stopping = new AbortController();
  private loop: Promise<void> | undefined;
  current: TaskRecord | undefined;

  constructor(
    readonly name: string,
    private readonly queue: TaskQueue,
    private readonly executor: TaskExecutor,
    private readonly results: ResultTable,
  ) {}

  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = new AbortController();
    this.loop = this.run(this.stopping.signal);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    this.loop = undefined;
  }

  private async run(stopping: AbortSignal): Promise<void> {
    for (;;) {
      const task = await this.queue.take(stopping);
      if (!task) return;
      this.current = task;
      task.status = 'running';
      task.started_at = Date.now();
      task.worker = this.name;
      try {
        // Stopping lets the current task finish: its signal is its own (for cancelling one task), not the worker's.
        task.result = await this.executor(task.operation, task.params, new AbortController().signal);
        task.status = 'completed';
      } catch (error) {
        task.status = 'failed';
        task.error = error instanceof Error ? error.message : String(error);
      }
      task.completed_at = Date.now();
      this.current = undefined;
      this.results.finish(task);
      if (stopping.aborted) return;
    }
  }
}
