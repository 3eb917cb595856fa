import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
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

/** The server processes a supervisor runs: its children (Linux). */
function serverPids(supervisor: number): number[] {
  try {
    const listed = readFileSync(`/proc/${supervisor}/task/${supervisor}/children`, 'utf8').trim();
    return listed === '' ? [] : listed.split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

/** Waits until the supervisor runs a server process that `known` does not hold, and answers its pid. */
async function newServerPid(supervisor: number, known: ReadonlySet<number>): Promise<number> {
  for (;;) {
    const fresh = serverPids(supervisor).find((pid) => !known.has(pid));
    if (fresh !== undefined) return fresh;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The exit code the process ends with, by itself. */
function exitCodeOf(running: ServersProcess): Promise<number | null> {
  const { child } = running;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function startTwo(): Promise<{ running: ServersProcess; url: string; port: number }> {
  const port = await freePort();
  const running = await startServersProcess(
    ['mcp', '--host', '127.0.0.1', '--port', String(port), '--processes', '2'],
    {},
    undefined,
    'DREDGE MCP server',
  );
  children.push(running);
  return { running, url: running.urls['DREDGE MCP server']!, port };
}

describe('dredge mcp --processes', () => {
  it('answers on one port from two processes, restarts a killed one, and drains both on SIGTERM', async () => {
    const { running, url, port } = await startTwo();
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

  it.skipIf(process.platform !== 'linux')(
    'stops every process, exiting 1, when one keeps crashing at once after it started',
    async () => {
      const { running } = await startTwo();
      const supervisor = running.child.pid!;
      const known = new Set(serverPids(supervisor));
      expect(known.size).toBe(2);
      // The same slot crashes five times in a row, each time within seconds of its (re)start.
      let victim = [...known][0]!;
      for (let crash = 1; crash <= 5; crash++) {
        process.kill(victim, 'SIGKILL');
        await exitOf(victim);
        if (crash === 5) break;
        victim = await newServerPid(supervisor, known);
        known.add(victim);
      }
      expect(await exitCodeOf(running)).toBe(1);
      expect(running.output()).toMatch(
        /server process \d crashed 5 times in a row within 10 s of starting: not restarting it; stopping all/,
      );
      for (const pid of known) expect(isRunning(pid)).toBe(false);
    },
    30_000,
  );

  it.skipIf(process.platform !== 'linux')(
    'ends every process at once on a second signal, while the first still waits for a request in flight',
    async () => {
      const { running, url } = await startTwo();
      const supervisor = running.child.pid!;
      const servers = serverPids(supervisor);
      expect(servers).toHaveLength(2);
      // A request that never finishes arriving, on each process (connections land on both, so open several):
      // draining waits for them, up to REQUEST_TIMEOUT.
      const { port } = new URL(url);
      const sockets = Array.from({ length: 8 }, () => {
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write(
          'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{',
        );
        return socket;
      });
      try {
        await new Promise((resolve) => setTimeout(resolve, 300));
        running.child.kill('SIGTERM');
        await outputShows(running, /draining every server process/);
        // Still draining: the held requests keep it from stopping.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(running.child.exitCode).toBeNull();
        const started = Date.now();
        expect(await running.stop()).toBe(1);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(running.output()).toMatch(/second signal: stopping every server process without waiting/);
        for (const pid of servers) await exitOf(pid);
      } finally {
        for (const socket of sockets) socket.destroy();
      }
    },
    30_000,
  );
});
