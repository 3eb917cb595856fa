import type { FastifyInstance } from 'fastify';
import type { McpHttpDoor } from './http-door.js';

/** The one endpoint: the original's JSON API and the Model Context Protocol, told apart by the body. */
export const MCP_PATH = '/mcp';

/** The protocol's former path, kept as an alias for clients configured with it. */
export const MCP_PROTOCOL_ALIAS = '/mcp/protocol';

/**
 * Whether a parsed `POST /mcp` body is a JSON-RPC message for the protocol rather than the JSON API's
 * `{operation, params}`: an object with a `jsonrpc` member, or an array (a batch, which the 2025-03-26 revision
 * allows; the SDK answers for the revisions that do not). The JSON API's bodies have neither.
 */
export function isJsonRpcBody(body: unknown): boolean {
  if (Array.isArray(body)) return true;
  return body !== null && typeof body === 'object' && Object.hasOwn(body, 'jsonrpc');
}

/**
 * The protocol's routes besides `POST /mcp` (whose JSON API part is the MCP server's): `POST /mcp/protocol`, the
 * alias, and `GET` and `DELETE` on both paths. The server is stateless (see `http-handler.ts`): GET (a stream of
 * server-initiated messages for a session) and DELETE (ending a session) need sessions, so they answer 405.
 */
export function registerMcpProtocolRoutes(app: FastifyInstance, door: McpHttpDoor): void {
  app.post(MCP_PROTOCOL_ALIAS, (request, reply) => door.answer(request, reply));

  const notAllowed = {
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: `Method not allowed: this server is stateless; send POST ${MCP_PATH}.`,
    },
    id: null,
  };
  for (const path of [MCP_PATH, MCP_PROTOCOL_ALIAS]) {
    app.get(path, (_request, reply) => reply.code(405).header('allow', 'POST').send(notAllowed));
    app.delete(path, (_request, reply) => reply.code(405).header('allow', 'POST').send(notAllowed));
  }
  app.addHook('onClose', () => door.close());
}
