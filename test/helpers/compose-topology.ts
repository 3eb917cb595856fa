import { mkdtempSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SECRETS_MOUNT, serviceEnvironment, type ComposeFile, type ComposeService } from './compose-file.js';
import { startServersProcess, type ServerName, type ServersProcess } from './dredge-servers-process.js';
import { spawnDredge, type SpawnedDredge } from './spawn-dredge.js';

/** Where this machine has what the compose file names by service: Redis's port, the secrets' folder. */
export interface LocalBackends {
  readonly redisPort: number;
  /** A folder holding one file per secret, named as the compose file's secrets are. */
  readonly secretsDir: string;
  /** Where each process gets a folder of its own (its working directory and HOME), removed by the test. */
  readonly workDir: string;
}

/** Writes each secret as Docker mounts it: a file named after the secret, its value and a newline. */
export function writeSecretFiles(dir: string, secrets: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(secrets))
    writeFileSync(join(dir, name), `${value}\n`, { mode: 0o600 });
}

/**
 * A service's compose environment as it runs on this machine: `/run/secrets/NAME` is the secret's file in
 * `secretsDir`, the `redis` host is 127.0.0.1 at the test server's port, the servers listen on loopback at ports
 * the system picks (0: they print where), and the logs say only what goes wrong. Everything else is the compose
 * file's, value for value.
 */
export function localEnvironment(service: ComposeService, backends: LocalBackends): Record<string, string> {
  const environment = serviceEnvironment(service);
  if (environment.REDIS_HOST !== 'redis') {
    throw new Error(`the compose file's REDIS_HOST is ${environment.REDIS_HOST}, not the redis service`);
  }
  const local: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) {
    local[key] = value.startsWith(SECRETS_MOUNT) ? join(backends.secretsDir, basename(value)) : value;
  }
  return {
    ...local,
    REDIS_HOST: '127.0.0.1',
    REDIS_PORT: String(backends.redisPort),
    BIND_HOST: '127.0.0.1',
    MCP_SERVER_PORT: '0',
    DREDGE_SERVER_PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
  };
}

/** The words before the URL each server command prints last. */
const READY_LINE: Readonly<Record<string, ServerName>> = {
  mcp: 'DREDGE MCP server',
  serve: 'DREDGE server',
};

/** A compose service's command (`mcp`, `serve`, `worker`), as its argument list. */
function commandOf(compose: ComposeFile, name: string): string[] {
  const command = compose.services[name]?.command;
  if (!Array.isArray(command)) throw new Error(`the compose service ${name} has no command list`);
  return [...(command as readonly string[])];
}

/** One replica of a compose service that runs a server (`mcp`, `serve`), as a real process; its URL. */
export async function startServerReplica(
  compose: ComposeFile,
  name: string,
  backends: LocalBackends,
): Promise<{ readonly process: ServersProcess; readonly url: string }> {
  const args = commandOf(compose, name);
  const last = READY_LINE[args[0]!];
  if (!last) throw new Error(`the compose service ${name} runs ${args.join(' ')}, not a server`);
  const env = localEnvironment(compose.services[name]!, backends);
  const started = await startServersProcess(args, env, mkdtempSync(join(backends.workDir, `${name}-`)), last);
  return { process: started, url: started.urls[last]! };
}

/** A replica of the compose `worker` service as a real process; resolves once it takes tasks. */
export function startWorkerReplica(
  compose: ComposeFile,
  backends: LocalBackends,
): Promise<SpawnedDredge<{ name: string; statusUrl: string }>> {
  const args = commandOf(compose, 'worker');
  const env = localEnvironment(compose.services.worker!, backends);
  return spawnDredge(args, env, mkdtempSync(join(backends.workDir, 'worker-')), (stdout) => {
    const match = /DREDGE worker (\S+) .*status on (http:\/\/[\d.]+:\d+)\/health/.exec(stdout);
    return match ? { name: match[1]!, statusUrl: match[2]! } : undefined;
  });
}
