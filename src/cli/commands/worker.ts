import type { Command } from 'commander';
import type { RunningWorker } from '../../app/tasks/start-worker.js';
import type { CliContext } from '../context.js';
import { CliExit, writeLine } from '../io.js';

export function registerWorkerCommand(program: Command, context: () => CliContext): void {
  program
    .command('worker')
    .description(
      'run queued tasks from the BullMQ queue on Redis (QUEUE_BACKEND=bullmq); serves /health, /metrics and /traces on METRICS_PORT',
    )
    .option('--concurrency <n>', 'tasks run at once (WORKER_CONCURRENCY, 1 to 256)')
    .option('--host <address>', 'address of the status server (BIND_HOST)')
    .option(
      '--metrics-port <port>',
      'port of /health, /metrics and /traces (METRICS_PORT; 0 picks a free one)',
    )
    .action(async (options: { concurrency?: string; host?: string; metricsPort?: string }) => {
      const ctx = context();
      const loaded = ctx.loadConfig(
        {
          ...(options.concurrency === undefined ? {} : { WORKER_CONCURRENCY: options.concurrency }),
          ...(options.host === undefined ? {} : { BIND_HOST: options.host }),
          ...(options.metricsPort === undefined ? {} : { METRICS_PORT: options.metricsPort }),
        },
        { WORKER_CONCURRENCY: '--concurrency', BIND_HOST: '--host', METRICS_PORT: '--metrics-port' },
      );
      // BullMQ, the services and the status server load only when a worker starts.
      const [{ startWorker }, { DredgeError }, { createLogger }, { listenOrExit }, { stopOnSignals }] =
        await Promise.all([
          import('../../app/tasks/start-worker.js'),
          import('../../services/errors.js'),
          import('../../services/telemetry/index.js'),
          import('../listen.js'),
          import('../shutdown.js'),
        ]);
      // stdout carries the started line; log records go to stderr.
      const logger = createLogger({ level: loaded.config.telemetry.logLevel, destination: 2 });
      let worker: RunningWorker;
      try {
        worker = await startWorker(loaded, logger, (app) =>
          listenOrExit(
            app,
            {
              host: loaded.config.servers.host,
              port: loaded.config.telemetry.metricsPort,
              portKey: 'METRICS_PORT',
            },
            loaded,
            ctx.io,
          ),
        );
      } catch (error) {
        if (!(error instanceof DredgeError)) throw error;
        writeLine(ctx.io.stderr, error.message);
        throw new CliExit(2);
      }
      // Closing a worker finishes the tasks it runs, then closes its status server and releases everything. The
      // handlers are in place before the line that says it has started (see runServers).
      const stopped = stopOnSignals(() => worker.close(), logger, 'finishing running tasks, then stopping');
      writeLine(
        ctx.io.stdout,
        `DREDGE worker ${worker.name} taking tasks from queue ${worker.queueName} (concurrency ${worker.concurrency}); status on ${worker.statusUrl}/health`,
      );
      await stopped;
    });
}
