import { commonRouteDocs } from './common-route-docs.js';
import { DREDGE_ROOT, dredgeRouteDocs } from './dredge-route-docs.js';
import { CAPABILITIES_ROOT, mcpRouteDocs } from './mcp-route-docs.js';
import type { OperationName, ParamsOf, RouteDoc } from './route-doc.js';

export { TAGS, type RouteDoc } from './route-doc.js';

/**
 * The documentation of every route of the servers, by `METHOD /path` as Fastify names them. A route missing here is
 * still in the document, described only by what every route shares; the OpenAPI test names it. `GET /` is the
 * DREDGE server's description of itself, or the MCP server's capabilities (`dredgeServer` says which). Only the
 * routes a server registered are looked up, so one table serves every server.
 */
export function routeDocs(
  operations: readonly OperationName[],
  paramsOf: ParamsOf,
  dredgeServer: boolean,
): Record<string, RouteDoc> {
  return {
    ...commonRouteDocs(paramsOf),
    ...dredgeRouteDocs(paramsOf),
    ...mcpRouteDocs(operations, paramsOf),
    'GET /': dredgeServer ? DREDGE_ROOT : CAPABILITIES_ROOT,
  };
}
