/**
 * The MCP server as the HTTP benchmark measures it, on the environment's configuration and a free port. Its CPU time
 * (every thread) is counted from SIGUSR2 to SIGTERM and printed as `{"cpuMicroseconds": …}`. With
 * BENCH_CPU_PROFILE set to a file name, the event loop's CPU profile over the same span is written there too (the
 * inspector's sampling profiler, as `--cpu-prof` takes it, but only while the load runs).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMcpServer } from '../../src/app/http/mcp-server.js';
import { openApp } from '../../src/app/open-app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/services/telemetry/index.js';

/** Sampling interval of the profile, µs: a request takes tens to hundreds, so finer than the default 1,000. */
const PROFILE_INTERVAL_US = 100;

const cwd = mkdtempSync(join(tmpdir(), 'dredge-bench-'));
const loaded = loadConfig({ cwd, homeDir: cwd });
const logger = createLogger({ level: loaded.config.telemetry.logLevel, destination: 2 });
const { services, catalogue } = await openApp(loaded, { serviceName: 'dredge-bench', logger });
const app = await createMcpServer(services, catalogue);
const profileFile = process.env.BENCH_CPU_PROFILE;
const profiler = profileFile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
}

let cpuAtStart = process.cpuUsage();
process.on('SIGUSR2', () => {
  cpuAtStart = process.cpuUsage();
  void profiler?.post('Profiler.start');
});
process.once('SIGTERM', () => {
  const { user, system } = process.cpuUsage(cpuAtStart);
  void (async () => {
    if (profiler && profileFile) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
    }
    process.stdout.write(JSON.stringify({ cpuMicroseconds: user + system }) + '\n');
    await app.close();
    await services.close();
    process.exit(0);
  })();
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url }) + '\n');
