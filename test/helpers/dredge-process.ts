import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExitStatus } from './spawn-dredge.js';
import { startServersProcess } from './dredge-servers-process.js';

export interface DredgeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<ExitStatus>;
}

/** `dredge mcp` as a real process on a free loopback port; resolves once it says where it listens. */
export async function startDredgeMcp(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-process-')),
): Promise<DredgeProcess> {
  const started = await startServersProcess(
    ['mcp', '--host', '127.0.0.1', '--port', '0', ...args],
    env,
    cwd,
    'DREDGE MCP server',
  );
  return { ...started, url: started.urls['DREDGE MCP server'] as string };
}
