import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnDredge, type ExitStatus } from './spawn-dredge.js';

export interface ServersProcess {
  readonly child: ChildProcess;
  /** Every URL the process printed, by the words before it (`DREDGE server`, `DREDGE MCP server`, `Dashboard`). */
  readonly urls: Readonly<Record<string, string>>;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<ExitStatus>;
}

const URL_LINE =
  /^(DREDGE server|DREDGE MCP server) listening on (http:\/\/\S+)|^(Dashboard): (http:\/\/\S+)/gm;

/**
 * `dredge serve` or `dredge up` as a real process; resolves once it has printed the dashboard's URL (its last
 * start-up line), rejects with its output if it exits first.
 */
export async function startServersProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-up-')),
): Promise<ServersProcess> {
  const spawned = await spawnDredge(args, { LOG_LEVEL: 'info', ...env }, cwd, (stdout) => {
    if (!stdout.includes('Dashboard: ')) return undefined;
    const urls: Record<string, string> = {};
    for (const match of stdout.matchAll(URL_LINE)) urls[(match[1] ?? match[3])!] = (match[2] ?? match[4])!;
    return urls;
  });
  return {
    child: spawned.child,
    urls: spawned.started,
    output: spawned.output,
    stop: () => spawned.signal('SIGTERM'),
  };
}
