import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { ConfigError } from '../../config/errors.js';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import { capConnectionsPerAddress, deadlineServerOptions } from './connection-limits.js';
import { useDepthCheckedJsonParser } from './json-body-parser.js';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';
import { OperationDoor } from './operation-door.js';
import { openApiPlugin } from './openapi/openapi-plugin.js';
import { authenticationPlugin } from './plugins/authentication.js';
import { routeAccountingPlugin } from './plugins/route-accounting.js';
import { bodyBudgetPlugin } from './plugins/body-budget.js';
import { compressionPlugin } from './plugins/compression.js';
import { corsPlugin } from './plugins/cors.js';
import { errorsPlugin } from './plugins/errors.js';
import { etagsPlugin } from './plugins/etags.js';
import { frameworkErrors } from './plugins/framework-errors.js';
import { hostGuardPlugin } from './plugins/host-guard.js';
import { requestTelemetryPlugin } from './plugins/request-telemetry.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { telemetryEndpointsPlugin } from './plugins/telemetry-endpoints.js';

export interface BaseServerOptions {
  /** The `component` of the server's log lines. */
  readonly component: string;
  /** Path segments longer than this are refused (400) before routing goes further. */
  readonly maxParamLength: number;
  /**
   * Set where another server of this process serves its metrics (`dredge up`): the sentence naming it, which this
   * server's /metrics answers instead of the registry (see telemetryEndpointsPlugin).
   */
  readonly metricsServedElsewhere?: string;
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
 * and the process's MAX_INFLIGHT_BODY_BYTES for bodies received and worked on at once; ETags and 304s for GETs, and
 * compressed answers (COMPRESSION_ENABLED, COMPRESSION_MIN_BYTES).
 */
export async function createBaseServer(
  services: AppServices,
  catalogue: Catalogue,
  options: BaseServerOptions,
): Promise<BaseServer> {
  const { servers } = services.config;
  const app = Fastify({
    // HTTPS only when TLS_CERT_FILE and TLS_KEY_FILE say so; the same deadlines either way.
    ...(servers.tls ? { https: { ...deadlineServerOptions(servers), ...readTls(servers.tls) } } : {}),
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
    // TRUST_PROXY: which balancers' X-Forwarded-For names the client (request.ip), for rate limits and the audit.
    trustProxy: trustedProxies(services.config.security.trustProxy),
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
  // ETags and 304s for GETs; then (COMPRESSION_ENABLED) compression of what is left to send, registered before any
  // route, as it hooks each route when it is declared.
  await app.register(etagsPlugin);
  if (servers.compression.enabled) {
    await app.register(compressionPlugin, { minBytes: servers.compression.minBytes });
  }
  // Before any route: it records each route as it is declared, for /openapi.json and /docs.
  await app.register(openApiPlugin, { catalogue, component: options.component });
  // Telemetry first: a request refused by authentication or the body budget is still timed like any other answer
  // (its span starts once authentication has said who asks: see requestTelemetryPlugin).
  await app.register(requestTelemetryPlugin, {
    telemetry: services.telemetry,
    multiTenant: services.config.security.multiTenant,
  });
  // Then, in order: a request for another host (DNS rebinding) or from a page of another origin is refused; every
  // answer gets the security headers; a configured origin's preflight is answered; then who asks, and may they.
  const { security } = services.config;
  await app.register(hostGuardPlugin, { allowedHosts: hostsAllowed(security) });
  await app.register(securityHeadersPlugin, { hsts: servers.tls !== undefined });
  await app.register(corsPlugin, { origins: security.corsOrigins });
  await app.register(authenticationPlugin, {
    authenticator: services.authenticator,
    audit: services.audit,
  });
  await app.register(routeAccountingPlugin, {
    rateLimits: services.rateLimits,
    audit: services.audit,
  });
  await app.register(bodyBudgetPlugin, {
    budget: services.inflightBodies,
    maxBodyBytes: servers.maxBodyBytes,
  });
  await app.register(telemetryEndpointsPlugin, {
    telemetry: services.telemetry,
    door,
    ...(options.metricsServedElsewhere === undefined
      ? {}
      : { metricsServedElsewhere: options.metricsServedElsewhere }),
  });
  app.server.maxConnections = servers.maxConnections;
  capConnectionsPerAddress(app.server, servers.maxConnectionsPerAddress);
  return { app, door };
}

/** TRUST_PROXY as Fastify's types take it: a hop count (which Fastify also accepts) becomes the function it means. */
function trustedProxies(
  setting: boolean | number | string,
): boolean | string | ((address: string, hop: number) => boolean) {
  if (typeof setting !== 'number') return setting;
  return (_address, hop) => hop < setting;
}

/** ALLOWED_HOSTS, and the hosts of CORS_ORIGINS (a page allowed to call must pass the Origin check too); none: any. */
function hostsAllowed(security: AppServices['config']['security']): string[] {
  if (security.allowedHosts.length === 0) return [];
  return [
    ...security.allowedHosts,
    ...security.corsOrigins.map((origin) => new URL(origin).host.replace(/:\d+$/, '')),
  ];
}

/**
 * The certificate and key files, read at start: one named without the other, or one that cannot be read, is a
 * ConfigError naming its key.
 */
function readTls(tls: { certFile: string | undefined; keyFile: string | undefined }): {
  cert: Buffer;
  key: Buffer;
} {
  const read = (file: string | undefined, key: 'TLS_CERT_FILE' | 'TLS_KEY_FILE'): Buffer => {
    if (file === undefined) {
      const other = key === 'TLS_CERT_FILE' ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE';
      throw new ConfigError(`${other} is set but ${key} is not: set both, or neither.`, key);
    }
    try {
      return readFileSync(file);
    } catch (error) {
      throw new ConfigError(`Cannot read ${key} ${file}: ${(error as Error).message}.`, key);
    }
  };
  return { cert: read(tls.certFile, 'TLS_CERT_FILE'), key: read(tls.keyFile, 'TLS_KEY_FILE') };
}
