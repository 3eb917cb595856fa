import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { createAppServices } from '../../app/create-services.js';
import { createDredgeServer } from '../../app/http/dredge-server.js';
import { createMcpServer } from '../../app/http/mcp-server.js';
import { createCatalogue } from '../../app/operations/index.js';
import { closeOnSignals, type RunningServer } from '../../app/run-server.js';
import { createLogger } from '../../services/telemetry/index.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../io.js';
import { listenOrExit } from '../listen.js';

export function registerUpCommand(program: Command, context: () => CliContext): void {
  program
    .command('up')
    .description(
      'start the DREDGE server (DREDGE_SERVER_PORT) and the MCP server (MCP_SERVER_PORT) in one process, sharing its services',
    )
    .option('--host <address>', 'address both servers listen on (BIND_HOST)')
    .option('--port <port>', 'port of the DREDGE server (DREDGE_SERVER_PORT)')
    .option('--mcp-port <port>', 'port of the MCP server (MCP_SERVER_PORT)')
    .action(async (options: { host?: string; port?: string; mcpPort?: string }) => {
      const ctx = context();
      const loaded = ctx.loadConfig({
        ...(options.host === undefined ? {} : { BIND_HOST: options.host }),
        ...(options.port === undefined ? {} : { DREDGE_SERVER_PORT: options.port }),
        ...(options.mcpPort === undefined ? {} : { MCP_SERVER_PORT: options.mcpPort }),
      });
      const { servers: addresses } = loaded.config;
      const logger = createLogger({ level: loaded.config.telemetry.logLevel });
      // One set of services: both servers share the cache, the store, the worker threads and the metrics, so the
      // dashboard shows the MCP server's traffic too.
      const services = await createAppServices(loaded, { serviceName: 'dredge', logger });
      const catalogue = createCatalogue();
      const servers = [
        { name: 'dredge', key: 'DREDGE_SERVER_PORT', port: addresses.dredgePort, create: createDredgeServer },
        { name: 'mcp', key: 'MCP_SERVER_PORT', port: addresses.mcpPort, create: createMcpServer },
      ] as const;
      const created: FastifyInstance[] = [];
      const running: RunningServer[] = [];
      try {
        for (const { name, key, port, create } of servers) {
          const app = await create(services, catalogue);
          created.push(app);
          running.push({
            name,
            app,
            url: await listenOrExit(app, { host: addresses.host, port, key }, ctx.io),
          });
        }
      } catch (error) {
        // A port in use stops start-up whole: nothing is left listening, and the services are released.
        await Promise.all(created.map((app) => app.close()));
        await services.close();
        throw error;
      }
      const [dredge, mcp] = running as [RunningServer, RunningServer];
      writeLine(
        ctx.io.stdout,
        `DREDGE server listening on ${dredge.url} (POST /lift, GET /insights, GET /metrics)`,
      );
      writeLine(
        ctx.io.stdout,
        `DREDGE MCP server listening on ${mcp.url} (POST /mcp, POST /mcp/protocol, GET /metrics)`,
      );
      writeLine(ctx.io.stdout, `Dashboard: ${dredge.url}/dashboard`);
      await closeOnSignals(running, () => services.close(), logger);
    });
}
