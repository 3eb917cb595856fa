import type { FastifyInstance } from 'fastify';
import { DredgeError } from '../../services/errors.js';
import type { Catalogue } from '../operations/index.js';
import { PRODUCT } from '../product.js';
import type { AppServices } from '../services.js';
import { registerMcpProtocolRoute } from './mcp-protocol-route.js';
import { registerTaskRoutes } from './task-routes.js';
import { answerOperation } from './operation-door.js';
import { createBaseServer } from './base-server.js';
import { readiness } from './readiness.js';

/** The longest path segment the router reads (task ids are 64 characters at most); longer ones answer 400. */
const MAX_PARAM_LENGTH = 100;

/**
 * The MCP server (MCP_SERVER_PORT, 3002): the original's JSON API — `GET /` (capabilities) and
 * `POST /mcp {operation, params}` — with statuses that mean something; the Model Context Protocol over Streamable
 * HTTP at `POST /mcp/protocol`; queued tasks at `/tasks`; and health, readiness and metrics.
 */
export async function createMcpServer(services: AppServices, catalogue: Catalogue): Promise<FastifyInstance> {
  const app = await createBaseServer(services, { component: 'mcp-server', maxParamLength: MAX_PARAM_LENGTH });

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

  return app;
}
