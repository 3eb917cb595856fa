import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDredgeServer } from '../../../src/app/http/dredge-server.js';
import { createMcpServer } from '../../../src/app/http/mcp-server.js';
import type { AppServices } from '../../../src/app/services.js';
import { createTestServices } from '../../helpers/test-services.js';

/** One DREDGE deployment's process, as `dredge up` runs it: the DREDGE server and the MCP server on one set of services. */
export interface Replica {
  /** The DREDGE server: /lift, /insights, the dashboard and its API. */
  readonly dredgeUrl: string;
  /** The MCP server: the JSON API (POST /mcp), /tasks and the MCP protocol. */
  readonly mcpUrl: string;
  readonly services: AppServices;
  close(): Promise<void>;
}

/** Starts both servers on 127.0.0.1:0 with the given environment and its own data directory (or `cwd`'s). */
export async function startReplica(
  env: NodeJS.ProcessEnv,
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-tenancy-')),
): Promise<Replica> {
  const { services, catalogue } = await createTestServices(env, cwd, 'dredge-tenancy-test');
  const dredge = await createDredgeServer(services, catalogue, { sampleIntervalMs: 100 });
  const mcp = await createMcpServer(services, catalogue);
  const [dredgeUrl, mcpUrl] = await Promise.all([
    dredge.listen({ host: '127.0.0.1', port: 0 }),
    mcp.listen({ host: '127.0.0.1', port: 0 }),
  ]);
  return {
    dredgeUrl,
    mcpUrl,
    services,
    async close() {
      await Promise.all([dredge.close(), mcp.close()]);
      await services.close();
    },
  };
}
