import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export interface LoadResult {
  readonly requestsPerSecond: number;
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
}

/** A POST /mcp workload: one fixed body, or a body made per request (to make every request a cache miss). */
export interface Workload {
  readonly name: string;
  readonly body: string;
  /** When set, the request number replaces every `{n}` in the body, so that no two requests are alike. */
  readonly unique?: boolean;
  /** Headers sent with every request besides the content type (an API key). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Requests per second in all, when set: an open-loop load at that rate (autocannon's `overallRate`; wrk has no
   * rate). Two servers compared at one rate do the same work per second, so their CPU per request differs only by
   * what each request costs them, not by how busy the load generator kept them.
   */
  readonly rate?: number;
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

export function describeLoadGenerator(): string {
  return hasWrk ? 'wrk (1 thread)' : 'autocannon (wrk not installed)';
}

/**
 * Loads `url` with the workload at `connections` connections for `seconds`. wrk is preferred: written in C, it
 * keeps up with a fast server on one core where autocannon (JavaScript) runs out of CPU before the server does.
 */
export async function runLoad(
  url: string,
  workload: Workload,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  return hasWrk && workload.rate === undefined
    ? runWrk(url, workload, connections, seconds)
    : runAutocannon(url, workload, connections, seconds);
}

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function runWrk(url: string, workload: Workload, connections: number, seconds: number): LoadResult {
  const [before, after] = workload.unique ? workload.body.split('{n}') : [workload.body, undefined];
  const script = [
    'wrk.method = "POST"',
    'wrk.headers["Content-Type"] = "application/json"',
    ...Object.entries(workload.headers ?? {}).map(
      ([name, value]) => `wrk.headers[${luaString(name)}] = ${luaString(value)}`,
    ),
    'local n = 0',
    after === undefined
      ? `wrk.body = ${luaString(before ?? '')}`
      : `request = function() n = n + 1; return wrk.format(nil, "/mcp", nil, ${luaString(before ?? '')} .. n .. ${luaString(after)}) end`,
    'done = function(summary, latency, requests)',
    '  io.write(string.format("RESULT %f %f %f %d\\n", summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))',
    'end',
  ].join('\n');
  const path = join(mkdtempSync(join(tmpdir(), 'dredge-wrk-')), 'workload.lua');
  writeFileSync(path, script);
  const target = after === undefined ? `${url}/mcp` : url;
  const result = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', path, target], {
    encoding: 'utf8',
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk gave no result: ${result.stdout}${result.stderr}`);
  const [rps, p50, p99, errors] = line.slice('RESULT '.length).split(' ').map(Number) as [
    number,
    number,
    number,
    number,
  ];
  return { requestsPerSecond: rps, p50, p99, errors };
}

async function runAutocannon(
  url: string,
  workload: Workload,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  let n = 0;
  const [before, after] = workload.body.split('{n}');
  const result = await autocannon({
    url: `${url}/mcp`,
    connections,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...workload.headers },
    ...(workload.rate === undefined ? {} : { overallRate: workload.rate }),
    ...(workload.unique && after !== undefined
      ? {
          requests: [
            { method: 'POST', setupRequest: (request) => ({ ...request, body: `${before}${++n}${after}` }) },
          ],
        }
      : { body: workload.body }),
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}
