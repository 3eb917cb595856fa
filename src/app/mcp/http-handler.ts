import { createMcpHandler } from '@modelcontextprotocol/server';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import type { ProtocolFacts } from './protocol-facts.js';
import { createProtocolServer } from './protocol-server.js';
import { toolList } from './tool-list.js';

/** The protocol over HTTP, as the SDK serves it: one exchange, one web-standard Request and Response. */
export interface ProtocolHttpHandler {
  /** Answers one request whose body the server has already parsed (and checked: size, depth). */
  serve(request: Request, facts: ProtocolFacts, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

/**
 * The SDK's stateless entry (`createMcpHandler`): a 2026-07-28 request (its protocol version and the client's
 * capabilities in its `_meta`, no handshake) and a 2025 one (`initialize`, then plain requests; `legacy:
 * 'stateless'`) are each answered by a fresh protocol server made for that request's facts, so no state outlives
 * a request and any replica answers any of them. The SDK runs the standard header checks (`Mcp-Method`,
 * `Mcp-Name`, `MCP-Protocol-Version` against the body) and answers in JSON, or in an event stream once a
 * progress notification goes out before the result.
 *
 * The facts reach the factory through the Request itself (the SDK hands it over as `requestInfo`), keyed weakly so
 * that nothing is kept once the request is gone.
 */
export function createProtocolHttpHandler(services: AppServices, catalogue: Catalogue): ProtocolHttpHandler {
  const tools = toolList(catalogue);
  const factsOf = new WeakMap<Request, ProtocolFacts>();
  const log = services.logger.child({ component: 'mcp-protocol' });
  const handler = createMcpHandler(
    ({ requestInfo }) => {
      const facts = requestInfo && factsOf.get(requestInfo);
      if (!facts) throw new Error('an MCP exchange arrived without the facts of its HTTP request');
      return createProtocolServer(services, catalogue, tools, facts);
    },
    {
      legacy: 'stateless',
      // Refused requests are the client's mistakes, answered to it; kept for whoever debugs a client.
      onerror: (error) => log.debug({ err: error }, 'MCP request refused or failed'),
    },
  );
  return {
    serve(request, facts, body) {
      factsOf.set(request, facts);
      return handler.fetch(request, { parsedBody: body });
    },
    close: () => handler.close(),
  };
}
