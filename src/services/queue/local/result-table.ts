import type { TaskRecord } from './task.js';

/**
 * Every task a pool knows, so results can be fetched by id. Finished tasks are kept at most `ttlMs` and at most
 * `maxFinished` of them (the earliest finished go first), so the table stays bounded however many tasks run; the
 * original kept every result forever.
 */
export class ResultTable {
  private readonly tasks = new Map<string, TaskRecord>();
  /** Ids of finished tasks in the order they finished. */
  private readonly finishedOrder: string[] = [];

  constructor(
    private readonly maxFinished: number,
    private readonly ttlMs: number,
  ) {}

  track(task: TaskRecord): void {
    this.tasks.set(task.task_id, task);
  }

  /** Called when a task completes or fails. */
  finish(task: TaskRecord): void {
    this.tasks.set(task.task_id, task);
    this.finishedOrder.push(task.task_id);
    this.prune();
  }

  get(id: string): TaskRecord | undefined {
    this.prune();
    return this.tasks.get(id);
  }

  values(): IterableIterator<TaskRecord> {
    this.prune();
    return this.tasks.values();
  }

  private prune(): void {
    const oldestKept = Date.now() - this.ttlMs;
    while (this.finishedOrder.length > 0) {
      const id = this.finishedOrder[0] as string;
      const finishedAt = this.tasks.get(id)?.completed_at ?? 0;
      if (this.finishedOrder.length <= this.maxFinished && finishedAt >= oldestKept) break;
      this.finishedOrder.shift();
      this.tasks.delete(id);
    }
  }
}
