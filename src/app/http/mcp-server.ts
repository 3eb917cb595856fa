import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { DredgeError } from '../../services/errors.js';
import type { Catalogue } from '../operations/index.js';
import { PRODUCT } from '../product.js';
import type { AppServices } from '../services.js';
import { registerMcpProtocolRoute } from './mcp-protocol-route.js';
import { registerTaskRoutes } from './task-routes.js';
import { answerOperation } from './operation-door.js';
import { errorsPlugin } from './plugins/errors.js';
import { frameworkErrors } from './plugins/framework-errors.js';
import { telemetryPlugin } from './plugins/telemetry.js';
import { readiness } from './readiness.js';

/** The longest path segment the router reads (task ids are 64 characters at most); longer ones answer 400. */
const MAX_PARAM_LENGTH = 100;

/**
 * The MCP server (MCP_SERVER_PORT, 3002): the original's JSON API — `GET /` (capabilities) and
 * `POST /mcp {operation, params}` — with statuses that mean something; the Model Context Protocol over Streamable
 * HTTP at `POST /mcp/protocol`; queued tasks at `/tasks`; and health, readiness and metrics.
 */
export async function createMcpServer(services: AppServices, catalogue: Catalogue): Promise<FastifyInstance> {
  const { servers } = services.config;
  const app = Fastify({
    loggerInstance: services.logger.child({ component: 'mcp-server' }) as FastifyBaseLogger,
    // One log line per request would cost more than answering a cached request; metrics and traces cover it.
    logController: new LogController({ disableRequestLogging: true }),
    // Every request would otherwise get its own child logger (with the redaction compiled again): the servers'
    // own log lines carry trace ids instead, so requests share the server's logger.
    childLoggerFactory: (logger) => logger,
    bodyLimit: servers.maxBodyBytes,
    return503OnClosing: true,
    requestTimeout: servers.requestTimeoutMs,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: frameworkErrors(MAX_PARAM_LENGTH),
  });
  // JSON only: Fastify's default text/plain parser would accept bodies the API cannot use (415 instead).
  app.removeContentTypeParser('text/plain');
  await app.register(errorsPlugin, { bodyLimit: servers.maxBodyBytes });
  await app.register(telemetryPlugin, { telemetry: services.telemetry });

  app.get('/', (request, reply) =>
    answerOperation(catalogue, services, request, reply, 'list_capabilities', {}),
  );

  app.post('/mcp', (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new DredgeError(
        'invalid_input',
        'The request body must be a JSON object {"operation": …, "params": {…}}.',
      );
    }
    const { operation, params } = body as { operation?: unknown; params?: unknown };
    if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
      throw new DredgeError('invalid_input', 'params must be a JSON object.');
    }
    return answerOperation(catalogue, services, request, reply, operation, params ?? {});
  });

  registerMcpProtocolRoute(app, services, catalogue);
  registerTaskRoutes(app, services, catalogue);

  app.get('/health', () => ({ status: 'healthy', version: PRODUCT.version }));

  app.get('/ready', async (_request, reply) => {
    const report = await readiness(services);
    return reply.code(report.status === 'ready' ? 200 : 503).send(report);
  });

  app.server.maxConnections = servers.maxConnections;
  return app;
}
