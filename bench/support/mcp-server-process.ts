/** The MCP server as the HTTP benchmark measures it, on the environment's configuration and a free port. */
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
// CPU time from the start of a measurement (SIGUSR2) to the end (SIGTERM), for the cost per request.
let cpuAtStart = process.cpuUsage();
process.on('SIGUSR2', () => {
  cpuAtStart = process.cpuUsage();
});
process.once('SIGTERM', () => {
  const { user, system } = process.cpuUsage(cpuAtStart);
  process.stdout.write(JSON.stringify({ cpuMicroseconds: user + system }) + '\n');
  void app
    .close()
    .then(() => services.close())
    .then(() => process.exit(0));
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');
