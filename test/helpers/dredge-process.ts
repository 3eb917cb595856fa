import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DREDGE_BIN } from './mcp-clients.js';

export interface DredgeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `dredge mcp` as a real process on a free loopback port; resolves once it says where it listens. */
export function startDredgeMcp(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  cwd: string = mkdtempSync(join(tmpdir(), 'dredge-process-')),
): Promise<DredgeProcess> {
  const child = spawn(process.execPath, [DREDGE_BIN, 'mcp', '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, LOG_LEVEL: 'info', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dredge mcp did not start:\n${output}`)), 15_000);
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/[\d.]+:\d+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1]!,
        output: () => output,
        stop: () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`dredge mcp exited with ${code}:\n${output}`)));
  });
}
