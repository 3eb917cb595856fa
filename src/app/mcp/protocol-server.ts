import { Server, type Tool } from '@modelcontextprotocol/server';
import { DredgeError } from '../../services/errors.js';
import { requestContext } from '../operations/request-context.js';
import type { Catalogue } from '../operations/index.js';
import { PRODUCT } from '../product.js';
import type { AppServices } from '../services.js';
import type { ProtocolFacts } from './protocol-facts.js';
import { RESOURCES, readResource } from './resources.js';
import { TASKS_EXTENSION, registerTaskMethods } from './tasks-extension.js';
import { callTool } from './tool-call.js';
import { protocolError } from './tool-results.js';

/**
 * How long a client may keep the lists and the server's description before asking again (protocol revision
 * 2026-07-28's cache hints). They change only with a new version of DREDGE, and are the same for every caller (the
 * tool list names every tool; scopes are checked on the call), so they are `public`: a shared cache may keep them.
 */
const LIST_CACHE_HINT = { ttlMs: 10 * 60 * 1000, cacheScope: 'public' } as const;

/**
 * The Model Context Protocol face of DREDGE, generated from the catalogue, for one exchange (an HTTP request) or
 * one connection (stdio) with `facts`: every operation is a tool, run by the same `runOperation` as the JSON API,
 * the models, metrics and cache statistics are resources, and long calls can be tasks (the Tasks extension). The
 * same instance serves the 2026-07-28 revision and the 2025 ones; the SDK's entry (`createMcpHandler`,
 * `serveStdio`) decides which for each exchange.
 *
 * The low-level `Server` is used rather than `McpServer` so that arguments are validated once, by the catalogue,
 * with its sentences, instead of a second time by the SDK with zod's, and so that the tool list is the
 * catalogue's own.
 */
export function createProtocolServer(
  services: AppServices,
  catalogue: Catalogue,
  tools: readonly Tool[],
  facts: ProtocolFacts,
): Server {
  const server = new Server(
    { name: 'dredge', version: PRODUCT.version },
    {
      capabilities: { tools: {}, resources: {}, extensions: { [TASKS_EXTENSION]: {} } },
      instructions:
        'DREDGE computes string-theory quantities and serves Quasimoto wave models and a string-theory network. ' +
        'Load a model with load_model, then call inference, train or get_parameters with its model_id.',
      cacheHints: {
        'server/discover': LIST_CACHE_HINT,
        'tools/list': LIST_CACHE_HINT,
        'resources/list': LIST_CACHE_HINT,
      },
    },
  );

  server.setRequestHandler('tools/list', () => ({ tools: [...tools] }));

  server.setRequestHandler('tools/call', (request, ctx) =>
    callTool(request, ctx, services, catalogue, facts),
  );

  server.setRequestHandler('resources/list', () => ({ resources: [...RESOURCES] }));

  server.setRequestHandler('resources/read', async (request, ctx) => {
    const context = requestContext(services, { ...facts, signal: ctx.mcpReq.signal });
    try {
      return await readResource(request.params.uri, catalogue, context);
    } catch (error) {
      if (error instanceof DredgeError) throw protocolError(error);
      throw error;
    }
  });

  registerTaskMethods(server, services, catalogue, facts);
  return server;
}
