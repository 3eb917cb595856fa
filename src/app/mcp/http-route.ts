import type { FastifyInstance } from 'fastify';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';

/** Where the Model Context Protocol is served: beside the original's `POST /mcp`, which keeps its JSON API. */
export const MCP_PROTOCOL_PATH = '/mcp/protocol';

/**
 * The Streamable HTTP transport, stateless: every POST is answered by a fresh protocol server and transport and no
 * session is kept, so any replica behind a plain round-robin balancer can answer any request. GET (a stream of
 * server-initiated messages) and DELETE (ending a session) need sessions, so they answer 405.
 */
export function registerMcpProtocolRoute(
  app: FastifyInstance,
  services: AppServices,
  catalogue: Catalogue,
): void {
  const protocol = lazyProtocol(catalogue);

  app.post(MCP_PROTOCOL_PATH, async (request, reply) => {
    const { StreamableHTTPServerTransport, createProtocolServer, tools } = await protocol();
    const server = createProtocolServer(
      services,
      catalogue,
      tools,
      request.principal,
      request.ip,
      request.traceContext,
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    // The transport writes the answer (JSON or an event stream) itself.
    reply.hijack();
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });

  const notAllowed = {
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: `Method not allowed: this server is stateless; send POST ${MCP_PROTOCOL_PATH}.`,
    },
    id: null,
  };
  app.get(MCP_PROTOCOL_PATH, (_request, reply) => reply.code(405).header('allow', 'POST').send(notAllowed));
  app.delete(MCP_PROTOCOL_PATH, (_request, reply) =>
    reply.code(405).header('allow', 'POST').send(notAllowed),
  );
}

/**
 * The MCP SDK, our protocol server and the tool list, loaded on the first protocol request rather than at start:
 * the SDK and its JSON Schema validator are most of what a server would otherwise load before its first answer.
 */
function lazyProtocol(catalogue: Catalogue) {
  let loading: ReturnType<typeof load> | undefined;
  async function load() {
    const [{ StreamableHTTPServerTransport }, { createProtocolServer }, { toolList }] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
      import('./protocol-server.js'),
      import('./tool-list.js'),
    ]);
    return { StreamableHTTPServerTransport, createProtocolServer, tools: toolList(catalogue) };
  }
  return () => (loading ??= load());
}
