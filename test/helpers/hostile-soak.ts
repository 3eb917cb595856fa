/**
 * A hostile soak against a real `dredge up`: for a bounded time, several abusive clients at once (the largest
 * allowed models and inferences, concurrent trainings, slow-header and idle sockets, deep nesting, task floods,
 * bodies over the limit) while a well-behaved client, from another loopback address, asks for `/health` and a
 * cached inference. Loopback only; every loop stops at the deadline or after its own request cap.
 *
 * Used by `bench/hostile-soak.ts` (60 s, the README's figures) and by a short test with generous bounds.
 */
import { readFileSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { MAX_INFERENCE_ROWS } from '../../src/app/operations/inference.js';
import { startServersProcess } from './dredge-servers-process.js';

export interface SoakOptions {
  readonly seconds: number;
  /** The server's environment (limits, DATA_DIR, …). */
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Abusive sockets held open at once (slow headers and idle keep-alive, half each). */
  readonly sockets?: number;
  /** Only the abuse whose names contain one of these (to find which one costs what); all by default. */
  readonly only?: readonly string[];
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface SoakReport {
  readonly seconds: number;
  readonly health: LatencySummary;
  readonly cachedInference: LatencySummary;
  /** Answers the well-behaved client did not get (a refused connection, a non-200). */
  readonly wellBehavedFailures: number;
  /** Every abusive answer, by kind and status ("refused" for a connection closed without an answer). */
  readonly answers: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** From the server's /metrics at the end: the longest event-loop delay since it started. */
  readonly eventLoopDelayMaxMs: number | undefined;
  readonly peakRssMiB: number;
  /** `/health` answered 200 after the soak, and the process then exited 0 on SIGTERM. */
  readonly aliveAfter: boolean;
  readonly exitCode: number | string | null;
  /** Everything the server printed (its logs, and `--trace-gc` lines when NODE_OPTIONS asks for them). */
  readonly serverOutput: string;
  /** The server's /metrics text at the end of the soak. */
  readonly metrics: string;
}

/**
 * Three clients by address, so that the per-address connection cap (MAX_CONNECTIONS_PER_ADDRESS) keeps the
 * idle-socket hog from starving the others: the hog on 127.0.0.1, the abusive requests on 127.0.0.3, the
 * well-behaved client on 127.0.0.2.
 */
const POLITE_ADDRESS = '127.0.0.2';
const ABUSIVE_ADDRESS = '127.0.0.3';

interface Answer {
  readonly status: number | 'refused';
  readonly ms: number;
}

function send(
  base: string,
  method: string,
  path: string,
  body: string | Buffer | undefined,
  options: { localAddress?: string; agent?: Agent; timeoutMs?: number } = { localAddress: ABUSIVE_ADDRESS },
): Promise<Answer> {
  const url = new URL(path, base);
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
        ...(options.agent ? { agent: options.agent } : {}),
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        res.on('error', () => resolve({ status: 'refused', ms: performance.now() - started }));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 'refused', ms: performance.now() - started }));
    req.end(body);
  });
}

function summarise(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted[sorted.length - 1] ?? NaN };
}

const operation = (name: string, params: unknown): string => JSON.stringify({ operation: name, params });

/** A JSON value nested `depth` arrays deep. */
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/** Loads a model before the soak and answers its id. */
async function loadModel(base: string, params: unknown): Promise<string> {
  const response = await fetch(new URL('/mcp', base), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: operation('load_model', params),
  });
  const body = (await response.json()) as { model_id?: string; error?: string };
  if (!body.model_id) throw new Error(`the soak could not load ${JSON.stringify(params)}: ${body.error}`);
  return body.model_id;
}

export async function runHostileSoak(options: SoakOptions): Promise<SoakReport> {
  const server = await startServersProcess(
    ['up', '--host', '127.0.0.1', '--port', '0', '--mcp-port', '0'],
    { LOG_LEVEL: 'warn', ...options.env },
    options.cwd,
  );
  const mcp = server.urls['DREDGE MCP server'] as string;
  const dredge = server.urls['DREDGE server'] as string;
  const pid = server.child.pid as number;
  const deadline = Date.now() + options.seconds * 1000;
  const running = (): boolean => Date.now() < deadline;
  const answers: Record<string, Record<string, number>> = {};
  const count = (kind: string, answer: Answer): void => {
    const byStatus = (answers[kind] ??= {});
    byStatus[String(answer.status)] = (byStatus[String(answer.status)] ?? 0) + 1;
  };
  /** Runs `work` again and again until the deadline or `cap` times, counting each answer under `kind`. */
  const chosen = (kind: string): boolean => !options.only || options.only.some((name) => kind.includes(name));
  const loop = async (kind: string, cap: number, work: (i: number) => Promise<Answer>): Promise<void> => {
    if (!chosen(kind)) return;
    for (let i = 0; i < cap && running(); i++) count(kind, await work(i));
  };

  // The well-behaved client's cached inference: computed once before the soak.
  const cachedBody = operation('unified_inference', { dredge_insight: 'the soak', quasimoto_coords: [0.5] });
  await send(mcp, 'POST', '/mcp', cachedBody, { localAddress: POLITE_ADDRESS });
  const health: number[] = [];
  const cached: number[] = [];
  let wellBehavedFailures = 0;
  const polite = (async () => {
    while (running()) {
      const h = await send(mcp, 'GET', '/health', undefined, {
        localAddress: POLITE_ADDRESS,
        timeoutMs: 30_000,
      });
      if (h.status === 200) health.push(h.ms);
      else wellBehavedFailures++;
      const c = await send(mcp, 'POST', '/mcp', cachedBody, {
        localAddress: POLITE_ADDRESS,
        timeoutMs: 30_000,
      });
      if (c.status === 200) cached.push(c.ms);
      else wellBehavedFailures++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();

  const sockets: Socket[] = [];
  const holdSockets = async (): Promise<void> => {
    const total = chosen('slow and idle sockets') ? (options.sockets ?? 200) : 0;
    for (let i = 0; i < total && running(); i++) {
      const socket = connect({
        host: '127.0.0.1',
        port: Number(new URL(mcp).port),
        localAddress: '127.0.0.1',
      });
      socket.on('error', () => undefined);
      socket.on('close', () => count('slow and idle sockets', { status: 'refused', ms: 0 }));
      // Half send a request line and never finish the headers; half connect and say nothing.
      if (i % 2 === 0) socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      sockets.push(socket);
    }
    while (running()) {
      for (const socket of sockets) if (!socket.destroyed && socket.writable) socket.write('X-Slow: 1\r\n');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };

  // The largest model the bounds allow, then the largest inferences and trainings against models.
  const largest = operation('load_model', {
    model_type: 'string_theory',
    config: { hidden_size: 1024, num_layers: 10, dimensions: 1024 },
  });
  const wave = await loadModel(mcp, { model_type: 'quasimoto_1d' });
  const ensemble = await loadModel(mcp, { model_type: 'quasimoto_ensemble', config: { n_waves: 256 } });
  const network = await loadModel(mcp, {
    model_type: 'string_theory',
    config: { hidden_size: 256, num_layers: 10, dimensions: 256 },
  });
  const rows = Array.from({ length: MAX_INFERENCE_ROWS }, (_, i) => (i % 1000) / 1000);
  const hugeInference = Buffer.from(operation('inference', { model_id: wave, inputs: { x: rows, t: [0] } }));
  const training = operation('train', { model_id: ensemble, epochs: 100_000, dataset: 'chirp' });
  const overLimit = Buffer.alloc(8 * 1024 * 1024, 32);

  await Promise.all([
    polite,
    holdSockets(),
    loop('largest model', 6, () => send(mcp, 'POST', '/mcp', largest)),
    loop('largest inference', 40, () => send(mcp, 'POST', '/mcp', hugeInference)),
    loop('largest inference', 40, () => send(mcp, 'POST', '/mcp', hugeInference)),
    loop('concurrent trainings', 20, () => send(mcp, 'POST', '/mcp', training)),
    loop('concurrent trainings', 20, () => send(mcp, 'POST', '/mcp', training)),
    loop('get_parameters of the largest', 20, () =>
      send(mcp, 'POST', '/mcp', operation('get_parameters', { model_id: network })),
    ),
    loop('model fit', 40, (i) =>
      send(dredge, 'GET', `/api/models/${ensemble}/fit?points=${100 + (i % 1900)}`, undefined),
    ),
    loop('deep nesting', 2000, (i) =>
      i % 2
        ? send(
            mcp,
            'POST',
            '/mcp',
            `{"operation":"submit_task","params":{"operation":"string_spectrum","params":${nested(5000)}}}`,
          )
        : send(dredge, 'POST', '/lift', `{"insight_text":${nested(5000)}}`),
    ),
    loop('task flood', 20_000, (i) =>
      send(mcp, 'POST', '/tasks', operation('string_spectrum', { max_modes: 1 + (i % 100) })),
    ),
    loop('bodies over the limit', 10, () => send(mcp, 'POST', '/mcp', overLimit)),
    loop('insight flood', 5_000, (i) =>
      send(
        dredge,
        'POST',
        '/lift',
        JSON.stringify({ insight_text: `soak insight ${i} ${'x'.repeat(60_000)}` }),
      ),
    ),
  ]);
  for (const socket of sockets) socket.destroy();

  const metrics = await fetch(`${mcp}/metrics`)
    .then((response) => response.text())
    .catch(() => '');
  const delay = /^dredge_event_loop_delay_max_seconds (\S+)$/m.exec(metrics)?.[1];
  const peak = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  const after = await send(mcp, 'GET', '/health', undefined, {
    localAddress: POLITE_ADDRESS,
    timeoutMs: 10_000,
  });
  const exitCode = await server.stop();
  return {
    seconds: options.seconds,
    health: summarise(health),
    cachedInference: summarise(cached),
    wellBehavedFailures,
    answers,
    eventLoopDelayMaxMs: delay === undefined ? undefined : Number(delay) * 1000,
    peakRssMiB: Number(peak) / 1024,
    aliveAfter: after.status === 200 && exitCode === 0,
    exitCode,
    serverOutput: server.output(),
    metrics,
  };
}
