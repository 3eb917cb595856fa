import type { Command } from 'commander';
import { PRODUCT } from '../../app/product.js';
import { writeLine } from '../io.js';
import type { CliContext } from '../context.js';

export function registerInfoCommand(program: Command, context: () => CliContext): void {
  program
    .command('info')
    .description('what DREDGE is and how it is configured here')
    .option('--json', 'print the same as JSON')
    .action(async (options: { json?: boolean }) => {
      const { redactUrlCredentials } = await import('../../config/redact.js');
      const ctx = context();
      const { config, files } = ctx.loadConfig();
      const info = {
        name: PRODUCT.name,
        version: PRODUCT.version,
        description: PRODUCT.description,
        configuration_files: files,
        data_dir: config.storage.dataDir,
        cache: config.cache.enabled ? config.cache.backend : 'disabled',
        store: config.storage.storeBackend,
        queue: config.storage.queueBackend,
        redis: redactUrlCredentials(config.redis.url),
        ports: {
          dredge: config.servers.dredgePort,
          mcp: config.servers.mcpPort,
          metrics: config.telemetry.metricsPort,
        },
        device: config.compute.device,
        worker_threads: config.workers.threads,
        log_level: config.telemetry.logLevel,
      };
      if (options.json) {
        writeLine(ctx.io.stdout, JSON.stringify(info, null, 2));
        return;
      }
      const { stdout } = ctx.io;
      writeLine(stdout, `${info.name} ${info.version}`);
      writeLine(stdout, info.description);
      writeLine(stdout);
      writeLine(
        stdout,
        `configuration   ${files.length ? files.join(', ') : 'built-in defaults and environment'}`,
      );
      writeLine(stdout, `data directory  ${info.data_dir}`);
      writeLine(stdout, `cache           ${info.cache}`);
      writeLine(stdout, `store           ${info.store}`);
      writeLine(stdout, `queue           ${info.queue}`);
      writeLine(stdout, `redis           ${info.redis}`);
      writeLine(
        stdout,
        `ports           dredge ${info.ports.dredge}, mcp ${info.ports.mcp}, metrics ${info.ports.metrics}`,
      );
      writeLine(stdout, `device          ${info.device}`);
      writeLine(stdout, `worker threads  ${info.worker_threads}`);
      writeLine(stdout, `log level       ${info.log_level}`);
    });
}
