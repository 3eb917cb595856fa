import { PRODUCT } from '../../product.js';

/** How a server's document introduces it. */
export interface ServerInfo {
  readonly title: string;
  readonly description: string;
  /** The DREDGE server (`GET /` describes the server itself), rather than the MCP server or a worker's. */
  readonly dredgeServer: boolean;
}

/** What every document says of refusals and keys, after the server's own introduction. */
const CONVENTIONS =
  'Every refusal and failure answers `{"success": false, "error": "<sentence>", "code": "<code>"}` with the ' +
  'status of its code; each operation lists the statuses it may answer and why. With AUTH_ENABLED, every route ' +
  'but the open ones (probes, pages, this document) needs an API key (`Authorization: Bearer <key>` or ' +
  '`X-API-Key`) holding the scope the route names.';

/** The servers by the `component` of their log lines (see createBaseServer). */
const SERVERS: Readonly<Record<string, ServerInfo>> = {
  'dredge-server': {
    title: 'DREDGE server',
    description: `The original DREDGE server's routes, the insights it lifts, the dashboard and the JSON it polls. ${CONVENTIONS}`,
    dredgeServer: true,
  },
  'mcp-server': {
    title: 'DREDGE MCP server',
    description:
      'Every operation of the catalogue through the JSON API (`POST /mcp {operation, params}`) and as Model ' +
      `Context Protocol tools (a JSON-RPC body to the same path), and queued tasks. ${CONVENTIONS}`,
    dredgeServer: false,
  },
  'worker-status': {
    title: 'DREDGE worker status',
    description: `What a \`dredge worker\` serves: its health, its metrics and the spans of the tasks it ran. ${CONVENTIONS}`,
    dredgeServer: false,
  },
};

/** The introduction of the server whose log component is `component`. */
export function serverInfo(component: string): ServerInfo {
  return (
    SERVERS[component] ?? { title: `DREDGE (${component})`, description: CONVENTIONS, dredgeServer: false }
  );
}

/** The document's `info`. */
export function documentInfo(server: ServerInfo) {
  return { title: server.title, version: PRODUCT.version, description: server.description };
}
