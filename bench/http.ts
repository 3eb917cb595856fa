/**
 * HTTP throughput and latency of the MCP server at 8 connections, against a bare node:http server returning the
 * same bytes, measured in the same run. Servers and the load generator run in separate processes (pinned to
 * separate cores where possible); each MCP workload gets a fresh server, so one workload's cache and garbage do
 * not weigh on the next.
 *
 *   npm run bench -- http [--seconds 10]
 */
import { describePinning, startChildServer } from './support/child-server.js';
import { describeLoadGenerator, runLoad, type LoadResult, type Workload } from './support/load-generator.js';

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
  const off = { METRICS_ENABLED: 'false', TRACING_ENABLED: 'false' };
  const rows: Row[] = [
    baseline,
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
  const [, misses, quiet] = rows;
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
