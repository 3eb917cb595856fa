import type { FastifyInstance } from 'fastify';
import { DredgeError } from '../../services/errors.js';
import { McpHttpDoor } from '../mcp/http-door.js';
import { MCP_PATH, isJsonRpcBody, registerMcpProtocolRoutes } from '../mcp/http-route.js';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import { createBaseServer } from './base-server.js';
import { registerBundleRoutes } from './bundle-routes.js';
import { probesPlugin, serverProbes } from './plugins/probes.js';
import { OPERATION_BODY, isJsonObject, requireObjectBody } from './request-input.js';
import { registerTaskRoutes } from './task-routes.js';

/** The longest path segment the router reads (task ids are 64 characters at most); longer ones answer 400. */
const MAX_PARAM_LENGTH = 100;

/**
 * The MCP server (MCP_SERVER_PORT, 3002): one endpoint, `POST /mcp`, answers both the original's JSON API
 * (`{operation, params}`, with statuses that mean something) and the Model Context Protocol over Streamable HTTP
 * (a JSON-RPC body), told apart by the parsed body's shape (`isJsonRpcBody`), so both go through the same
 * authentication, host guard, rate limits and body limits; `POST /mcp/protocol` is the protocol's alias. Also
 * `GET /` (capabilities), queued tasks at `/tasks`, and health, readiness and metrics.
 */
export async function createMcpServer(services: AppServices, catalogue: Catalogue): Promise<FastifyInstance> {
  const { app, door } = await createBaseServer(services, catalogue, {
    component: 'mcp-server',
    maxParamLength: MAX_PARAM_LENGTH,
  });
  await app.register(probesPlugin, serverProbes(services));

  app.get('/', (request, reply) => door.answer(request, reply, 'list_capabilities', {}));

  const protocol = new McpHttpDoor(services, catalogue);
  app.post(MCP_PATH, (request, reply) => {
    if (isJsonRpcBody(request.body)) return protocol.answer(request, reply);
    const { operation, params } = requireObjectBody(request.body, OPERATION_BODY);
    if (params !== undefined && params !== null && !isJsonObject(params)) {
      throw new DredgeError('invalid_input', 'params must be a JSON object.');
    }
    return door.answer(request, reply, operation, params ?? {});
  });

  registerMcpProtocolRoutes(app, protocol);
  registerTaskRoutes(app, door);
  await registerBundleRoutes(app, door, services.config.compute.maxBundleBytes);

  return app;
}
