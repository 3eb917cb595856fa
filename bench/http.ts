/**
 * HTTP throughput and latency of the MCP server at 8 connections, against a bare node:http server returning the
 * same bytes, measured in the same run. Servers and the load generator run in separate processes (pinned to
 * separate cores where possible); each MCP workload gets a fresh server, so one workload's cache and garbage do
 * not weigh on the next.
 *
 *   npm run bench -- http [--seconds 10] [--authentication [--rounds 9]]   (only the cost of authentication and rate limits)
 *   npm run bench -- http --open-loop [--seconds 10]   (only latency at a fixed rate: 25, 50 and 75 % of saturation)
 *
 * With DREDGE_BENCH_ORIGINAL_COMMAND set (a shell command starting the original Python server on $PORT), the
 * original is measured in the same run and its rows sit in the same tables (see support/original-server.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describePinning, startChildServer } from './support/child-server.js';
import { describeLoadGenerator, runLoad, type LoadResult, type Workload } from './support/load-generator.js';
import {
  describeOpenLoop,
  formatOpenLoop,
  measureOpenLoop,
  type OpenLoopRow,
  type OpenLoopTarget,
} from './support/open-loop-benchmark.js';
import { originalCommand, startOriginalServer } from './support/original-server.js';

const CONNECTIONS = 8;

const MISS =
  '{"operation":"unified_inference","params":{"dredge_insight":"insight {n}","quasimoto_coords":[0.5,0.5],"string_modes":[1,2,3]}}';
const HIT =
  '{"operation":"unified_inference","params":{"dredge_insight":"the same insight","quasimoto_coords":[0.5],"string_modes":[1,2,3]}}';
const SPECTRUM = '{"operation":"string_spectrum","params":{}}';
const inference = (x: string) =>
  `{"operation":"inference","params":{"model_id":"quasimoto_1d_0","inputs":{"x":[${x}],"t":[0]}}}`;

interface Row extends LoadResult {
  readonly name: string;
  /** The server's CPU time per answered request, µs (less sensitive to the load generator than throughput). */
  readonly cpuPerRequest?: number;
}

async function post(url: string, body: string): Promise<string> {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return response.text();
}

/** A fresh MCP server process with a seeded 1D wave loaded, loaded with one workload, then stopped. */
async function measureMcp(workload: Workload, seconds: number, env: NodeJS.ProcessEnv = {}): Promise<Row> {
  const server = await startChildServer('./mcp-server-process.js', env);
  let result: LoadResult;
  try {
    await post(
      server.url,
      '{"operation":"load_model","params":{"model_type":"quasimoto_1d","config":{"seed":1}}}',
    );
    server.markStart();
    result = await runLoad(server.url, workload, CONNECTIONS, seconds);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const cpu = await server.stop();
  const requests = result.requestsPerSecond * seconds;
  return { name: workload.name, ...result, ...(cpu === undefined ? {} : { cpuPerRequest: cpu / requests }) };
}

function format(rows: readonly Row[], baseline: Row): string {
  const lines = [
    '| workload (8 connections) | requests/s | vs bare node:http | p50 ms | p99 ms | server CPU µs/request | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const ratio =
      row === baseline ? '1.00 (baseline)' : (row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2);
    const cpu = row.cpuPerRequest === undefined ? '' : row.cpuPerRequest.toFixed(0);
    const latency = `${row.p50.toFixed(2)} | ${row.p99.toFixed(2)}`;
    lines.push(
      `| ${row.name} | ${Math.round(row.requestsPerSecond)} | ${ratio} | ${latency} | ${cpu} | ${row.errors} |`,
    );
  }
  return lines.join('\n');
}

export async function run(args: string[]): Promise<void> {
  const secondsArg = args.indexOf('--seconds');
  const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 10;

  // The bare server answers with exactly the bytes the MCP server gives for a unified_inference miss.
  const probe = await startChildServer('./mcp-server-process.js');
  const bytes = await post(probe.url, MISS.replace('{n}', '0'));
  await probe.stop();
  if (args.includes('--open-loop')) {
    await openLoop(bytes, seconds);
    return;
  }
  const bare = await startChildServer('./bare-server-process.js', {}, [bytes]);
  let baseline: Row;
  try {
    baseline = {
      name: 'bare node:http, same bytes',
      ...(await runLoad(bare.url, { name: 'bare', body: MISS, unique: true }, CONNECTIONS, seconds)),
    };
  } finally {
    await bare.stop();
  }
  if (args.includes('--authentication')) {
    const roundsArg = args.indexOf('--rounds');
    await measureAuthentication(
      seconds,
      baseline,
      roundsArg >= 0 ? Number(args[roundsArg + 1]) : AUTH_ROUNDS,
    );
    return;
  }
  const off = { METRICS_ENABLED: 'false', TRACING_ENABLED: 'false' };
  const rows: Row[] = [
    baseline,
    ...(await measureOriginal(seconds)),
    await measureMcp({ name: 'unified_inference, all misses', body: MISS, unique: true }, seconds),
    await measureMcp(
      { name: 'unified_inference, all misses, metrics and tracing off', body: MISS, unique: true },
      seconds,
      off,
    ),
    await measureMcp({ name: 'unified_inference, all hits', body: HIT }, seconds),
    await measureMcp({ name: 'string_spectrum (cached)', body: SPECTRUM }, seconds),
    await measureMcp({ name: 'inference, 1D wave, 1 point (cached)', body: inference('0.5') }, seconds),
    await measureMcp(
      { name: 'inference, 1D wave, 1 point (all misses)', body: inference('0.{n}'), unique: true },
      seconds,
    ),
  ];
  console.log(
    `HTTP benchmark: Node.js ${process.version}, ${seconds} s per workload, ${CONNECTIONS} connections, ${describeLoadGenerator()}, ${describePinning()}`,
  );
  console.log(format(rows, baseline));
  printAgainstOriginal(rows);
  await measureAuthentication(seconds, baseline, AUTH_ROUNDS);
  const [, misses, quiet] = rows.filter((row) => !row.name.startsWith(ORIGINAL));
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
  const mcp = () => startChildServer('./mcp-server-process.js');
  const targets: OpenLoopTarget[] = [
    {
      name: 'bare node:http, same bytes',
      start: () => startChildServer('./bare-server-process.js', {}, [bareBytes]),
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

/** The CLI, to make a key as an operator would (`dredge keys create`). */
const DREDGE = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/**
 * What authentication and the scope check cost: cached unified_inference answers from a server without
 * authentication, then with AUTH_ENABLED and a key made by `dredge keys create` (read scope), then with the
 * original's API_KEY, then with the key and rate limits on (counted in memory), each on a fresh server sharing one
 * DATA_DIR. The difference in server CPU per request is the cost (the README's target: at most 10 µs).
 */
async function measureAuthentication(seconds: number, baseline: Row, rounds: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dredge-bench-keys-'));
  try {
    const made = spawnSync(
      process.execPath,
      [DREDGE, 'keys', 'create', '--scopes', 'read', '--name', 'bench'],
      {
        env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
        encoding: 'utf8',
      },
    );
    const key = made.stdout.trim();
    if (made.status !== 0 || !key) throw new Error(`dredge keys create failed: ${made.stderr}`);
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
    console.log(format(rows, baseline));
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
