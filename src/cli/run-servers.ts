import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { closeGracefully } from '../app/http/close-gracefully.js';
import { createDredgeServer } from '../app/http/dredge-server.js';
import { createMcpServer } from '../app/http/mcp-server.js';
import { openApp } from '../app/open-app.js';
import type { Catalogue } from '../app/operations/index.js';
import type { AppServices } from '../app/services.js';
import { describeSetting, type LoadedConfig } from '../config/index.js';
import { createLogger } from '../services/telemetry/index.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_USAGE, writeLine } from './io.js';
import { listenOrExit } from './listen.js';
import { processCount, reusePortAvailable } from './processes.js';
import { stopOnSignals } from './shutdown.js';
import { superviseServers } from './supervisor.js';

/** One HTTP server a command can start. */
interface ServerKind {
  /** How the other servers' /metrics name it, when it serves the process's metrics. */
  readonly name: string;
  /** The key that sets its port, for the one-line refusal when the port is taken (naming how it was set). */
  readonly portKey: 'DREDGE_SERVER_PORT' | 'MCP_SERVER_PORT';
  readonly port: (config: LoadedConfig['config']) => number;
  /** `metricsServedElsewhere`: the sentence its /metrics answers when another server of the process serves them. */
  readonly create: (
    services: AppServices,
    catalogue: Catalogue,
    metricsServedElsewhere?: string,
  ) => Promise<FastifyInstance>;
  /** The start-up line naming its URL (and /metrics only where this server serves the process's metrics). */
  readonly listening: (url: string, servesMetrics: boolean) => string;
  /** Lines printed after every server's listening line (the dashboard's URL). */
  readonly after?: (url: string) => string;
}

export const DREDGE_SERVER: ServerKind = {
  name: 'DREDGE server',
  portKey: 'DREDGE_SERVER_PORT',
  port: (config) => config.servers.dredgePort,
  create: (services, catalogue, metricsServedElsewhere) =>
    createDredgeServer(
      services,
      catalogue,
      metricsServedElsewhere === undefined ? {} : { metricsServedElsewhere },
    ),
  listening: (url, servesMetrics) =>
    `DREDGE server listening on ${url} (POST /lift, GET /insights${servesMetrics ? ', GET /metrics' : ''})`,
  after: (url) => `Dashboard: ${url}/dashboard`,
};

export const MCP_SERVER: ServerKind = {
  name: 'MCP server',
  portKey: 'MCP_SERVER_PORT',
  port: (config) => config.servers.mcpPort,
  // The MCP server is where a process's metrics are served whenever it runs (see metricsHome), so it never points
  // elsewhere.
  create: (services, catalogue) => createMcpServer(services, catalogue),
  listening: (url, servesMetrics) =>
    `DREDGE MCP server listening on ${url} (POST /mcp: the JSON API and MCP${servesMetrics ? ', GET /metrics' : ''})`,
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
  const count = processCount(loaded.values.PROCESSES);
  if (count > 1 && cluster.isPrimary) {
    refuseEphemeralPorts(ctx, loaded, kinds, count);
    const logger = createLogger({ level: config.telemetry.logLevel, destination: 2 });
    return superviseServers(count, ctx.io, logger);
  }
  if (!cluster.isWorker) return serveInThisProcess(ctx, loaded, serviceName, kinds, false);
  // One of the supervisor's processes: it says it is ready over the IPC channel (the supervisor prints the lines
  // once), and stops on the supervisor's SIGTERM only; a terminal's Ctrl-C reaches the whole process group, and
  // the supervisor turns it into one SIGTERM each. The channel would keep the process alive once it has stopped,
  // or failed to start: it is closed however serving ends.
  process.on('SIGINT', () => undefined);
  try {
    await serveInThisProcess(ctx, loaded, serviceName, kinds, true);
  } finally {
    cluster.worker?.disconnect();
  }
}

async function serveInThisProcess(
  ctx: CliContext,
  loaded: LoadedConfig,
  serviceName: string,
  kinds: readonly ServerKind[],
  supervised: boolean,
): Promise<void> {
  const { config } = loaded;
  const home = metricsHome(kinds);
  const pointer = `This process's metrics are served once, at GET /metrics on its ${home.name} (${home.portKey}), so that no series is counted twice.`;
  // stdout carries the listening lines; log records go to stderr (JSON, or readable lines on a terminal).
  const logger = createLogger({ level: config.telemetry.logLevel, destination: 2 });
  const { services, catalogue } = await openApp(loaded, { serviceName, logger });
  const created: FastifyInstance[] = [];
  const started: { kind: ServerKind; app: FastifyInstance; url: string }[] = [];
  try {
    for (const kind of kinds) {
      const app = await kind.create(services, catalogue, kind === home ? undefined : pointer);
      created.push(app);
      const address = {
        host: config.servers.host,
        port: kind.port(config),
        portKey: kind.portKey,
        reusePort: supervised && reusePortAvailable(),
      };
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
    supervised ? ['SIGTERM'] : ['SIGTERM', 'SIGINT'],
  );
  services.telemetry.serving();
  const lines = [
    ...started.map(({ kind, url }) => kind.listening(url, kind === home)),
    ...started.flatMap(({ kind, url }) => (kind.after ? [kind.after(url)] : [])),
  ];
  if (supervised) process.send?.({ kind: 'dredge:listening', lines });
  else for (const line of lines) writeLine(ctx.io.stdout, line);
  await stopped;
}

/**
 * Port 0 lets each process pick a port of its own, so N processes would listen on N ports, none of them the one
 * printed: several processes need fixed ports. One line naming the port and how it was set, and exit code 2.
 */
function refuseEphemeralPorts(
  ctx: CliContext,
  loaded: LoadedConfig,
  kinds: readonly ServerKind[],
  count: number,
): void {
  const ephemeral = kinds.find((kind) => kind.port(loaded.config) === 0);
  if (ephemeral === undefined) return;
  writeLine(
    ctx.io.stderr,
    `${count} server processes (set by ${describeSetting(loaded, 'PROCESSES')}) need a fixed port to share, ` +
      `but ${ephemeral.portKey} is 0 (set by ${describeSetting(loaded, ephemeral.portKey)}): each process would ` +
      'listen on a port of its own. Name a port, or run one process.',
  );
  throw new CliExit(EXIT_USAGE);
}

/**
 * The server whose /metrics serves the process's one registry; every other server of the process points there
 * (a series served on two ports would be summed twice: request rates, queue depth). The MCP server whenever it
 * runs: the original's metrics lived there, and it is the one `dredge mcp` runs alone. The DREDGE server's
 * dashboard reads the registry in the process, so it shows the same traffic either way.
 */
function metricsHome(kinds: readonly ServerKind[]): ServerKind {
  const home = kinds.includes(MCP_SERVER) ? MCP_SERVER : kinds[0];
  if (home === undefined) throw new Error('runServers needs at least one server');
  return home;
}
