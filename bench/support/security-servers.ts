import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createMcpServer } from '../../src/app/http/mcp-server.js';
import { openApp } from '../../src/app/open-app.js';
import { mintApiKey } from '../../src/app/security/api-key.js';
import type { AppServices } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/services/telemetry/index.js';

/** The servers the security benchmark compares, each on its own services and data folder. */
export const HIT =
  '{"operation":"unified_inference","params":{"dredge_insight":"the same insight","quasimoto_coords":[0.5],"string_modes":[1,2,3]}}';

export interface Variant {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly keyed: boolean;
}

export const VARIANTS: readonly Variant[] = [
  { name: 'no authentication', env: {}, keyed: false },
  { name: 'AUTH_ENABLED, a read key (Bearer)', env: { AUTH_ENABLED: 'true' }, keyed: true },
  {
    name: 'AUTH_ENABLED, a read key, RATE_LIMIT_ENABLED',
    // A limit no round reaches: the cost of counting, never a refusal.
    env: { AUTH_ENABLED: 'true', RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_REQUESTS: '1000000' },
    keyed: true,
  },
];

export interface Server {
  readonly app: FastifyInstance;
  readonly services: AppServices;
  readonly headers: Record<string, string>;
  close(): Promise<void>;
}

export async function startServer(variant: Variant): Promise<Server> {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-bench-security-'));
  const loaded = loadConfig({ cwd, homeDir: cwd, env: { LOG_LEVEL: 'silent', ...variant.env } });
  const logger = createLogger({ level: 'silent', destination: 2 });
  const { services, catalogue } = await openApp(loaded, { serviceName: 'dredge-bench', logger });
  const app = await createMcpServer(services, catalogue);
  await app.ready();
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (variant.keyed) {
    const minted = mintApiKey({ tenant: 'default', name: 'bench', scopes: ['read'], now: new Date() });
    await services.store.apiKeys.add(minted.record);
    headers.authorization = `Bearer ${minted.key}`;
  }
  return {
    app,
    services,
    headers,
    async close() {
      await app.close();
      await services.close();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
