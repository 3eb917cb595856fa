export { createTaskService } from './create-task-service.js';
export { FinishedTasks } from './finished-tasks.js';
export type { TaskExecutor, TaskJob, TaskProgress } from './task-job.js';
export type {
  QueueStats,
  SubmitOptions,
  TaskFailure,
  TaskService,
  TaskState,
  TaskView,
} from './task-service.js';
