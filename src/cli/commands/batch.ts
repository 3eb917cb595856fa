import type { Command } from 'commander';
import { MAX_TASK_FILE_BYTES } from '../../app/batch/batch-task.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_USAGE, writeLine } from '../io.js';
import {
  BatchUsageError,
  DEFAULT_BATCH_SEED,
  DEFAULT_BATCH_TASKS,
  DEFAULT_BATCH_WORKERS,
  MAX_BATCH_WORKERS,
  parseBatchOptions,
  type BatchOptions,
  type RawBatchOptions,
} from './batch-options.js';

export function registerBatchCommand(program: Command, context: () => CliContext): void {
  program
    .command('batch')
    .description(
      "the batch pipeline and load tester: run the original's unified_inference mix (or a task file) with W concurrent workers, in this process, through the queue or against a server, and report throughput and latency",
    )
    .option('--tasks <n>', `how many generated tasks, 1 to 1,000,000 (default ${DEFAULT_BATCH_TASKS})`)
    .option(
      '--workers <w>',
      `tasks run at once, 1 to ${MAX_BATCH_WORKERS} (default ${DEFAULT_BATCH_WORKERS})`,
    )
    .option('--no-cache', 'no result cache in this process, and no repeated tasks in the generated mix')
    .option(
      '--distributed',
      'run the tasks through the task queue (QUEUE_BACKEND; bullmq: on `dredge worker` processes)',
    )
    .option(
      '--url <url>',
      'run the tasks against a running server, POST <url>/mcp (keep-alive; API_KEY is sent)',
    )
    .option('--ca <file>', "PEM certificate authority to trust for an https:// --url (besides the system's)")
    .option(
      '--file <path>',
      `tasks from a JSON array or JSON Lines file of {"operation", "params"} (at most 1,000,000 tasks, ${MAX_TASK_FILE_BYTES / 1024 / 1024} MiB)`,
    )
    .option('--json', 'print the report as one JSON document (schema in the README)')
    .option('--seed <s>', `seed of the generated coordinates (default ${DEFAULT_BATCH_SEED})`)
    .addHelpText(
      'after',
      '\nExit codes: 0 every task succeeded, 1 some failed (or the server could not be reached), 2 bad options or task file, 130 stopped by Ctrl-C (the report covers the tasks that ended).',
    )
    .action(async (raw: RawBatchOptions) => {
      const ctx = context();
      let options: BatchOptions;
      try {
        options = parseBatchOptions(raw);
      } catch (error) {
        if (!(error instanceof BatchUsageError)) throw error;
        writeLine(ctx.io.stderr, error.message);
        throw new CliExit(EXIT_USAGE);
      }
      // The pipeline, its runners and the services load only when a batch runs.
      const { runBatchCommand } = await import('./batch-run.js');
      await runBatchCommand(ctx, options);
    });
}
