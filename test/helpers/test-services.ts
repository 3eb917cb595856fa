import { Writable } from 'node:stream';
import { createAppServices } from '../../src/app/create-services.js';
import type { AppServices } from '../../src/app/services.js';
import { loadConfig } from '../../src/config/index.js';
import { createLogger } from '../../src/services/telemetry/index.js';

/**
 * The services of a server under test, configured from `env` (silent logs unless it says otherwise) and `cwd` (its
 * data directory and config files), with every log line kept in `logs` (JSON text, oldest first).
 */
export async function createTestServices(
  env: NodeJS.ProcessEnv,
  cwd: string,
  serviceName: string,
): Promise<{ services: AppServices & { close(): Promise<void> }; logs: string[] }> {
  const loaded = loadConfig({ cwd, homeDir: cwd, env: { LOG_LEVEL: 'silent', ...env } });
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      callback();
    },
  });
  const logger = createLogger({ level: loaded.config.telemetry.logLevel, destination });
  return { services: await createAppServices(loaded, { serviceName, logger }), logs };
}
