import { afterEach, describe, expect, it } from 'vitest';
import { startServersProcess, type ServersProcess } from '../helpers/dredge-servers-process.js';
import { freePort } from '../helpers/free-port.js';
import { rawRequest } from '../helpers/raw-http.js';

const children: ServersProcess[] = [];
afterEach(async () => {
  for (const running of children.splice(0)) {
    running.child.kill('SIGKILL');
    await running.stop();
  }
});

/** The pid of the process that answered `GET /health` on a connection of its own (each one lands anew). */
async function answeringPid(url: string): Promise<number> {
  const answer = await rawRequest(url, '/health', { headers: { connection: 'close' } });
  expect(answer.status).toBe(200);
  const body = JSON.parse(answer.body.toString()) as { status: string; pid?: number };
  expect(body.status).toBe('healthy');
  expect(typeof body.pid).toBe('number');
  return body.pid!;
}

/** Asks on fresh connections until `wanted` says the pids seen so far suffice (at most 400 requests). */
async function pidsUntil(url: string, wanted: (seen: Set<number>) => boolean): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let asked = 0; asked < 400 && !wanted(seen); asked++) seen.add(await answeringPid(url));
  return seen;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function exitOf(pid: number): Promise<void> {
  while (isRunning(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Waits until the process's output matches (the test's own time limit bounds the wait). */
async function outputShows(running: ServersProcess, pattern: RegExp): Promise<void> {
  while (!pattern.test(running.output())) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('dredge mcp --processes', () => {
  it('answers on one port from two processes, restarts a killed one, and drains both on SIGTERM', async () => {
    const port = await freePort();
    const running = await startServersProcess(
      ['mcp', '--host', '127.0.0.1', '--port', String(port), '--processes', '2'],
      {},
      undefined,
      'DREDGE MCP server',
    );
    children.push(running);
    const url = running.urls['DREDGE MCP server']!;
    expect(url).toBe(`http://127.0.0.1:${port}`);
    // The URL is printed once, for both processes.
    expect(running.output().match(/DREDGE MCP server listening on/g)).toHaveLength(1);

    // Connections land on both processes: the kernel spreads them over the two sockets.
    const pids = await pidsUntil(url, (seen) => seen.size === 2);
    expect(pids.size).toBe(2);
    expect(pids).not.toContain(running.child.pid);

    // A killed process is restarted; meanwhile the other keeps answering every request on the port.
    const [killed, survivor] = [...pids] as [number, number];
    process.kill(killed, 'SIGKILL');
    await exitOf(killed);
    expect(await answeringPid(url)).toBe(survivor);
    await outputShows(running, /server process restarted/);
    const after = await pidsUntil(url, (seen) => [...seen].some((pid) => !pids.has(pid)));
    const restarted = [...after].find((pid) => !pids.has(pid));
    expect(restarted).toBeDefined();
    expect(after).not.toContain(killed);
    expect(running.output()).toMatch(/server process \d exited \(SIGKILL\): restarting it/);

    // SIGTERM drains every process; the supervisor exits 0 once both have stopped.
    expect(await running.stop()).toBe(0);
    expect(isRunning(survivor)).toBe(false);
    expect(isRunning(restarted!)).toBe(false);
    expect(running.output()).toContain('stopped cleanly');
  });

  it('refuses a count out of bounds, naming the flag and the bound', async () => {
    await expect(
      startServersProcess(
        ['mcp', '--port', String(await freePort()), '--processes', '65'],
        {},
        undefined,
        'DREDGE MCP server',
      ),
    ).rejects.toThrow(
      /exited with 1:[\s\S]*PROCESSES="65" \(command-line flag --processes\)[\s\S]*auto \(one per available core\) or a whole number from 1 to 64/,
    );
  });

  it('refuses port 0 with several processes: each would listen on a port of its own', async () => {
    await expect(
      startServersProcess(['up', '--port', '0', '--mcp-port', '0', '--processes', '2']),
    ).rejects.toThrow(
      /exited with 2:[\s\S]*2 server processes \(set by --processes 2\) need a fixed port[\s\S]*DREDGE_SERVER_PORT is 0 \(set by --port 0\)/,
    );
  });
});
