/**
 * HTTP throughput and latency of the MCP server at 8 connections, against a bare node:http server returning the
 * same bytes, measured in the same run. Servers and the load generator run in separate processes (pinned to
 * separate cores where possible); each MCP workload gets a fresh server, so one workload's cache and garbage do
 * not weigh on the next.
 *
 *   npm run bench -- http [--seconds 10]               (the throughput table, then the cost of authentication)
 *   npm run bench -- http --authentication [--rounds 9] (only the cost of authentication and rate limits)
 *   npm run bench -- http --open-loop                  (only latency at a fixed rate: 25, 50 and 75 % of saturation)
 *   npm run bench -- http --time-spent                 (only where the time goes: the layer ladder and the profile)
 *   npm run bench -- http --processes                  (only 1 against 2 server processes, unpinned)
 *
 * With DREDGE_BENCH_ORIGINAL_COMMAND set (a shell command starting the original Python server on $PORT), the
 * original is measured in the same run and its rows sit in the same tables (see support/original-server.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePinning, startChildServer, unpin } from './support/child-server.js';
import { describeLoadGenerator, runLoad, type Workload } from './support/load-generator.js';
import { OPEN_LOOP_CONNECTIONS } from './support/open-loop-generator.js';
import {
  describeOpenLoop,
  formatOpenLoop,
  measureOpenLoop,
  type OpenLoopRow,
  type OpenLoopTarget,
} from './support/open-loop-benchmark.js';
import { originalCommand, startOriginalServer } from './support/original-server.js';
import {
  CONNECTIONS,
  HIT,
  MISS,
  SPECTRUM,
  createKey,
  formatRows,
  inference,
  measureBare,
  measureMcp,
  post,
  type Row,
} from './support/http-workloads.js';
import { PROCESS_CONNECTIONS, measureProcesses } from './support/http-processes.js';
import { formatLadder, measureLadder, measureProfile } from './support/http-time-spent.js';

/** The targets for the MCP server with authentication and rate limits on, as shares of the bare server. */
const TARGETS = { misses: 0.55, hits: 0.7 } as const;

export async function run(args: string[]): Promise<void> {
  const secondsArg = args.indexOf('--seconds');
  const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 10;

  // The bare server answers with exactly the bytes the MCP server gives for a unified_inference miss.
  const probe = await startChildServer('./mcp-server-process.js');
  const bytes = await post(probe.url, MISS.replace('{n}', '0'));
  await probe.stop();
  const header = `Node.js ${process.version}, ${seconds} s per workload, ${describeLoadGenerator()}`;
  if (args.includes('--open-loop')) {
    await openLoop(bytes, seconds);
    return;
  }
  if (args.includes('--time-spent')) {
    console.log(
      `Where the time goes, the layer ladder: ${header}, ${CONNECTIONS} connections, ${describePinning()}`,
    );
    const ladder = await measureLadder(bytes, seconds);
    console.log(formatLadder(ladder));
    const [hits, misses] = ladder.slice(-2).map((row) => row.cpuPerRequest ?? Number.NaN) as [number, number];
    console.log(`\nWhere the time goes, the event loop's profile (sampled every 100 µs): ${header}`);
    console.log(await measureProfile(seconds, misses, hits));
    return;
  }
  if (args.includes('--processes')) {
    await processes(seconds, header);
    return;
  }
  const roundsArg = args.indexOf('--rounds');
  if (args.includes('--authentication')) {
    await measureAuthentication(
      seconds,
      await measureBare(bytes, seconds),
      roundsArg >= 0 ? Number(args[roundsArg + 1]) : AUTH_ROUNDS,
    );
    return;
  }
  const rounds = roundsArg >= 0 ? Number(args[roundsArg + 1]) : TABLE_ROUNDS;
  const dataDir = mkdtempSync(join(tmpdir(), 'dredge-bench-keys-'));
  let measured: { baseline: Row; rows: Row[] };
  try {
    measured = await measureTable(bytes, seconds, rounds, securedServer(dataDir));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const { baseline } = measured;
  const rows = [baseline, ...(await measureOriginal(seconds)), ...measured.rows];
  console.log(
    `HTTP benchmark: ${header}, ${CONNECTIONS} connections, ${describePinning()}; each row the median of ${rounds} rounds, its share of bare taken against the bare server of its own round`,
  );
  console.log(formatRows(rows, baseline));
  printTargets(rows, baseline);
  printAgainstOriginal(rows);
  await measureAuthentication(seconds, baseline, AUTH_ROUNDS);
  const misses = rows.find((row) => row.name === 'unified_inference, all misses');
  const quiet = rows.find((row) => row.name === 'unified_inference, all misses, metrics and tracing off');
  if (misses && quiet) {
    const cost = 1 - misses.requestsPerSecond / quiet.requestsPerSecond;
    console.log(
      `\ncost of metrics and tracing on unified_inference misses: ${(cost * 100).toFixed(1)} % of throughput`,
    );
    if (misses.cpuPerRequest !== undefined && quiet.cpuPerRequest !== undefined) {
      const extra = misses.cpuPerRequest - quiet.cpuPerRequest;
      const share = ((extra / misses.cpuPerRequest) * 100).toFixed(1);
      console.log(
        `… in server CPU time: ${extra.toFixed(1)} µs per request, ${share} % of the server's CPU per request`,
      );
    }
  }
}

/** Rounds of the throughput table unless `--rounds` says otherwise: this machine's runs differ by up to ±40 %. */
const TABLE_ROUNDS = 3;

/**
 * The throughput table's MCP rows, in rounds: each round measures the bare server, then every row on a fresh server.
 * A row shows its round of median share of bare (that round's bare server as the yardstick), so a slow stretch of
 * the machine moves a row and its yardstick together; the baseline shown is the median bare run.
 */
async function measureTable(
  bytes: string,
  seconds: number,
  rounds: number,
  secured: { env: NodeJS.ProcessEnv; headers: Record<string, string> },
): Promise<{ baseline: Row; rows: Row[] }> {
  const off = { METRICS_ENABLED: 'false', TRACING_ENABLED: 'false' };
  const specs: Array<{ workload: Workload; env?: NodeJS.ProcessEnv }> = [
    { workload: { name: 'unified_inference, all misses', body: MISS, unique: true } },
    {
      workload: {
        name: `unified_inference, all misses, ${SECURED}`,
        body: MISS,
        unique: true,
        headers: secured.headers,
      },
      env: secured.env,
    },
    {
      workload: { name: 'unified_inference, all misses, metrics and tracing off', body: MISS, unique: true },
      env: off,
    },
    { workload: { name: 'unified_inference, all hits', body: HIT } },
    {
      workload: { name: `unified_inference, all hits, ${SECURED}`, body: HIT, headers: secured.headers },
      env: secured.env,
    },
    { workload: { name: 'string_spectrum (cached)', body: SPECTRUM } },
    { workload: { name: 'inference, 1D wave, 1 point (cached)', body: inference('0.5') } },
    {
      workload: { name: 'inference, 1D wave, 1 point (all misses)', body: inference('0.{n}'), unique: true },
    },
  ];
  const bares: Row[] = [];
  const runs = specs.map(() => [] as Row[]);
  for (let round = 0; round < rounds; round++) {
    const bare = await measureBare(bytes, seconds);
    bares.push(bare);
    for (const [i, spec] of specs.entries()) {
      const row = await measureMcp(spec.workload, seconds, spec.env);
      runs[i]?.push({ ...row, share: row.requestsPerSecond / bare.requestsPerSecond });
    }
  }
  const median = (each: readonly Row[], by: (row: Row) => number): Row =>
    [...each].sort((a, b) => by(a) - by(b))[Math.floor(each.length / 2)] as Row;
  return {
    baseline: median(bares, (row) => row.requestsPerSecond),
    rows: runs.map((each) => median(each, (row) => row.share ?? 0)),
  };
}

/** How the target rows run: AUTH_ENABLED with a read key made by `dredge keys create`, and rate limits counted. */
const SECURED = 'authentication and rate limits on';

function securedServer(dataDir: string): { env: NodeJS.ProcessEnv; headers: Record<string, string> } {
  const key = createKey(dataDir, 'read');
  return {
    // A limit no run reaches (about 10,000 requests a second for 10 s): the cost of counting, not of refusing.
    env: {
      DATA_DIR: dataDir,
      AUTH_ENABLED: 'true',
      RATE_LIMIT_ENABLED: 'true',
      RATE_LIMIT_REQUESTS: '1000000',
    },
    headers: { authorization: `Bearer ${key}` },
  };
}

/** The secured rows against the targets, as shares of the bare server's throughput and CPU per request. */
function printTargets(rows: readonly Row[], baseline: Row): void {
  for (const [kind, target] of [
    ['misses', TARGETS.misses],
    ['hits', TARGETS.hits],
  ] as const) {
    const row = rows.find((each) => each.name === `unified_inference, all ${kind}, ${SECURED}`);
    if (!row) continue;
    const share = row.share ?? row.requestsPerSecond / baseline.requestsPerSecond;
    const cpu =
      row.cpuPerRequest === undefined || baseline.cpuPerRequest === undefined
        ? ''
        : `; server CPU ${row.cpuPerRequest.toFixed(0)} µs/request against bare's ${baseline.cpuPerRequest.toFixed(0)}`;
    console.log(
      `target, ${kind} with ${SECURED}: ${share.toFixed(2)} of bare's throughput (target ${target}: ${share >= target ? 'met' : 'not met'})${cpu}`,
    );
  }
}

/** 1 against 2 server processes (the real CLI), unpinned, on misses and on hits. */
async function processes(seconds: number, header: string): Promise<void> {
  unpin();
  const rows: Row[] = [];
  for (const workload of [
    { name: 'unified_inference, all misses', body: MISS, unique: true },
    { name: 'unified_inference, all hits', body: HIT },
  ] satisfies Workload[]) {
    for (const count of [1, 2]) rows.push(await measureProcesses(count, workload, seconds));
  }
  console.log(
    `Server processes: ${header}, ${PROCESS_CONNECTIONS} connections, nothing pinned (servers and load generator share the machine's cores)`,
  );
  console.log(
    '| processes, workload | requests/s | vs 1 process | server CPU µs/request (all processes) | p99 ms |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (let i = 0; i < rows.length; i += 2) {
    const one = rows[i] as Row;
    for (const row of [one, rows[i + 1] as Row]) {
      console.log(
        `| ${row.name} | ${Math.round(row.requestsPerSecond)} | ${(row.requestsPerSecond / one.requestsPerSecond).toFixed(2)} | ${row.cpuPerRequest?.toFixed(0) ?? ''} | ${row.p99.toFixed(2)} |`,
      );
    }
  }
}

/** The name every row measured on the original starts with. */
const ORIGINAL = 'original (Python)';

/** The original on unified_inference misses and hits, when DREDGE_BENCH_ORIGINAL_COMMAND says how to start it. */
async function measureOriginal(seconds: number): Promise<Row[]> {
  const command = originalCommand();
  if (command === undefined) return [];
  const rows: Row[] = [];
  for (const workload of [
    { name: `${ORIGINAL}, unified_inference, all misses`, body: MISS, unique: true },
    { name: `${ORIGINAL}, unified_inference, all hits`, body: HIT },
  ]) {
    const server = await startOriginalServer(command);
    try {
      rows.push({ name: workload.name, ...(await runLoad(server.url, workload, CONNECTIONS, seconds)) });
    } finally {
      await server.stop();
    }
  }
  return rows;
}

/** Ours against the original, workload by workload, from the rows of this one run. */
function printAgainstOriginal(rows: readonly Row[]): void {
  for (const original of rows.filter((row) => row.name.startsWith(ORIGINAL))) {
    const ours = rows.find((row) => `${ORIGINAL}, ${row.name}` === original.name);
    if (!ours) continue;
    const throughput = (ours.requestsPerSecond / original.requestsPerSecond).toFixed(1);
    const p99 = (original.p99 / ours.p99).toFixed(1);
    console.log(`${ours.name}: ${throughput}× the original's requests/s, p99 ${p99}× lower (same run)`);
  }
}

/**
 * Open-loop latency for the bare server, ours on unified_inference misses and hits, and the original on misses
 * when configured: each server's saturation rate first (closed loop), then 25, 50 and 75 % of it.
 */
async function openLoop(bareBytes: string, seconds: number): Promise<void> {
  // Every connection of the pool comes from one address: the cap per address (32 by default) would refuse half.
  const mcp = () =>
    startChildServer('./mcp-server-process.js', {
      MAX_CONNECTIONS_PER_ADDRESS: String(OPEN_LOOP_CONNECTIONS),
    });
  const targets: OpenLoopTarget[] = [
    {
      name: 'bare node:http, same bytes',
      start: () => startChildServer('./bare-server-process.js', {}, [bareBytes], false),
      workload: { name: 'bare', body: MISS, unique: true },
    },
    {
      name: 'unified_inference, all misses',
      start: mcp,
      workload: { name: 'misses', body: MISS, unique: true },
    },
    { name: 'unified_inference, all hits', start: mcp, workload: { name: 'hits', body: HIT } },
  ];
  const command = originalCommand();
  if (command !== undefined) {
    targets.push({
      name: `${ORIGINAL}, unified_inference, all misses`,
      start: () => startOriginalServer(command),
      workload: { name: 'original misses', body: MISS, unique: true },
    });
  }
  const rows: OpenLoopRow[] = [];
  for (const target of targets) rows.push(...(await measureOpenLoop(target, CONNECTIONS, seconds)));
  console.log(
    `HTTP latency at a fixed rate: Node.js ${process.version}; saturation by ${describeLoadGenerator()}, ${seconds} s; ${describeOpenLoop(seconds)}; ${describePinning()}`,
  );
  console.log(formatOpenLoop(rows, CONNECTIONS));
}

/** Rounds of the authentication comparison unless `--rounds` says otherwise. */
const AUTH_ROUNDS = 9;
/**
 * The rate the authentication variants are compared at: below what each serves at full speed here (about 4,000
 * requests a second on one core), so every server answers the same requests per second. At full speed a server's
 * CPU per request also depends on how often it waits for the load generator (a waiting server does more wake-ups
 * per request), which differed between variants by more than the cost measured.
 */
const AUTH_RATE = 2_000;

/** The row of median server CPU per request among runs of one variant. */
function medianRow(runs: readonly Row[]): Row {
  const sorted = [...runs].sort((a, b) => (a.cpuPerRequest ?? 0) - (b.cpuPerRequest ?? 0));
  return sorted[Math.floor(sorted.length / 2)] as Row;
}

/**
 * What authentication and the scope check cost: cached unified_inference answers from a server without
 * authentication, then with AUTH_ENABLED and a key made by `dredge keys create` (read scope), then with the
 * original's API_KEY, then with the key and rate limits on (counted in memory), each on a fresh server sharing one
 * DATA_DIR. The difference in server CPU per request is the cost (the README's target: at most 10 µs).
 */
async function measureAuthentication(seconds: number, baseline: Row, rounds: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dredge-bench-keys-'));
  try {
    const key = createKey(dataDir, 'read');
    const legacy = 'bench-original-api-key-0123456789abcdef';
    const secure = { DATA_DIR: dataDir, AUTH_ENABLED: 'true', API_KEY: legacy };
    const variants: Array<{ workload: Workload; env: NodeJS.ProcessEnv }> = [
      {
        workload: { name: 'cached unified_inference, no authentication', body: HIT },
        env: { DATA_DIR: dataDir },
      },
      {
        // The same server again: how far two identical fresh servers differ, the floor under every difference below.
        workload: {
          name: 'cached unified_inference, no authentication (control: the same again)',
          body: HIT,
        },
        env: { DATA_DIR: dataDir },
      },
      {
        workload: {
          name: 'cached unified_inference, AUTH_ENABLED, a read key (Authorization: Bearer)',
          body: HIT,
          headers: { authorization: `Bearer ${key}` },
        },
        env: secure,
      },
      {
        workload: {
          name: "cached unified_inference, AUTH_ENABLED, the original's API_KEY (X-API-Key)",
          body: HIT,
          headers: { 'x-api-key': legacy },
        },
        env: secure,
      },
      {
        workload: {
          name: 'cached unified_inference, AUTH_ENABLED, a read key, RATE_LIMIT_ENABLED',
          body: HIT,
          headers: { authorization: `Bearer ${key}` },
        },
        // A limit no run reaches (about 8,000 requests a second for a few seconds): the cost of counting.
        env: { ...secure, RATE_LIMIT_ENABLED: 'true', RATE_LIMIT_REQUESTS: '1000000' },
      },
    ];
    // Fresh servers differ by more than the cost measured: several rounds, in turn, and each variant's median.
    const runs = variants.map(() => [] as Row[]);
    // Each round starts with a different variant, so that no variant always runs first (or last) in a round.
    for (let round = 0; round < rounds; round++) {
      for (let step = 0; step < variants.length; step++) {
        const i = (round + step) % variants.length;
        const variant = variants[i] as (typeof variants)[number];
        runs[i]?.push(await measureMcp({ ...variant.workload, rate: AUTH_RATE }, seconds, variant.env));
      }
    }
    const rows = runs.map(medianRow);
    console.log(
      `\nAuthentication and scopes (median of ${rounds} rounds, servers in turn, ${AUTH_RATE} requests/s each):`,
    );
    console.log(formatRows(rows, baseline));
    const [open, ...keyed] = rows;
    for (const row of keyed) {
      if (open?.cpuPerRequest === undefined || row.cpuPerRequest === undefined) continue;
      console.log(
        `${row.name}: ${(row.cpuPerRequest - open.cpuPerRequest).toFixed(1)} µs of server CPU per request`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
