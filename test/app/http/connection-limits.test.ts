import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectionsCheckingIntervalMs,
  deadlineServerOptions,
} from '../../../src/app/http/connection-limits.js';
import { loadConfig } from '../../../src/config/index.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';

// Small deadlines so the test takes seconds; the defaults are 10 s, 30 s and 5 s.
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const KEEP_ALIVE_TIMEOUT_MS = 1_000;
/** Node.js keeps an idle keep-alive socket this much longer than KEEP_ALIVE_TIMEOUT (keepAliveTimeoutBuffer). */
const KEEP_ALIVE_BUFFER_MS = 1_000;
/** What a deadline may run late by: the checking interval (a tenth of the deadline) and a loaded machine. */
const SLACK_MS = 700;
const MAX_CONNECTIONS = 50;
const PER_ADDRESS = 20;
const ABUSIVE_SOCKETS = 200;

/** The abuser's address and the well-behaved client's: on Linux all of 127.0.0.0/8 is this machine. */
const ABUSER = '127.0.0.1';
const CLIENT = '127.0.0.2';

type Kind = 'slow headers' | 'slow body' | 'idle keep-alive';

interface AbusiveSocket {
  readonly kind: Kind;
  readonly openedAt: number;
  /** When the first byte from the server arrived (the 408, or the idle socket's one answer). */
  firstDataAt: number | undefined;
  received: string;
  closedAt: number | undefined;
}

/** One socket from ABUSER that holds its connection as `kind` says, recording what the server does with it. */
function abuse(port: number, kind: Kind): { record: AbusiveSocket; closed: Promise<void> } {
  const record: AbusiveSocket = {
    kind,
    openedAt: Date.now(),
    firstDataAt: undefined,
    received: '',
    closedAt: undefined,
  };
  const socket: Socket = connect({ host: '127.0.0.1', port, localAddress: ABUSER });
  let trickle: NodeJS.Timeout | undefined;
  socket.on('connect', () => {
    if (kind === 'idle keep-alive') {
      socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
      return;
    }
    socket.write(
      kind === 'slow headers'
        ? 'GET /health HTTP/1.1\r\nHost: localhost\r\n'
        : 'POST /mcp HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
    );
    // A byte now and then, as a slow client would: the deadlines run from the start, not from the last byte.
    trickle = setInterval(() => socket.write(kind === 'slow headers' ? 'X-Slow: 1\r\n' : ' '), 200);
  });
  socket.on('data', (chunk: Buffer) => {
    record.firstDataAt ??= Date.now();
    record.received += chunk.toString('latin1');
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) =>
    socket.on('close', () => {
      clearInterval(trickle);
      record.closedAt = Date.now();
      resolve();
    }),
  );
  return { record, closed };
}

/** GET /health from `localAddress` on a fresh connection: the status, or the failure's name, and how long it took. */
function health(port: number, localAddress = CLIENT): Promise<{ status: number | string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const call = request(
      { host: '127.0.0.1', port, path: '/health', localAddress, agent: false, timeout: 5_000 },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: Date.now() - started }));
      },
    );
    call.on('timeout', () => call.destroy(new Error('timeout')));
    call.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: error.code ?? error.message, ms: Date.now() - started }),
    );
    call.end();
  });
}

describe('connection deadlines', () => {
  it('default to 10 s for the headers, 30 s for the request, 5 s idle and 32 connections per address', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'dredge-connections-'));
    const { servers } = loadConfig({ cwd, homeDir: cwd, env: {} }).config;
    expect(servers).toMatchObject({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 100,
      maxConnectionsPerAddress: 32,
    });
    expect(deadlineServerOptions(servers).connectionsCheckingInterval).toBe(1_000);
  });

  it('derive the node:http options from the configuration, checking at a tenth of the shortest deadline', () => {
    expect(deadlineServerOptions({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 })).toEqual({
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      connectionsCheckingInterval: 1_000,
    });
    // Node.js refuses a headers deadline beyond the request deadline: the shorter one stands for both.
    expect(deadlineServerOptions({ headersTimeoutMs: 10_000, requestTimeoutMs: 2_000 })).toEqual({
      headersTimeout: 2_000,
      requestTimeout: 2_000,
      connectionsCheckingInterval: 200,
    });
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 100, requestTimeoutMs: 0 })).toBe(50);
    expect(connectionsCheckingIntervalMs({ headersTimeoutMs: 600_000, requestTimeoutMs: 0 })).toBe(1_000);
  });
});

describe('connection limits: one address cannot lock everyone out', () => {
  let server: RunningMcpServer;
  let port: number;
  beforeAll(async () => {
    server = await startMcpServer({
      HEADERS_TIMEOUT: String(HEADERS_TIMEOUT_MS / 1000),
      REQUEST_TIMEOUT: String(REQUEST_TIMEOUT_MS / 1000),
      KEEP_ALIVE_TIMEOUT: String(KEEP_ALIVE_TIMEOUT_MS / 1000),
      MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      MAX_CONNECTIONS_PER_ADDRESS: String(PER_ADDRESS),
    });
    port = Number(new URL(server.url).port);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('applies the configured deadlines to the server', () => {
    const http = server.app.server;
    expect(http.headersTimeout).toBe(HEADERS_TIMEOUT_MS);
    expect(http.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    expect(http.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
    expect(http.maxConnections).toBe(MAX_CONNECTIONS);
  });

  it(`answers another address's /health throughout ${ABUSIVE_SOCKETS} slow and idle sockets from one address, and closes them in time`, async () => {
    const kinds: readonly Kind[] = ['slow headers', 'slow body', 'idle keep-alive'];
    const sockets = Array.from({ length: ABUSIVE_SOCKETS }, (_, i) => abuse(port, kinds[i % 3] as Kind));
    const allClosed = Promise.all(sockets.map((socket) => socket.closed));

    // The well-behaved client asks every 25 ms until every abusive socket is gone (or 10 s have passed).
    const answers: Array<{ status: number | string; ms: number }> = [];
    let done = false;
    void allClosed.then(() => (done = true));
    const deadline = Date.now() + 10_000;
    while (!done && Date.now() < deadline) {
      answers.push(await health(port));
      await sleep(25);
    }
    await allClosed;

    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(Math.max(...answers.map((answer) => answer.ms))).toBeLessThan(1_000);

    const records = sockets.map((socket) => socket.record);
    const accepted = records.filter((record) => record.received !== '');
    const refused = records.filter((record) => record.received === '');
    // MAX_CONNECTIONS_PER_ADDRESS at once; all the others were closed at once, without an answer.
    expect(accepted).toHaveLength(PER_ADDRESS);
    for (const record of refused)
      expect((record.closedAt as number) - record.openedAt).toBeLessThan(SLACK_MS);

    for (const record of accepted) {
      const lived = (record.closedAt as number) - record.openedAt;
      if (record.kind === 'slow headers') {
        expect(record.received).toMatch(/^HTTP\/1\.1 408 /);
        expect(lived).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
      } else if (record.kind === 'slow body') {
        expect(record.received).toMatch(/^HTTP\/1\.1 408 /);
        expect(lived).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
      } else {
        expect(record.received).toMatch(/^HTTP\/1\.1 200 /);
        const idle = (record.closedAt as number) - (record.firstDataAt as number);
        expect(idle).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS + KEEP_ALIVE_BUFFER_MS + SLACK_MS);
      }
    }

    // The address is free again once its sockets are gone.
    expect((await health(port, ABUSER)).status).toBe(200);
  }, 30_000);
});
