/**
 * Throughput of `dredge mcp --processes N` for N = 1 and 2 on this machine, unpinned: the server processes and the
 * load generator share every core, as they would on a machine serving real clients from elsewhere only if the
 * clients' share is taken off. Each run starts the real CLI on a free port with a fresh DATA_DIR.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { runLoad, type Workload } from './load-generator.js';
import { childPids, processCpuMicroseconds } from './process-cpu.js';
import type { Row } from './http-workloads.js';

/** Connections for these runs: enough that SO_REUSEPORT's spread by connection gives each process several. */
export const PROCESS_CONNECTIONS = 16;

const DREDGE = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

async function waitForHealth(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`dredge mcp did not answer ${url}/health in time`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** CPU of the CLI process and its server processes (the supervisor's children), µs. */
function treeCpu(pid: number): number {
  return [pid, ...childPids(pid)].reduce((sum, each) => sum + (processCpuMicroseconds(each) ?? 0), 0);
}

/** `dredge mcp --processes <count>` under the workload for `seconds`. */
export async function measureProcesses(count: number, workload: Workload, seconds: number): Promise<Row> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dredge-bench-processes-'));
  const port = await freePort();
  const child = spawn(process.execPath, [DREDGE, 'mcp', '--processes', String(count)], {
    env: { ...process.env, DATA_DIR: dataDir, MCP_SERVER_PORT: String(port), LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(url, Date.now() + 30_000);
    const pid = child.pid as number;
    const before = treeCpu(pid);
    const result = await runLoad(url, workload, PROCESS_CONNECTIONS, seconds);
    const cpu = treeCpu(pid) - before;
    const requests = result.requestsPerSecond * seconds;
    return {
      name: `dredge mcp --processes ${count}, ${workload.name}`,
      ...result,
      cpuPerRequest: cpu / requests,
    };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
