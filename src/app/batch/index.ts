export { MAX_BATCH_TASKS, MAX_TASK_FILE_BYTES, type BatchTask, type TaskList } from './batch-task.js';
export type {
  BatchMode,
  BatchRunner,
  ServerSnapshot,
  BatchTaskFailure,
  BatchTaskOutcome,
} from './batch-runner.js';
export { GeneratedTasks, generateTasks, GENERATED_INSIGHTS, REPEAT_EVERY } from './generate-tasks.js';
export { parseTasks } from './parse-tasks.js';
export { readTaskFile } from './task-file.js';
export { TaskFileError } from './task-file-error.js';
export { InProcessRunner, openInProcessRunner } from './in-process-runner.js';
export { HttpRunner } from './http-runner.js';
export { DistributedRunner, openDistributedRunner } from './distributed-runner.js';
export { runBatch, type BatchRun, type RunBatchOptions } from './run-batch.js';
export { percentile, summarizeLatencies, PERCENTILE_METHOD, type LatencySummary } from './statistics.js';
export { buildReport, type BatchReport, type ReportSettings, type TaskSource } from './report.js';
export { formatReport, formatMs } from './format-report.js';
