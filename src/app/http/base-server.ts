import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import { capConnectionsPerAddress, deadlineServerOptions } from './connection-limits.js';
import { useDepthCheckedJsonParser } from './json-body-parser.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import { OperationDoor } from './operation-door.js';
import { bodyBudgetPlugin } from './plugins/body-budget.js';
import { errorsPlugin } from './plugins/errors.js';
import { frameworkErrors } from './plugins/framework-errors.js';
import { requestTelemetryPlugin } from './plugins/request-telemetry.js';
import { telemetryEndpointsPlugin } from './plugins/telemetry-endpoints.js';

export interface BaseServerOptions {
  /** The `component` of the server's log lines. */
  readonly component: string;
  /** Path segments longer than this are refused (400) before routing goes further. */
  readonly maxParamLength: number;
}

export interface BaseServer {
  readonly app: FastifyInstance;
  /** The server's way into the catalogue, bound once to its services and catalogue, for its routes to answer through. */
  readonly door: OperationDoor;
}

/**
 * What every DREDGE HTTP server shares: JSON bodies only (with MAX_BODY_BYTES, MAX_JSON_DEPTH and
 * prototype-poisoning refused), the error plugin's answers, metrics and traces per request (with /metrics and
 * /traces), a 503 for requests that arrive while it closes, and the connection limits: MAX_CONNECTIONS,
 * MAX_CONNECTIONS_PER_ADDRESS, HEADERS_TIMEOUT, REQUEST_TIMEOUT (receiving a request) and KEEP_ALIVE_TIMEOUT,
 * and the process's MAX_INFLIGHT_BODY_BYTES for bodies received and worked on at once.
 */
export async function createBaseServer(
  services: AppServices,
  catalogue: Catalogue,
  options: BaseServerOptions,
): Promise<BaseServer> {
  const { servers } = services.config;
  const app = Fastify({
    loggerInstance: services.logger.child({ component: options.component }) as FastifyBaseLogger,
    // One log line per request would cost more than answering a cached request; metrics and traces cover it.
    logController: new LogController({ disableRequestLogging: true }),
    // Every request would otherwise get its own child logger (with the redaction compiled again): the servers'
    // own log lines carry trace ids instead, so requests share the server's logger.
    childLoggerFactory: (logger) => logger,
    bodyLimit: servers.maxBodyBytes,
    return503OnClosing: true,
    requestTimeout: servers.requestTimeoutMs,
    keepAliveTimeout: servers.keepAliveTimeoutMs,
    // HEADERS_TIMEOUT, REQUEST_TIMEOUT and how often Node.js looks for connections past them.
    http: deadlineServerOptions(servers),
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: options.maxParamLength },
    frameworkErrors: frameworkErrors(options.maxParamLength),
    schemaController: { compilersFactory: lazySchemaCompilers },
  });
  // JSON only: Fastify's default text/plain parser would accept bodies no route can use (415 instead).
  app.removeContentTypeParser('text/plain');
  useDepthCheckedJsonParser(app, servers.maxBodyBytes);
  const door = new OperationDoor(services, catalogue);
  await app.register(errorsPlugin, { bodyLimit: servers.maxBodyBytes });
  // Telemetry first: a request the body budget refuses is still timed and traced like any other answer.
  await app.register(requestTelemetryPlugin, { telemetry: services.telemetry });
  await app.register(bodyBudgetPlugin, {
    budget: services.inflightBodies,
    maxBodyBytes: servers.maxBodyBytes,
  });
  await app.register(telemetryEndpointsPlugin, { telemetry: services.telemetry, door });
  app.server.maxConnections = servers.maxConnections;
  capConnectionsPerAddress(app.server, servers.maxConnectionsPerAddress);
  return { app, door };
}
