/**
 * A layer of the MCP server's request path answering fixed bytes (the first argument), for the HTTP benchmark's
 * "where the time goes" ladder: `fastify` is Fastify as it comes with one route; `plugins` is every DREDGE HTTP
 * server's base (createBaseServer: JSON parser with the depth check, errors, ETags, compression, telemetry, host
 * guard, security headers, CORS, authentication, body budget, connection limits) with one route, on the
 * environment's configuration. Neither runs an operation: the difference to the full server is the operation path.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createBaseServer } from '../../src/app/http/base-server.js';
import { openApp } from '../../src/app/open-app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/services/telemetry/index.js';

const [layer, text] = process.argv.slice(2);
const bytes = text ?? '{}';
let app: FastifyInstance;
let close = (): Promise<void> => Promise.resolve();
if (layer === 'fastify') {
  app = Fastify();
} else if (layer === 'plugins') {
  const cwd = mkdtempSync(join(tmpdir(), 'dredge-bench-'));
  const loaded = loadConfig({ cwd, homeDir: cwd });
  const logger = createLogger({ level: loaded.config.telemetry.logLevel, destination: 2 });
  const { services, catalogue } = await openApp(loaded, { serviceName: 'dredge-bench', logger });
  ({ app } = await createBaseServer(services, catalogue, { component: 'bench', maxParamLength: 100 }));
  close = () => services.close();
} else {
  throw new Error(`unknown layer ${layer}: fastify or plugins`);
}
app.post('/mcp', (_request, reply) => reply.type('application/json').send(bytes));
process.once('SIGTERM', () => {
  void app
    .close()
    .then(close)
    .then(() => process.exit(0));
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');
