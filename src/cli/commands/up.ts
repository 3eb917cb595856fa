import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerUpCommand(program: Command, context: () => CliContext): void {
  program
    .command('up')
    .description(
      'start the DREDGE server (DREDGE_SERVER_PORT) and the MCP server (MCP_SERVER_PORT) in one process, sharing its services',
    )
    .option('--host <address>', 'address both servers listen on (BIND_HOST)')
    .option('--port <port>', 'port of the DREDGE server (DREDGE_SERVER_PORT)')
    .option('--mcp-port <port>', 'port of the MCP server (MCP_SERVER_PORT)')
    .option(
      '--processes <n>',
      'server processes on the same ports, supervised: 1 to 64, or auto for one per core (PROCESSES)',
    )
    .action(async (options: { host?: string; port?: string; mcpPort?: string; processes?: string }) => {
      const ctx = context();
      const loaded = ctx.loadConfig(
        {
          ...(options.host === undefined ? {} : { BIND_HOST: options.host }),
          ...(options.port === undefined ? {} : { DREDGE_SERVER_PORT: options.port }),
          ...(options.mcpPort === undefined ? {} : { MCP_SERVER_PORT: options.mcpPort }),
          ...(options.processes === undefined ? {} : { PROCESSES: options.processes }),
        },
        {
          BIND_HOST: '--host',
          DREDGE_SERVER_PORT: '--port',
          MCP_SERVER_PORT: '--mcp-port',
          PROCESSES: '--processes',
        },
      );
      // One set of services: both servers share the cache, the store, the worker threads and the metrics, so the
      // dashboard shows the MCP server's traffic too.
      // The servers and their services load only when a server starts.
      const { DREDGE_SERVER, MCP_SERVER, runServers } = await import('../run-servers.js');
      await runServers(ctx, loaded, 'dredge', [DREDGE_SERVER, MCP_SERVER]);
    });
}
