/**
 * The MCP server on the environment's configuration and a free port, for benchmarks that read its CPU time between
 * phases: each SIGUSR2 prints `{"cpuMicroseconds": …}`, the process's CPU time so far (user and system, every
 * thread: the event loop, the compute pool and libuv's, where zlib compresses). SIGTERM closes it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMcpServer } from '../../src/app/http/mcp-server.js';
import { openApp } from '../../src/app/open-app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/services/telemetry/index.js';

const cwd = mkdtempSync(join(tmpdir(), 'dredge-bench-'));
const loaded = loadConfig({ cwd, homeDir: cwd });
const logger = createLogger({ level: loaded.config.telemetry.logLevel, destination: 2 });
const { services, catalogue } = await openApp(loaded, { serviceName: 'dredge-bench', logger });
const app = await createMcpServer(services, catalogue);
process.on('SIGUSR2', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(JSON.stringify({ cpuMicroseconds: user + system }) + '\n');
});
process.once('SIGTERM', () => {
  void app
    .close()
    .then(() => services.close())
    .then(() => process.exit(0));
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');
