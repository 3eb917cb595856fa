import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerServeCommand(program: Command, context: () => CliContext): void {
  program
    .command('serve')
    .description(
      'start the DREDGE server on DREDGE_SERVER_PORT: POST /lift, /insights, the dashboard (/dashboard), /metrics',
    )
    .option('--host <address>', 'address to listen on (BIND_HOST)')
    .option('--port <port>', 'port to listen on (DREDGE_SERVER_PORT)')
    .option(
      '--processes <n>',
      'server processes on the same ports, supervised: 1 to 64, or auto for one per core (PROCESSES)',
    )
    .action(async (options: { host?: string; port?: string; processes?: string }) => {
      const ctx = context();
      const loaded = ctx.loadConfig(
        {
          ...(options.host === undefined ? {} : { BIND_HOST: options.host }),
          ...(options.port === undefined ? {} : { DREDGE_SERVER_PORT: options.port }),
          ...(options.processes === undefined ? {} : { PROCESSES: options.processes }),
        },
        { BIND_HOST: '--host', DREDGE_SERVER_PORT: '--port', PROCESSES: '--processes' },
      );
      // The servers and their services load only when a server starts.
      const { DREDGE_SERVER, runServers } = await import('../run-servers.js');
      await runServers(ctx, loaded, 'dredge-api', [DREDGE_SERVER]);
    });
}
