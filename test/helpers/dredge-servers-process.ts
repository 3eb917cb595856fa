import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DREDGE_BIN } from './mcp-clients.js';

export interface ServersProcess {
  readonly child: ChildProcess;
  /** Every URL the process printed, by the words before it (`DREDGE server`, `DREDGE MCP server`, `Dashboard`). */
  readonly urls: Readonly<Record<string, string>>;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

const URL_LINE =
  /^(DREDGE server|DREDGE MCP server) listening on (http:\/\/\S+)|^(Dashboard): (http:\/\/\S+)/gm;

/**
 * `dredge serve` or `dredge up` as a real process; resolves once it has printed the dashboard's URL (its last
 * start-up line), rejects with its output if it exits first.
 */
export function startServersProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-up-')),
): Promise<ServersProcess> {
  const child = spawn(process.execPath, [DREDGE_BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dredge ${args[0]} did not start:\n${output}`)), 20_000);
    child.stdout.on('data', () => {
      if (!output.includes('Dashboard: ')) return;
      clearTimeout(timer);
      const urls: Record<string, string> = {};
      for (const match of output.matchAll(URL_LINE)) {
        urls[(match[1] ?? match[3])!] = (match[2] ?? match[4])!;
      }
      resolve({
        child,
        urls,
        output: () => output,
        stop: () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`dredge ${args[0]} exited with ${code}:\n${output}`));
    });
  });
}
