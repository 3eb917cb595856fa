import {
  buildReport,
  formatReport,
  GeneratedTasks,
  HttpRunner,
  openDistributedRunner,
  openInProcessRunner,
  readTaskFile,
  runBatch,
  TaskFileError,
  type BatchRunner,
  type TaskList,
  type TaskSource,
} from '../../app/batch/index.js';
import { readFileSync } from 'node:fs';
import { createCatalogue } from '../../app/operations/index.js';
import type { LoadedConfig } from '../../config/index.js';
import { createLogger, type Logger } from '../../services/telemetry/index.js';
import type { CliContext } from '../context.js';
import { catchInterrupts } from '../interrupts.js';
import { CliExit, EXIT_USAGE, writeLine } from '../io.js';
import { startProgressBar } from '../progress-bar.js';
import type { BatchOptions } from './batch-options.js';

/** After the first Ctrl-C, tasks in flight get this long to end before they are abandoned. */
const STOP_GRACE_MS = 10_000;
/** The exit code of a run stopped by Ctrl-C (128 + SIGINT), as shells expect. */
const EXIT_INTERRUPTED = 130;

/** What `dredge batch` does once its options are valid: load the tasks, run them, print the report. */
export async function runBatchCommand(ctx: CliContext, options: BatchOptions): Promise<void> {
  const inProcess = options.target.kind === 'in-process';
  // --no-cache can switch off only this process's cache (which QUEUE_BACKEND=local tasks use too); a server or
  // `dredge worker` processes keep their own setting.
  const loaded = ctx.loadConfig(
    options.target.kind !== 'http' && !options.cache ? { CACHE_ENABLED: 'false' } : {},
  );
  const { tasks, source } = await loadTasks(ctx, options);
  // stdout carries the report: log lines go to stderr.
  const logger = createLogger({ level: loaded.config.telemetry.logLevel, destination: 2 });
  const runner = await openRunner(ctx, options, loaded, logger);
  const { io } = ctx;
  const interrupts = catchInterrupts(() =>
    writeLine(
      io.stderr,
      `\nStopping: no new tasks; waiting up to ${STOP_GRACE_MS / 1000} s for those in flight (Ctrl-C again to abandon them).`,
    ),
  );
  try {
    if (!options.json) {
      writeLine(
        io.stdout,
        `DREDGE batch: ${tasks.length} tasks, ${options.workers} ${options.workers === 1 ? 'worker' : 'workers'}, ${runner.mode} (${runner.target})`,
      );
    }
    const bar = startProgressBar(io.stderr, tasks.length, ctx.spinnerEnabled);
    const run = await runBatch(tasks, runner, {
      workers: options.workers,
      stop: interrupts.stop,
      abandon: interrupts.abandon,
      stopGraceMs: STOP_GRACE_MS,
      onTaskDone: (done, failed) => bar.update(done, failed),
    });
    bar.stop();
    const server = await runner.serverSnapshot();
    const report = buildReport(
      run,
      {
        mode: runner.mode,
        target: runner.target,
        workers: options.workers,
        cache: inProcess ? (loaded.config.cache.enabled ? 'on' : 'off') : 'server',
        source,
      },
      server,
    );
    if (options.json) writeLine(io.stdout, JSON.stringify(report, null, 2));
    else for (const line of formatReport(report)) writeLine(io.stdout, line);
    if (report.interrupted) throw new CliExit(EXIT_INTERRUPTED);
    if (report.failed > 0) throw new CliExit(1);
  } finally {
    interrupts.dispose();
    await runner.close();
  }
}

async function loadTasks(
  ctx: CliContext,
  options: BatchOptions,
): Promise<{ tasks: TaskList; source: TaskSource }> {
  const spec = options.tasks;
  if (spec.kind === 'generated') {
    return {
      tasks: new GeneratedTasks(spec.count, { repeats: options.cache, seed: spec.seed }),
      source: { kind: 'generated', seed: spec.seed, repeats: options.cache },
    };
  }
  try {
    const tasks = await readTaskFile(spec.path, { knownOperations: new Set(createCatalogue().names) });
    return { tasks, source: { kind: 'file', path: spec.path } };
  } catch (error) {
    if (!(error instanceof TaskFileError)) throw error;
    writeLine(ctx.io.stderr, `Bad task file: ${error.message}`);
    throw new CliExit(EXIT_USAGE);
  }
}

async function openRunner(
  ctx: CliContext,
  options: BatchOptions,
  loaded: LoadedConfig,
  logger: Logger,
): Promise<BatchRunner> {
  const target = options.target;
  const timeoutMs = loaded.config.batch.timeoutMs;
  switch (target.kind) {
    case 'in-process':
      return openInProcessRunner(loaded, logger);
    case 'http': {
      const runner = new HttpRunner(target.url, options.workers, timeoutMs, {
        ...(loaded.config.security.apiKey === undefined ? {} : { apiKey: loaded.config.security.apiKey }),
        ...(target.caFile === undefined ? {} : { ca: readCa(target.caFile, ctx) }),
      });
      try {
        await runner.checkReachable();
      } catch (error) {
        await runner.close();
        writeLine(ctx.io.stderr, error instanceof Error ? error.message : String(error));
        throw new CliExit(1);
      }
      return runner;
    }
    case 'distributed':
      return openDistributedRunner(loaded, logger);
  }
}

/** The --ca file's certificates; one that cannot be read is one line on stderr and exit code 2. */
function readCa(file: string, ctx: CliContext): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    writeLine(ctx.io.stderr, `Cannot read --ca ${file}: ${(error as Error).message}.`);
    throw new CliExit(EXIT_USAGE);
  }
}
