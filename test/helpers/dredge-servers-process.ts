import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDredge, type ExitStatus } from './spawn-dredge.js';

/** The words before each URL a server command prints. */
export type ServerName = 'DREDGE server' | 'DREDGE MCP server' | 'Dashboard';

export interface ServersProcess {
  readonly child: ChildProcess;
  /** Every URL the process printed, by the words before it. */
  readonly urls: Readonly<Partial<Record<ServerName, string>>>;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<ExitStatus>;
}

const URL_LINE =
  /^(DREDGE server|DREDGE MCP server) listening on (http:\/\/\S+)|^(Dashboard): (http:\/\/\S+)/gm;

/**
 * `dredge serve`, `dredge up` or `dredge mcp` as a real process; resolves once it has printed the URL named
 * `last` (its last start-up line: the dashboard's for `serve` and `up`), rejects with its output if it exits
 * first.
 */
export async function startServersProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-up-')),
  last: ServerName = 'Dashboard',
): Promise<ServersProcess> {
  const spawned = await spawnDredge(args, { LOG_LEVEL: 'info', ...env }, cwd, (stdout) => {
    const urls: Partial<Record<ServerName, string>> = {};
    for (const match of stdout.matchAll(URL_LINE)) {
      urls[(match[1] ?? match[3]) as ServerName] = match[2] ?? match[4];
    }
    return urls[last] === undefined ? undefined : urls;
  });
  return {
    child: spawned.child,
    urls: spawned.started,
    output: spawned.output,
    stop: () => spawned.signal('SIGTERM'),
  };
}
