import { randomUUID } from 'node:crypto';
import { unavailableOnFailure } from '../../errors.js';
import type { PendingTaskRecord, PendingTaskStore } from '../../store/pending-tasks.js';
import type { Logger } from '../../telemetry/index.js';
import { recordOf, type LiveTask } from './live-task.js';

/** A store that is away refuses a submission (503, the client may retry): a task it cannot keep is not accepted. */
const STORE_AWAY = 'The task store is not reachable, so the task was not accepted: try again later.';

/**
 * The local engine's tasks in the store (PendingTaskStore), from their acceptance to their end, under this
 * engine's name and lease. Only accepting a task must reach the store; the later changes are kept when the
 * store takes them and logged when it does not (the task runs either way, and a restart then repeats at most an
 * attempt).
 */
export class AcceptedTasks {
  /** This engine, as the store names the holder of its tasks: the worker name and a per-start suffix. */
  readonly owner: string;

  constructor(
    private readonly store: PendingTaskStore,
    /** WORKER_LOCK_DURATION: how long after this engine's last beat its tasks may be taken over. */
    readonly leaseMs: number,
    workerName: string,
    private readonly logger: Logger,
  ) {
    this.owner = `${workerName}/${randomUUID().slice(0, 8)}`;
  }

  /** Before the submission is answered. */
  accept(task: LiveTask, params: string): Promise<void> {
    return unavailableOnFailure(STORE_AWAY, () =>
      this.store.add(recordOf(task, this.owner, params), this.leaseMs),
    );
  }

  /** An attempt starts, or the task waits again for its next one (after a retry's failure or a restart). */
  async changed(task: LiveTask): Promise<void> {
    const { state, attempts, startedAt } = task;
    await this.quietly(task.id, () => this.store.update(task.id, { state, attempts, startedAt }));
  }

  /** The task has finished (and its ending is recorded): it no longer needs taking over. */
  async finished(id: string): Promise<void> {
    await this.quietly(id, () => this.store.remove(id));
  }

  /** A task some engine holds (or held): undefined when the store does not know it, or cannot answer now. */
  async get(id: string): Promise<PendingTaskRecord | undefined> {
    return this.store.get(id).catch((error: unknown) => {
      this.logger.warn({ err: error, task_id: id }, 'the task store could not be read');
      return undefined;
    });
  }

  beat(): Promise<void> {
    return this.store.beat(this.owner, this.leaseMs);
  }

  /** This engine stops: its tasks left in the store may be taken over at once. */
  async release(): Promise<void> {
    await this.quietly(undefined, () => this.store.release(this.owner));
  }

  /** Takes over at most `limit` tasks of engines whose lease has lapsed, oldest first. */
  claim(limit: number): Promise<PendingTaskRecord[]> {
    return this.store.claimOrphans(this.owner, this.leaseMs, limit);
  }

  private async quietly(id: string | undefined, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      this.logger.warn({ err: error, task_id: id }, 'the task store did not take a change; the task goes on');
    }
  }
}
