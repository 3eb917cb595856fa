import type { FastifyInstance } from 'fastify';
import { createAppServices } from '../app/create-services.js';
import { createDredgeServer } from '../app/http/dredge-server.js';
import { createMcpServer } from '../app/http/mcp-server.js';
import { createCatalogue, type Catalogue } from '../app/operations/index.js';
import { closeOnSignals, type RunningServer } from '../app/run-server.js';
import type { AppServices } from '../app/services.js';
import type { LoadedConfig } from '../config/index.js';
import { createLogger } from '../services/telemetry/index.js';
import type { CliContext } from './context.js';
import { writeLine } from './io.js';
import { listenOrExit } from './listen.js';

/** One HTTP server a command can start. */
interface ServerKind {
  readonly name: string;
  /** The key that sets its port, for the one-line refusal when the port is taken. */
  readonly portKey: 'DREDGE_SERVER_PORT' | 'MCP_SERVER_PORT';
  readonly port: (config: LoadedConfig['config']) => number;
  readonly create: (services: AppServices, catalogue: Catalogue) => Promise<FastifyInstance>;
  /** The start-up line naming its URL. */
  readonly listening: (url: string) => string;
  /** Lines printed after every server's listening line (the dashboard's URL). */
  readonly after?: (url: string) => string;
}

export const DREDGE_SERVER: ServerKind = {
  name: 'dredge',
  portKey: 'DREDGE_SERVER_PORT',
  port: (config) => config.servers.dredgePort,
  create: createDredgeServer,
  listening: (url) => `DREDGE server listening on ${url} (POST /lift, GET /insights, GET /metrics)`,
  after: (url) => `Dashboard: ${url}/dashboard`,
};

export const MCP_SERVER: ServerKind = {
  name: 'mcp',
  portKey: 'MCP_SERVER_PORT',
  port: (config) => config.servers.mcpPort,
  create: createMcpServer,
  listening: (url) => `DREDGE MCP server listening on ${url} (POST /mcp, POST /mcp/protocol, GET /metrics)`,
};

/**
 * What `dredge serve`, `dredge mcp` and `dredge up` do: start the given servers in this process on one set of
 * services (so they share the cache, the store, the worker threads and the metrics), print where they listen,
 * and run until SIGTERM or SIGINT drains them. A port that is taken stops start-up whole, with one line: nothing
 * is left listening and the services are released.
 */
export async function runServers(
  ctx: CliContext,
  loaded: LoadedConfig,
  serviceName: string,
  kinds: readonly ServerKind[],
): Promise<void> {
  const { config } = loaded;
  const logger = createLogger({ level: config.telemetry.logLevel });
  const services = await createAppServices(loaded, { serviceName, logger });
  const catalogue = createCatalogue();
  const created: FastifyInstance[] = [];
  const started: { kind: ServerKind; server: RunningServer }[] = [];
  try {
    for (const kind of kinds) {
      const app = await kind.create(services, catalogue);
      created.push(app);
      const address = { host: config.servers.host, port: kind.port(config), key: kind.portKey };
      const url = await listenOrExit(app, address, ctx.io);
      started.push({ kind, server: { name: kind.name, app, url } });
    }
  } catch (error) {
    await Promise.all(created.map((app) => app.close()));
    await services.close();
    throw error;
  }
  for (const { kind, server } of started) writeLine(ctx.io.stdout, kind.listening(server.url));
  for (const { kind, server } of started) if (kind.after) writeLine(ctx.io.stdout, kind.after(server.url));
  const servers = started.map(({ server }) => server);
  await closeOnSignals(servers, () => services.close(), logger);
}
