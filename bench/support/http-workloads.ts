/** The HTTP benchmark's workloads and its way of measuring one MCP server process under one of them. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startChildServer } from './child-server.js';
import { runLoad, type LoadResult, type Workload } from './load-generator.js';

export const CONNECTIONS = 8;

/** unified_inference with an insight made unique per request: every request a cache miss. */
export const MISS =
  '{"operation":"unified_inference","params":{"dredge_insight":"insight {n}","quasimoto_coords":[0.5,0.5],"string_modes":[1,2,3]}}';
/** The same request every time: every request after the first a cache hit. */
export const HIT =
  '{"operation":"unified_inference","params":{"dredge_insight":"the same insight","quasimoto_coords":[0.5],"string_modes":[1,2,3]}}';
export const SPECTRUM = '{"operation":"string_spectrum","params":{}}';
export const inference = (x: string) =>
  `{"operation":"inference","params":{"model_id":"quasimoto_1d_0","inputs":{"x":[${x}],"t":[0]}}}`;

export interface Row extends LoadResult {
  readonly name: string;
  /** The server's CPU time per answered request, µs (less sensitive to the load generator than throughput). */
  readonly cpuPerRequest?: number;
  /** Requests/s as a share of a bare server measured beside it, where not the table's baseline. */
  readonly share?: number;
}

export async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return response.text();
}

/** A row from a load result and the CPU its server used over it. */
export function rowOf(name: string, result: LoadResult, seconds: number, cpu: number | undefined): Row {
  const requests = result.requestsPerSecond * seconds;
  return { name, ...result, ...(cpu === undefined ? {} : { cpuPerRequest: cpu / requests }) };
}

/**
 * A server script answering fixed bytes to every request (it reports no CPU time: /proc is read), measured under
 * the misses' workload.
 */
export async function measureFixedBytes(
  name: string,
  script: string,
  args: string[],
  seconds: number,
): Promise<Row> {
  const server = await startChildServer(script, {}, args, false);
  try {
    server.markStart();
    const result = await runLoad(server.url, { name, body: MISS, unique: true }, CONNECTIONS, seconds);
    return rowOf(name, result, seconds, await server.stop());
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** The bare node:http server answering `bytes` to every request. */
export function measureBare(bytes: string, seconds: number): Promise<Row> {
  return measureFixedBytes('bare node:http, same bytes', './bare-server-process.js', [bytes], seconds);
}

/** A fresh MCP server process with a seeded 1D wave loaded, loaded with one workload, then stopped. */
export async function measureMcp(
  workload: Workload,
  seconds: number,
  env: NodeJS.ProcessEnv = {},
): Promise<Row> {
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
  return rowOf(workload.name, result, seconds, await server.stop());
}

/** The CLI, to make a key as an operator would (`dredge keys create`). */
const DREDGE = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** A new API key in `dataDir`'s store with the given scopes, made by `dredge keys create`. */
export function createKey(dataDir: string, scopes: string): string {
  const made = spawnSync(
    process.execPath,
    [DREDGE, 'keys', 'create', '--scopes', scopes, '--name', 'bench'],
    {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    },
  );
  const key = made.stdout.trim();
  if (made.status !== 0 || !key) throw new Error(`dredge keys create failed: ${made.stderr}`);
  return key;
}

/** A table of rows, each with its throughput as a share of `baseline`'s and its server CPU per request. */
export function formatRows(rows: readonly Row[], baseline: Row): string {
  const lines = [
    '| workload (8 connections) | requests/s | vs bare node:http | p50 ms | p99 ms | server CPU µs/request | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const ratio =
      row === baseline
        ? '1.00 (baseline)'
        : (row.share ?? row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2);
    const cpu = row.cpuPerRequest === undefined ? '' : row.cpuPerRequest.toFixed(0);
    const latency = `${row.p50.toFixed(2)} | ${row.p99.toFixed(2)}`;
    lines.push(
      `| ${row.name} | ${Math.round(row.requestsPerSecond)} | ${ratio} | ${latency} | ${cpu} | ${row.errors} |`,
    );
  }
  return lines.join('\n');
}
