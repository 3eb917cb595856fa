import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DREDGE_BIN } from './spawn-dredge.js';

/** The compiled `dredge` executable, as an MCP client configuration starts it. */
export { DREDGE_BIN };

/** The SDK's own client over Streamable HTTP, connected to `url` (…/mcp/protocol). */
export async function httpClient(url: string): Promise<Client> {
  const client = new Client({ name: 'dredge-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** The SDK's own client over stdio, starting `dredge mcp --stdio` as a desktop client would. */
export async function stdioClient(env: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name: 'dredge-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [DREDGE_BIN, 'mcp', '--stdio'],
      env: {
        PATH: process.env.PATH ?? '',
        LOG_LEVEL: 'warn',
        DATA_DIR: mkdtempSync(join(tmpdir(), 'dredge-stdio-')),
        ...env,
      },
      stderr: 'ignore',
    }),
  );
  return client;
}
