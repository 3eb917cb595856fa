import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyStdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as LegacyHttpClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DREDGE_BIN } from './spawn-dredge.js';

/** The compiled `dredge` executable, as an MCP client configuration starts it. */
export { DREDGE_BIN };

/** The protocol revision of the current SDK (v2), which DREDGE serves; 2025-11-25 is the v1 SDK's. */
export const MODERN_REVISION = '2026-07-28';

export type ToolResult = {
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  content: unknown[];
};

export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

/**
 * What the tests do with an MCP client, the same for both SDKs: the v2 client (`@modelcontextprotocol/client`,
 * protocol 2026-07-28) and the v1 client (`@modelcontextprotocol/sdk` 1.32, protocol 2025-11-25), whose `callTool`
 * take their options in different places.
 */
export interface ProtocolClient {
  /** `2026-07-28` or `2025-11-25`: what the client and DREDGE agreed on. */
  readonly revision: string;
  listTools(): Promise<{
    tools: Array<{
      name: string;
      description?: string;
      inputSchema: { type: string; properties?: Record<string, unknown> };
    }>;
  }>;
  callTool(
    name: string,
    args?: Record<string, unknown>,
    options?: { onprogress?: (update: Progress) => void; signal?: AbortSignal },
  ): Promise<ToolResult>;
  listResources(): Promise<{ resources: Array<{ uri: string }> }>;
  readResource(uri: string): Promise<{ contents: unknown[] }>;
  close(): Promise<void>;
}

/** Which SDK's client a test speaks through. */
export type ClientKind = 'v2' | 'v1';
export const CLIENT_KINDS: readonly ClientKind[] = ['v2', 'v1'];

const INFO = { name: 'dredge-test', version: '1.0.0' };

/** The v2 client pinned to 2026-07-28 (its default would be the 2025 handshake), over Streamable HTTP. */
export async function modernHttpClient(url: string, headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client(INFO, { versionNegotiation: { mode: { pin: MODERN_REVISION } } });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** The v1 client (initialize handshake, 2025-11-25) over Streamable HTTP. */
export async function legacyHttpClient(
  url: string,
  headers: Record<string, string> = {},
): Promise<LegacyClient> {
  const client = new LegacyClient(INFO);
  await client.connect(new LegacyHttpClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** The revision the v1 client and the server agreed on: the client tells its transport after `initialize`. */
function agreedRevision(transport: object): () => string {
  const settable = transport as { setProtocolVersion?: (version: string) => void };
  let agreed = 'none';
  const own = settable.setProtocolVersion?.bind(transport);
  settable.setProtocolVersion = (version) => {
    agreed = version;
    own?.(version);
  };
  return () => agreed;
}

/** A client of either SDK over Streamable HTTP, connected to `url` (…/mcp), sending `headers` with each request. */
export async function httpClient(
  url: string,
  kind: ClientKind = 'v2',
  headers: Record<string, string> = {},
): Promise<ProtocolClient> {
  if (kind === 'v2') return modern(await modernHttpClient(url, headers));
  const client = new LegacyClient(INFO);
  const transport = new LegacyHttpClientTransport(new URL(url), { requestInit: { headers } });
  const revision = agreedRevision(transport);
  await client.connect(transport);
  return legacy(client, revision());
}

/** A client of either SDK over stdio, starting `dredge mcp --stdio` as a desktop client would. */
export async function stdioClient(
  kind: ClientKind = 'v2',
  env: Record<string, string> = {},
): Promise<ProtocolClient> {
  const server = {
    command: process.execPath,
    args: [DREDGE_BIN, 'mcp', '--stdio'],
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'warn',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'dredge-stdio-')),
      ...env,
    },
    stderr: 'ignore' as const,
  };
  if (kind === 'v2') {
    const client = new Client(INFO, { versionNegotiation: { mode: { pin: MODERN_REVISION } } });
    await client.connect(new StdioClientTransport(server));
    return modern(client);
  }
  const client = new LegacyClient(INFO);
  const transport = new LegacyStdioClientTransport(server);
  const revision = agreedRevision(transport);
  await client.connect(transport);
  return legacy(client, revision());
}

function modern(client: Client): ProtocolClient {
  return {
    revision: client.getNegotiatedProtocolVersion() ?? 'none',
    listTools: () => client.listTools(),
    callTool: (name, args, options) =>
      client.callTool(
        { name, ...(args === undefined ? {} : { arguments: args }) },
        options,
      ) as Promise<ToolResult>,
    listResources: () => client.listResources(),
    readResource: (uri) => client.readResource({ uri }),
    close: () => client.close(),
  };
}

function legacy(client: LegacyClient, revision: string): ProtocolClient {
  return {
    revision,
    listTools: () => client.listTools(),
    callTool: (name, args, options) =>
      client.callTool(
        { name, ...(args === undefined ? {} : { arguments: args }) },
        undefined,
        options,
      ) as Promise<ToolResult>,
    listResources: () => client.listResources(),
    readResource: (uri) => client.readResource({ uri }),
    close: () => client.close(),
  };
}

/** JSON-RPC request params, as a test writes them by hand. */
type Params = Record<string, unknown>;

/**
 * One JSON-RPC request as a client speaking `revision` sends it over Streamable HTTP, written by hand (for what the
 * client libraries do not let a test do: drop the connection mid-call, send a batch, read the raw answer). A
 * 2026-07-28 request carries the protocol version and the client's identity and capabilities in its `_meta`, and
 * the standard headers mirroring its method and the tool's name; a 2025 one only the version header.
 */
export function protocolRequest(
  id: number | string,
  method: string,
  params: Params = {},
  revision: string = MODERN_REVISION,
): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': revision,
  };
  if (revision !== MODERN_REVISION) {
    return { headers, body: JSON.stringify({ jsonrpc: '2.0', id, method, params }) };
  }
  headers['mcp-method'] = method;
  if (method === 'tools/call' && typeof params.name === 'string') headers['mcp-name'] = params.name;
  const meta = {
    ...(params._meta as Params | undefined),
    'io.modelcontextprotocol/protocolVersion': revision,
    'io.modelcontextprotocol/clientInfo': INFO,
    'io.modelcontextprotocol/clientCapabilities': {},
  };
  return {
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params: { ...params, _meta: meta } }),
  };
}
