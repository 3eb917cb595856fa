import type { BatchTaskFailure } from './batch-runner.js';

export interface TalliedError extends BatchTaskFailure {
  readonly count: number;
  /** The first task that failed this way. */
  readonly firstTask: string;
}

/** Most distinct failures kept; the rest are counted together, so a million different messages stay small. */
const MAX_DISTINCT = 20;

/** Failures grouped by code and message, most frequent first in `list()`. */
export class ErrorTally {
  private readonly byKey = new Map<string, { failure: BatchTaskFailure; count: number; firstTask: string }>();
  private others = 0;

  add(failure: BatchTaskFailure, taskId: string): void {
    const key = `${failure.code}\u0000${failure.message}`;
    const entry = this.byKey.get(key);
    if (entry) entry.count += 1;
    else if (this.byKey.size < MAX_DISTINCT) this.byKey.set(key, { failure, count: 1, firstTask: taskId });
    else this.others += 1;
  }

  list(): TalliedError[] {
    const listed: TalliedError[] = [...this.byKey.values()]
      .sort((a, b) => b.count - a.count)
      .map(({ failure, count, firstTask }) => ({ ...failure, count, firstTask }));
    if (this.others > 0) {
      listed.push({
        code: 'other',
        message: `failures of ${this.others === 1 ? 'another kind' : 'other kinds'} (only ${MAX_DISTINCT} kinds are listed)`,
        count: this.others,
        firstTask: '',
      });
    }
    return listed;
  }
}
