/**
 * The load beside the fuzzer's requests: a polite client asking each server for `/health` (whose latency is the
 * run's figure of service), and slow-header and idle sockets held open, each from its own loopback address so that
 * MAX_CONNECTIONS_PER_ADDRESS judges them apart from the fuzzer.
 */
import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { ServerName } from './request.js';
import { parseRawResponses, type HttpAnswerPart } from './raw-responses.js';
import { sendHttp, type Urls } from './send.js';

/** Latencies in milliseconds, summarised. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export function summarise(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { count: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? NaN };
}

/** A polite client waits this long between requests: it measures the servers, it does not load them. */
const PROBE_PAUSE_MS = 20;
/** Longer than this for `/health` is a failure: the fuzz must not starve a well-behaved client. */
const PROBE_LIMIT_MS = 2_000;

export interface PoliteProbe {
  readonly failures: readonly string[];
  /** Stops the loop and answers the latencies it measured. */
  stop(): Promise<LatencySummary>;
}

/** `/health` of each server in turn, one at a time, until stopped; any answer but a 200 in time is a failure. */
export function politeProbe(urls: Urls, localAddress: string): PoliteProbe {
  const agent = new Agent({ keepAlive: true, maxSockets: 1, localAddress });
  const agents = { mcp: agent, dredge: agent };
  const latencies: number[] = [];
  const failures: string[] = [];
  let running = true;
  const loop = (async () => {
    for (let turn = 0; running; turn++) {
      const server: ServerName = turn % 2 ? 'dredge' : 'mcp';
      const answer = await sendHttp(urls, agents, {
        door: 'probe',
        server,
        who: 'none',
        method: 'GET',
        path: '/health',
        headers: { host: urls[server].host },
      });
      latencies.push(answer.ms);
      if (answer.status !== 200 || answer.ms > PROBE_LIMIT_MS) {
        failures.push(
          `${server} /health: ${answer.status} in ${answer.ms.toFixed(0)} ms ${answer.error ?? ''}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_PAUSE_MS));
    }
  })();
  return {
    failures,
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      return summarise(latencies);
    },
  };
}

interface HeldSocket {
  readonly socket: Socket;
  /** Slow: a request line, then a header line a second, never the end of the headers. Else idle: silent. */
  readonly slow: boolean;
  readonly received: Buffer[];
  closedByServer: boolean;
}

export interface HeldSockets {
  /**
   * Waits up to `withinMs` for the servers to close every held socket (HEADERS_TIMEOUT covers both kinds), then
   * destroys the rest: how many of each kind the servers closed, and the answers they wrote before closing.
   */
  release(
    withinMs: number,
  ): Promise<{ slow: number; idle: number; total: number; answers: HttpAnswerPart[] }>;
}

/** `perServer` sockets on each server (half slow-header, half idle), held until released. */
export function holdSockets(urls: Urls, localAddress: string, perServer: number): HeldSockets {
  const held: HeldSocket[] = [];
  for (const server of ['mcp', 'dredge'] as const) {
    for (let i = 0; i < perServer; i++) {
      const socket = connect({ host: urls[server].hostname, port: Number(urls[server].port), localAddress });
      const one: HeldSocket = { socket, slow: i % 2 === 0, received: [], closedByServer: false };
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => one.received.push(chunk));
      socket.on('close', () => (one.closedByServer = true));
      if (one.slow)
        socket.on('connect', () => socket.write(`GET /health HTTP/1.1\r\nHost: ${urls[server].host}\r\n`));
      held.push(one);
    }
  }
  const dribble = setInterval(() => {
    for (const { socket, slow } of held) if (slow && socket.writable) socket.write('X-Slow: 1\r\n');
  }, 1_000);
  return {
    async release(withinMs) {
      const deadline = performance.now() + withinMs;
      while (held.some((one) => !one.closedByServer) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      clearInterval(dribble);
      const closed = { slow: 0, idle: 0, total: held.length, answers: [] as HttpAnswerPart[] };
      for (const one of held) {
        if (one.closedByServer) closed[one.slow ? 'slow' : 'idle']++;
        closed.answers.push(...parseRawResponses(Buffer.concat(one.received)));
        one.socket.destroy();
      }
      return closed;
    },
  };
}
