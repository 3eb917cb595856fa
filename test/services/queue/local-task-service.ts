import { FinishedTasks } from '../../../src/services/queue/finished-tasks.js';
import { AcceptedTasks } from '../../../src/services/queue/local/accepted-tasks.js';
import {
  LocalTaskService,
  type LocalTaskServiceOptions,
} from '../../../src/services/queue/local/local-task-service.js';
import type { PendingTaskStore } from '../../../src/services/store/pending-tasks.js';
import type { TaskResultStore } from '../../../src/services/store/records.js';
import type { SqliteDatabase } from '../../../src/services/store/sqlite/database.js';
import { SqlitePendingTaskStore } from '../../../src/services/store/sqlite/sqlite-pending-tasks.js';
import { SqliteTaskResultStore } from '../../../src/services/store/sqlite/sqlite-records.js';
import { NOOP_DREDGE_METRICS } from '../../../src/services/telemetry/metrics/dredge-metrics.js';
import { createLogger } from '../../../src/services/telemetry/index.js';

const HOUR = 3_600_000;

export const LOCAL_DEFAULTS: LocalTaskServiceOptions = {
  concurrency: 4,
  maxWaiting: 1000,
  attempts: 3,
  backoffMs: 100,
  timeoutMs: 60_000,
  maxResultBytes: 8 * 1024 * 1024,
  workerName: 'test:1',
};

/**
 * A local task service on the SQLite store `db` (its results and its accepted tasks), not started. `leaseMs` is
 * WORKER_LOCK_DURATION's part; `results` and `pending` replace the database's stores (a store that refuses).
 */
export function localTaskService(
  db: SqliteDatabase,
  options: Partial<LocalTaskServiceOptions> = {},
  stores: { results?: TaskResultStore; pending?: PendingTaskStore; leaseMs?: number } = {},
): LocalTaskService {
  const logger = createLogger({ level: 'silent' });
  return new LocalTaskService(
    new FinishedTasks(stores.results ?? new SqliteTaskResultStore(db), HOUR),
    new AcceptedTasks(
      stores.pending ?? new SqlitePendingTaskStore(db),
      stores.leaseMs ?? 30_000,
      options.workerName ?? LOCAL_DEFAULTS.workerName,
      logger,
    ),
    { ...LOCAL_DEFAULTS, ...options },
    NOOP_DREDGE_METRICS,
    logger,
  );
}
