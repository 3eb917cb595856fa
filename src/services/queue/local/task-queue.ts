import { randomUUID } from 'node:crypto';
import { DredgeError } from '../../errors.js';
import { newTask, type TaskRecord } from './task.js';

/**
 * Tasks waiting for a worker, first in first out, at most `maxsize` of them. Submitting to a full queue fails at
 * once with a clear error (the original blocked the caller forever); taking from an empty one waits.
 */
export class TaskQueue {
  private readonly waiting: TaskRecord[] = [];
  private readonly takers: Array<(task: TaskRecord) => void> = [];

  constructor(readonly maxsize = 1000) {
    if (!Number.isInteger(maxsize) || maxsize < 1) throw new RangeError('maxsize must be a whole number ≥ 1');
  }

  get size(): number {
    return this.waiting.length;
  }

  /** Queues a task and answers its id. */
  submit(operation: string, params: unknown = {}): TaskRecord {
    if (this.waiting.length >= this.maxsize) {
      throw new DredgeError(
        'unavailable',
        `The task queue is full (${this.maxsize} tasks waiting): try again later.`,
      );
    }
    const task = newTask(randomUUID(), operation, params);
    const taker = this.takers.shift();
    if (taker) taker(task);
    else this.waiting.push(task);
    return task;
  }

  /** The next task, waiting for one if none is queued; undefined when `signal` aborts first. */
  take(signal: AbortSignal): Promise<TaskRecord | undefined> {
    const task = this.waiting.shift();
    if (task) return Promise.resolve(task);
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const taker = (next: TaskRecord) => {
        signal.removeEventListener('abort', onAbort);
        resolve(next);
      };
      const onAbort = () => {
        const index = this.takers.indexOf(taker);
        if (index >= 0) this.takers.splice(index, 1);
        resolve(undefined);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.takers.push(taker);
    });
  }
}
