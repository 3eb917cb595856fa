import { unavailableOnFailure } from '../errors.js';
import type { TaskResultStore } from '../store/records.js';
import type { TaskView } from './task-service.js';

/** A store that is away (Redis down, SQLite busy) is the client's 503, never a 500. */
const STORE_AWAY = 'The store of task results is not reachable: try again later.';

/**
 * Finished tasks in the store (SQLite or Redis), where any server can fetch them until they expire. The
 * operation's answer is kept as the JSON text the operation wrote, so storing it costs no parse.
 */
export class FinishedTasks {
  constructor(
    private readonly store: TaskResultStore,
    private readonly ttlMs: number,
  ) {}

  /**
   * Records a finished task (`finishedView`) of `tenant`; `resultJson` is the operation's answer as JSON text, when
   * it completed.
   */
  async save(view: Omit<TaskView, 'result'>, tenant: string, resultJson?: string): Promise<void> {
    const head = JSON.stringify(view);
    const text = `${head.slice(0, -1)},"result":${resultJson ?? 'null'}}`;
    await unavailableOnFailure(STORE_AWAY, () => this.store.put(view.task_id, text, this.ttlMs, tenant));
  }

  /** The finished task, when it is `tenant`'s (any tenant's without one: the engine's own bookkeeping). */
  async get(id: string, tenant?: string): Promise<TaskView | undefined> {
    const text = await unavailableOnFailure(STORE_AWAY, () => this.store.get(id, tenant));
    return text === undefined ? undefined : (JSON.parse(text) as TaskView);
  }
}
