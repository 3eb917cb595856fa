export type { BullmqTaskWorker } from './bullmq/bullmq-task-worker.js';
export { createTaskService, type TaskQueueConfig } from './create-task-service.js';
export { createTaskWorker } from './create-task-worker.js';
export type { TaskExecutor, TaskJob, TaskProgress } from './task-job.js';
export {
  isFinished,
  type QueueStats,
  type SubmitOptions,
  type TaskFailure,
  type TaskService,
  type TaskState,
  type TaskView,
} from './task-service.js';
