export { ResultTable } from './result-table.js';
export { TaskQueue } from './task-queue.js';
export { Worker } from './worker.js';
export { WorkerPool, type PoolStats, type WorkerPoolOptions } from './worker-pool.js';
export type { TaskExecutor, TaskRecord, TaskStatus } from './task.js';
