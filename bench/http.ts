/**
 * HTTP throughput and latency of the MCP server at 8 connections (autocannon), against a bare node:http server
 * returning the same bytes, measured in the same run. Server and load generator run in separate processes.
 *
 *   npm run bench -- http [--seconds 10]
 */
import autocannon from 'autocannon';
import { startChildServer, type ChildServer } from './support/child-server.js';

const CONNECTIONS = 8;

interface Row {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

interface Workload {
  readonly name: string;
  /** The request body; called per request when the body must change (all misses). */
  readonly body: string | (() => string);
}

async function load(url: string, workload: Workload, seconds: number): Promise<Row> {
  const makeBody = typeof workload.body === 'string' ? undefined : workload.body;
  const result = await autocannon({
    url: `${url}/mcp`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(makeBody
      ? { requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, body: makeBody() }) }] }
      : { body: workload.body as string }),
  });
  return {
    name: workload.name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

async function post(url: string, body: unknown): Promise<string> {
  const response = await fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.text();
}

function format(rows: readonly Row[], baseline: Row): string {
  const lines = [
    '| workload (8 connections) | requests/s | vs bare node:http | p50 ms | p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const ratio =
      row === baseline ? '1.00 (baseline)' : (row.requestsPerSecond / baseline.requestsPerSecond).toFixed(2);
    lines.push(
      `| ${row.name} | ${Math.round(row.requestsPerSecond)} | ${ratio} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.errors} |`,
    );
  }
  return lines.join('\n');
}

export async function run(args: string[]): Promise<void> {
  const secondsArg = args.indexOf('--seconds');
  const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 10;
  let counter = 0;
  const missBody = () =>
    JSON.stringify({
      operation: 'unified_inference',
      params: {
        dredge_insight: `insight ${counter++}`,
        quasimoto_coords: [0.5, 0.5],
        string_modes: [1, 2, 3],
      },
    });
  const hitBody = JSON.stringify({
    operation: 'unified_inference',
    params: { dredge_insight: 'the same insight', quasimoto_coords: [0.5], string_modes: [1, 2, 3] },
  });

  const servers: ChildServer[] = [];
  try {
    const mcp = await startChildServer('./mcp-server-process.js');
    servers.push(mcp);
    const loaded = JSON.parse(
      await post(mcp.url, {
        operation: 'load_model',
        params: { model_type: 'quasimoto_1d', config: { seed: 1 } },
      }),
    ) as { model_id: string };
    // The bare server answers with exactly the bytes the MCP server gives for a unified_inference miss.
    const bytes = await post(mcp.url, JSON.parse(missBody()));
    const bare = await startChildServer('./bare-server-process.js', {}, [bytes]);
    servers.push(bare);
    const quiet = await startChildServer('./mcp-server-process.js', {
      METRICS_ENABLED: 'false',
      TRACING_ENABLED: 'false',
    });
    servers.push(quiet);

    const rows: Row[] = [];
    const baseline = await load(bare.url, { name: 'bare node:http, same bytes', body: missBody() }, seconds);
    rows.push(baseline);
    rows.push(await load(mcp.url, { name: 'unified_inference, all misses', body: missBody }, seconds));
    rows.push(
      await load(
        quiet.url,
        { name: 'unified_inference, all misses, metrics and tracing off', body: missBody },
        seconds,
      ),
    );
    rows.push(await load(mcp.url, { name: 'unified_inference, all hits', body: hitBody }, seconds));
    rows.push(
      await load(
        mcp.url,
        {
          name: 'string_spectrum (10 modes, cached)',
          body: JSON.stringify({ operation: 'string_spectrum', params: {} }),
        },
        seconds,
      ),
    );
    rows.push(
      await load(
        mcp.url,
        {
          name: 'inference, 1D wave, 1 point (cached)',
          body: JSON.stringify({
            operation: 'inference',
            params: { model_id: loaded.model_id, inputs: { x: [0.5], t: [0] } },
          }),
        },
        seconds,
      ),
    );
    const noCacheInference = () =>
      JSON.stringify({
        operation: 'inference',
        params: { model_id: loaded.model_id, inputs: { x: [Math.random()], t: [0] } },
      });
    rows.push(
      await load(
        mcp.url,
        { name: 'inference, 1D wave, 1 point (all misses)', body: noCacheInference },
        seconds,
      ),
    );

    console.log(
      `HTTP benchmark — node ${process.version}, ${seconds} s per workload, ${CONNECTIONS} connections`,
    );
    console.log(format(rows, baseline));
    const [, misses, quietMisses] = rows;
    if (misses && quietMisses) {
      const cost = 1 - misses.requestsPerSecond / quietMisses.requestsPerSecond;
      console.log(
        `\ncost of metrics and tracing on unified_inference misses: ${(cost * 100).toFixed(1)} % of throughput`,
      );
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}
