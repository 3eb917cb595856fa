import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { DredgeError, errorBody } from '../../services/errors.js';
import { ROOT_CONTEXT, type TraceContext } from '../../services/telemetry/index.js';
import { tooDeepError, valueTooDeep } from '../json-depth.js';
import { requestContext } from '../operations/request-context.js';
import type { Principal } from '../security/principal.js';
import { runOperation, type Catalogue } from '../operations/index.js';
import { PRODUCT } from '../product.js';
import type { AppServices } from '../services.js';
import { RESOURCES, readResource } from './resources.js';

/**
 * The Model Context Protocol face of DREDGE, generated from the catalogue: every operation is a tool, run by the
 * same `runOperation` as the JSON API (so validation, metrics, tracing and caching are the JSON API's), and the
 * models, metrics and cache statistics are resources. Input that fails validation is a JSON-RPC "invalid params"
 * error; any other failure of a tool is a tool result with `isError` and the JSON API's error body.
 *
 * The low-level `Server` is used rather than `McpServer` so that arguments are validated once, by the catalogue,
 * with its sentences, instead of a second time by the SDK with zod's.
 */
export function createProtocolServer(
  services: AppServices,
  catalogue: Catalogue,
  tools: readonly Tool[],
  principal: Principal,
  /** Who is on the other end (see RequestFacts.client): the HTTP client's address, or `stdio`. */
  client: string,
  trace: TraceContext = ROOT_CONTEXT,
): Server {
  const server = new Server(
    { name: 'dredge', version: PRODUCT.version },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        'DREDGE computes string-theory quantities and serves Quasimoto wave models and a string-theory network. ' +
        'Load a model with load_model, then call inference, train or get_parameters with its model_id.',
    },
  );

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [...tools] }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const operation = catalogue.get(name);
    if (!operation) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${name.slice(0, 100)}`);
    // Over stdio the SDK hands the arguments over parsed, at any depth (over HTTP the body parser has already
    // refused deeper bodies): checked before anything copies, validates or serializes them.
    if (valueTooDeep(request.params.arguments)) {
      throw new McpError(ErrorCode.InvalidParams, tooDeepError('The tool’s input').message);
    }
    const progressToken = request.params._meta?.progressToken;
    // Progress is reported from inside synchronous compute steps; the notifications are awaited before the
    // result goes out, so that none arrives after it (a client stops listening for progress once it has the result).
    const notifications: Array<Promise<void>> = [];
    const context = requestContext(services, {
      principal,
      client,
      trace,
      signal: extra.signal,
      progress: (update) => {
        if (progressToken === undefined) return;
        notifications.push(
          extra
            .sendNotification({ method: 'notifications/progress', params: { progressToken, ...update } })
            .catch(() => undefined),
        );
      },
    });
    try {
      const outcome = await runOperation(operation, request.params.arguments ?? {}, context).finally(() =>
        Promise.all(notifications),
      );
      return { content: [{ type: 'text', text: outcome.json }], structuredContent: outcome.value };
    } catch (error) {
      if (!(error instanceof DredgeError)) throw error;
      if (error.code === 'invalid_input') throw new McpError(ErrorCode.InvalidParams, error.message);
      const body = errorBody(error);
      return {
        content: [{ type: 'text', text: JSON.stringify(body) }],
        structuredContent: { ...body },
        isError: true,
      };
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: [...RESOURCES] }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
    const context = requestContext(services, { principal, client, trace, signal: extra.signal });
    try {
      return await readResource(request.params.uri, catalogue, context);
    } catch (error) {
      if (error instanceof DredgeError) throw new McpError(ErrorCode.InvalidParams, error.message);
      throw error;
    }
  });

  return server;
}
