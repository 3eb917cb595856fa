import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createMcpServer } from '../../src/app/http/mcp-server.js';
import type { AppServices } from '../../src/app/services.js';
import { createTestServices } from './test-services.js';

export interface RunningMcpServer {
  readonly url: string;
  readonly app: FastifyInstance;
  readonly services: AppServices;
  /** Every log line the server wrote (JSON text), oldest first. */
  readonly logs: string[];
  /** POST /mcp with a JSON body; answers status and parsed body. */
  call(operation: string, params?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** POST /mcp of the server at `url` with a JSON body; answers the status and the parsed body. */
export async function postOperation(
  url: string,
  operation: string,
  params?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params === undefined ? { operation } : { operation, params }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A real MCP server on 127.0.0.1:0 with its own data directory (or `cwd`'s) and the given environment. */
export async function startMcpServer(
  env: NodeJS.ProcessEnv = {},
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-mcp-')),
): Promise<RunningMcpServer> {
  const { services, catalogue, logs } = await createTestServices(env, cwd, 'dredge-mcp-test');
  const app = await createMcpServer(services, catalogue);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    app,
    services,
    logs,
    call: (operation, params) => postOperation(url, operation, params),
    async close() {
      await app.close();
      await services.close();
    },
  };
}
