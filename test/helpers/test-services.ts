import { Writable } from 'node:stream';
import { openApp, type OpenApp } from '../../src/app/open-app.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/services/telemetry/index.js';

/**
 * The catalogue and services of a server under test (its queued tasks running, as a server's do), configured from
 * `env` (silent logs unless it says otherwise) and `cwd` (its data directory and config files), with every log line
 * kept in `logs` (JSON text, oldest first).
 */
export async function createTestServices(
  env: NodeJS.ProcessEnv,
  cwd: string,
  serviceName: string,
): Promise<OpenApp & { logs: string[] }> {
  const loaded = loadConfig({ cwd, homeDir: cwd, env: { LOG_LEVEL: 'silent', ...env } });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: loaded.config.telemetry.logLevel, destination });
  return { ...(await openApp(loaded, { serviceName, logger })), logs };
}
