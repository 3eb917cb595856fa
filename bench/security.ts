/**
 * What authentication and rate limits cost a request, measured on the request path alone:
 *
 *   npm run bench -- security [--rounds 15] [--requests 2000]
 *
 * Three MCP servers in this process — no authentication; AUTH_ENABLED with a key made as `dredge keys create`
 * makes it; the same with RATE_LIMIT_ENABLED (counted in memory) — answer the same cached unified_inference
 * through Fastify's `inject` (the whole request path, hooks, routing, the operation and the answer, without
 * sockets), in interleaved rounds. The figure is the median over rounds of each secured variant's CPU time per
 * request minus the open server's in the same round.
 *
 * With `--sockets [--seconds 3]`, the same three servers run in one child process on their own ports and the load
 * generator sends each in turn a fixed 2,000 requests a second over real connections; the child reports its CPU
 * time around each turn. Unlike `http --authentication`, whose servers are separate fresh processes (which differ
 * from one another by as much as the cost measured), the servers here share one process, warmed together, so a
 * round's difference is the cost of the secured path over sockets.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { presentedCredential } from '../src/app/security/authenticator.js';
import { rateKeyOf } from '../src/app/security/rate-limits.js';
import { describePinning } from './support/child-server.js';
import { runLoad } from './support/load-generator.js';
import { HIT, VARIANTS, startServer, type Server } from './support/security-servers.js';
import { median } from './support/statistics.js';

const CALLS = 200_000;

/** Median time of one call of `step`, in µs, over five runs of CALLS calls. */
function timeEach(step: () => void): number {
  const runs: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    for (let i = 0; i < CALLS; i++) step();
    runs.push(((performance.now() - started) * 1000) / CALLS);
  }
  return median(runs);
}

/**
 * The work the secured server adds to each request, timed alone: reading the key from the headers and
 * authenticating it (a key read within the last seconds: a regular expression, one SHA-256, a map lookup), and
 * counting the call against its key's window in memory.
 */
function measureSteps(keyed: Server, limited: Server): void {
  const { authenticator } = keyed.services;
  const headers = keyed.headers;
  const authenticate = timeEach(() => {
    authenticator.authenticateKnown(presentedCredential(headers));
  });
  const principal = authenticator.authenticateKnown(presentedCredential(headers));
  const { rateLimits } = limited.services;
  const count = timeEach(() => {
    void rateLimits.admit(rateKeyOf(principal?.keyId, '127.0.0.1'));
  });
  console.log(`\nThe steps alone (median of 5 runs of ${CALLS} calls):`);
  console.log(`- read and authenticate a key: ${authenticate.toFixed(2)} µs`);
  console.log(`- count the call in its window (memory): ${count.toFixed(2)} µs`);
}

/** CPU time per request, in µs, over `requests` sequential requests. */
async function measure(server: Server, requests: number): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/mcp',
      payload: HIT,
      headers: server.headers,
    });
    if (response.statusCode !== 200) throw new Error(`answered ${response.statusCode}: ${response.body}`);
  }
  const { user, system } = process.cpuUsage(started);
  return (user + system) / requests;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

/** The child process that serves the variants: its URLs and headers, and its CPU time on request. */
interface ServersProcess {
  readonly servers: ReadonlyArray<{ readonly url: string; readonly headers: Record<string, string> }>;
  cpu(): Promise<number>;
  stop(): Promise<void>;
}

function startServersProcess(): Promise<ServersProcess> {
  const script = fileURLToPath(new URL('./support/security-servers-process.js', import.meta.url));
  // On core 0 when taskset exists (child-server.ts pins this process, the load generator, to core 1).
  const pinned = spawnSync('taskset', ['--version']).status === 0;
  const child = pinned
    ? spawn('taskset', ['-c', '0', process.execPath, script], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : spawn(process.execPath, [script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(message: string): Promise<T> =>
    new Promise((resolve) => {
      child.once('message', (answer) => resolve(answer as T));
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once('message', (ready) => {
      resolve({
        servers: (ready as { servers: ServersProcess['servers'] }).servers,
        cpu: () => ask<number>('cpu'),
        stop: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.send('stop');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`the servers' process exited with ${code}`)));
  });
}

async function measureOverSockets(rounds: number, seconds: number): Promise<void> {
  const rate = 2_000;
  const child = await startServersProcess();
  try {
    const turn = async (i: number): Promise<number> => {
      const server = child.servers[i] as ServersProcess['servers'][number];
      const before = await child.cpu();
      const load = await runLoad(
        server.url,
        { name: '', body: HIT, headers: server.headers, rate },
        8,
        seconds,
      );
      if (load.errors > 0) throw new Error(`${load.errors} errors from ${VARIANTS[i]?.name}`);
      const after = await child.cpu();
      return (after - before) / (load.requestsPerSecond * seconds);
    };
    for (let i = 0; i < VARIANTS.length; i++) await turn(i);
    const perRound: number[][] = VARIANTS.map(() => []);
    for (let round = 0; round < rounds; round++) {
      // Each round starts with another variant, so none is always first after the others' garbage.
      for (let step = 0; step < VARIANTS.length; step++) {
        const i = (round + step) % VARIANTS.length;
        perRound[i]?.push(await turn(i));
      }
    }
    console.log(
      `\nOver sockets, one server process: ${rounds} rounds of ${seconds} s per server at ${rate} requests/s ` +
        `(8 connections, autocannon), ${describePinning()}`,
    );
    printTable(perRound);
  } finally {
    await child.stop();
  }
}

/** Each variant's median CPU per request, and its median difference from the open server's in the same round. */
function printTable(perRound: readonly number[][]): void {
  console.log('| server | CPU µs/request (median) | more than no authentication (median of rounds) |');
  console.log('| --- | ---: | ---: |');
  const open = perRound[0] ?? [];
  for (const [i, variant] of VARIANTS.entries()) {
    const own = perRound[i] ?? [];
    const extra = i === 0 ? '' : `${median(own.map((cpu, round) => cpu - (open[round] ?? 0))).toFixed(1)} µs`;
    console.log(`| ${variant.name} | ${median(own).toFixed(1)} | ${extra} |`);
  }
}

export async function run(args: string[]): Promise<void> {
  const rounds = option(args, '--rounds', 15);
  if (args.includes('--sockets')) return measureOverSockets(rounds, option(args, '--seconds', 3));
  const requests = option(args, '--requests', 2000);
  const servers: Server[] = [];
  try {
    for (const variant of VARIANTS) servers.push(await startServer(variant));
    // Warm every path (JIT, caches, the key read once) before anything counts.
    for (const server of servers) await measure(server, requests);
    const perRound: number[][] = VARIANTS.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, server] of servers.entries()) perRound[i]?.push(await measure(server, requests));
    }
    console.log(
      `Security overhead: Node.js ${process.version}, ${rounds} interleaved rounds of ${requests} cached ` +
        'unified_inference requests per server, through inject (no sockets)',
    );
    printTable(perRound);
    const [, keyed, limited] = servers;
    if (keyed && limited) measureSteps(keyed, limited);
  } finally {
    for (const server of servers) await server.close();
  }
}
