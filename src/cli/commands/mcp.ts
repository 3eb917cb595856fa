import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerMcpCommand(program: Command, context: () => CliContext): void {
  program
    .command('mcp')
    .description(
      'start the MCP server: the JSON API and the Model Context Protocol (both POST /mcp) on MCP_SERVER_PORT, or the protocol over stdio',
    )
    .option('--host <address>', 'address to listen on (BIND_HOST)')
    .option('--port <port>', 'port to listen on (MCP_SERVER_PORT)')
    .option(
      '--processes <n>',
      'server processes on the same ports, supervised: 1 to 64, or auto for one per core (PROCESSES)',
    )
    .option('--stdio', 'speak the Model Context Protocol over stdin and stdout instead (for desktop clients)')
    .action(async (options: { host?: string; port?: string; stdio?: boolean; processes?: string }) => {
      const ctx = context();
      const loaded = ctx.loadConfig(
        {
          ...(options.host === undefined ? {} : { BIND_HOST: options.host }),
          ...(options.port === undefined ? {} : { MCP_SERVER_PORT: options.port }),
          ...(options.processes === undefined ? {} : { PROCESSES: options.processes }),
        },
        { BIND_HOST: '--host', MCP_SERVER_PORT: '--port', PROCESSES: '--processes' },
      );
      if (options.stdio) {
        const [{ openApp }, { serveStdio }, { createLogger }] = await Promise.all([
          import('../../app/open-app.js'),
          import('../../app/mcp/stdio.js'),
          import('../../services/telemetry/index.js'),
        ]);
        // stdout carries the protocol: every log line goes to stderr.
        const logger = createLogger({ level: loaded.config.telemetry.logLevel, destination: 2 });
        const { services, catalogue } = await openApp(loaded, { serviceName: 'dredge-mcp', logger });
        await serveStdio(services, catalogue);
        await services.close();
        return;
      }
      const { MCP_SERVER, runServers } = await import('../run-servers.js');
      await runServers(ctx, loaded, 'dredge-mcp', [MCP_SERVER]);
    });
}
