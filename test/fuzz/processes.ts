/**
 * The real processes the fuzzer runs against: `dredge up` (the DREDGE server and the MCP server in one process),
 * the keys `dredge keys create` makes for it, and what /proc says of its memory.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startServersProcess, type ServersProcess } from '../helpers/dredge-servers-process.js';
import { DREDGE_BIN } from '../helpers/spawn-dredge.js';
import type { ServerName } from './request.js';

/** `dredge keys create` prints the key alone: `dredge_<16 hex id>_<43 characters>`. */
const KEY = /^dredge_[0-9a-f]{16}_\S{43}$/;

/** Runs `dredge keys create` as a real process against the servers' store, and answers the key it printed. */
export function createKey(
  env: NodeJS.ProcessEnv,
  cwd: string,
  tenant: string,
  scopes: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [DREDGE_BIN, 'keys', 'create', '--tenant', tenant, '--scopes', scopes, '--name', `fuzz-${tenant}`],
      { cwd, env: { PATH: process.env.PATH, HOME: cwd, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const key = stdout.trim();
        if (error || !KEY.test(key))
          reject(new Error(`dredge keys create failed: ${error?.message ?? ''} ${stderr}`));
        else resolve(key);
      },
    );
  });
}

export interface UpProcess {
  readonly process: ServersProcess;
  readonly urls: Record<ServerName, URL>;
}

/** `dredge up` on free ports of 127.0.0.1; resolves once both servers listen. */
export async function startUp(env: NodeJS.ProcessEnv, cwd: string): Promise<UpProcess> {
  const started = await startServersProcess(
    ['up', '--host', '127.0.0.1', '--port', '0', '--mcp-port', '0'],
    env,
    cwd,
  );
  const url = (name: 'DREDGE server' | 'DREDGE MCP server'): URL => {
    const printed = started.urls[name];
    if (printed === undefined) throw new Error(`dredge up did not say where the ${name} listens`);
    return new URL(printed);
  };
  return { process: started, urls: { mcp: url('DREDGE MCP server'), dredge: url('DREDGE server') } };
}

/** The process's peak resident memory (VmHWM), in MiB; NaN once it has gone. */
export function peakRssMiB(pid: number | undefined): number {
  try {
    const peak = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(peak) / 1024;
  } catch {
    return NaN;
  }
}

/** The error-level lines of a server's log (pino level 50 and above), for a failure message. */
export function errorLines(output: string, limit = 5): string[] {
  return output
    .split('\n')
    .filter((line) => /"level":(5|6)\d/.test(line))
    .slice(0, limit)
    .map((line) => (line.length > 1_500 ? `${line.slice(0, 1_500)}…` : line));
}
