import type { FastifyInstance } from 'fastify';
import { closeGracefully } from '../app/http/close-gracefully.js';
import { createDredgeServer } from '../app/http/dredge-server.js';
import { createMcpServer } from '../app/http/mcp-server.js';
import { openApp } from '../app/open-app.js';
import type { Catalogue } from '../app/operations/index.js';
import type { AppServices } from '../app/services.js';
import type { LoadedConfig } from '../config/index.js';
import { createLogger } from '../services/telemetry/index.js';
import type { CliContext } from './context.js';
import { writeLine } from './io.js';
import { listenOrExit } from './listen.js';
import { stopOnSignals } from './shutdown.js';

/** One HTTP server a command can start. */
interface ServerKind {
  /** The key that sets its port, for the one-line refusal when the port is taken (naming how it was set). */
  readonly portKey: 'DREDGE_SERVER_PORT' | 'MCP_SERVER_PORT';
  readonly port: (config: LoadedConfig['config']) => number;
  readonly create: (services: AppServices, catalogue: Catalogue) => Promise<FastifyInstance>;
  /** The start-up line naming its URL. */
  readonly listening: (url: string) => string;
  /** Lines printed after every server's listening line (the dashboard's URL). */
  readonly after?: (url: string) => string;
}

export const DREDGE_SERVER: ServerKind = {
  portKey: 'DREDGE_SERVER_PORT',
  port: (config) => config.servers.dredgePort,
  create: createDredgeServer,
  listening: (url) => `DREDGE server listening on ${url} (POST /lift, GET /insights, GET /metrics)`,
  after: (url) => `Dashboard: ${url}/dashboard`,
};

export const MCP_SERVER: ServerKind = {
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
  // stdout carries the listening lines; log records go to stderr (JSON, or readable lines on a terminal).
  const logger = createLogger({ level: config.telemetry.logLevel, destination: 2 });
  const { services, catalogue } = await openApp(loaded, { serviceName, logger });
  const created: FastifyInstance[] = [];
  const started: { kind: ServerKind; app: FastifyInstance; url: string }[] = [];
  try {
    for (const kind of kinds) {
      const app = await kind.create(services, catalogue);
      created.push(app);
      const address = { host: config.servers.host, port: kind.port(config), portKey: kind.portKey };
      const url = await listenOrExit(app, address, loaded, ctx.io);
      started.push({ kind, app, url });
    }
  } catch (error) {
    await Promise.all(created.map((app) => app.close()));
    await services.close();
    throw error;
  }
  // The signal handlers are in place before the lines that say the servers are ready, so that a SIGTERM sent on
  // reading them (a script, a test) drains the servers instead of killing the process.
  const stopped = stopOnSignals(
    async () => {
      await Promise.all(started.map(({ app }) => closeGracefully(app)));
      await services.close();
    },
    logger,
    'draining in-flight requests, then stopping',
  );
  services.telemetry.serving();
  for (const { kind, url } of started) writeLine(ctx.io.stdout, kind.listening(url));
  for (const { kind, url } of started) if (kind.after) writeLine(ctx.io.stdout, kind.after(url));
  await stopped;
}
