/**
 * An open-loop load generator: POST /mcp at a constant arrival rate on a fixed schedule, whatever the server's
 * answers do, over a bounded pool of keep-alive connections opened before the clock starts. Latency runs from each
 * request's intended send time (see open-loop-schedule.ts), so a request that waited for a free connection or for
 * a late generator is charged that wait. The generator reports how many requests it could not send on time, so a
 * reader can tell a slow server from a generator that fell behind.
 *
 * HTTP/1.1 is written and read by hand on raw sockets (one request in flight per connection, answers framed by
 * Content-Length): a few microseconds per request, where Node.js's HTTP client costs tens, so one core keeps up
 * with rates well above what the servers measured here answer.
 */
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Workload } from './load-generator.js';
import {
  correctedLatencies,
  dueCount,
  intendedSendMs,
  scheduledCount,
  type CorrectedLatencies,
  type Schedule,
} from './open-loop-schedule.js';

/** Connections in the pool: far more than rate × latency needs at the rates measured here (a handful). */
export const OPEN_LOOP_CONNECTIONS = 64;
/** A request sent later than this after its intended time counts as not sent on time. */
export const LATE_MS = 1;
/** How long after the last intended send unanswered requests are waited for before they count as errors. */
const DRAIN_MS = 10_000;

export interface OpenLoopResult extends CorrectedLatencies {
  /** The rate asked for and the rate answered, requests per second. */
  readonly rate: number;
  readonly answeredPerSecond: number;
  /** Requests sent more than LATE_MS after their intended time (a busy pool or a late generator). */
  readonly late: number;
  /** Of those, requests that found every connection busy when they were due. */
  readonly waitedForConnection: number;
  /** Answers other than 2xx, broken connections and requests not answered in time. */
  readonly errors: number;
}

interface Connection {
  readonly socket: Socket;
  /** The request in flight, or -1. */
  inFlight: number;
  /** Bytes of the answer read so far. */
  pending: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** The position just past a complete answer in `data`, its status, or undefined when more bytes are needed. */
function completeAnswer(data: Buffer): { end: number; status: number } | undefined {
  const headerEnd = data.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headerEnd).toLowerCase();
  const status = Number(head.slice(9, 12));
  const match = /\r\ncontent-length:\s*(\d+)/.exec(head);
  // Answers here always carry a Content-Length; one without it is read as having no body (and is not a 2xx).
  const length = match ? Number(match[1]) : 0;
  const end = headerEnd + HEADER_END.length + length;
  return data.length < end ? undefined : { end, status: match ? status : 0 };
}

function openConnection(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Sends the workload to `url` at `rate` requests per second for `seconds`. With a unique workload, request i's
 * body has `firstNumber + i` in place of `{n}`, so runs against one server can keep their requests distinct.
 */
export async function runOpenLoop(
  url: string,
  workload: Workload,
  rate: number,
  seconds: number,
  firstNumber = 0,
  connections = OPEN_LOOP_CONNECTIONS,
): Promise<OpenLoopResult> {
  const { hostname, port } = new URL(url);
  const schedule: Schedule = { rate, seconds };
  const total = scheduledCount(schedule);
  const answeredAt = new Float64Array(total).fill(Number.NaN);
  const head =
    `POST /mcp HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
    Object.entries(workload.headers ?? {})
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
  const [before, after] = workload.body.split('{n}');
  const fixed = Buffer.from(
    `${head}Content-Length: ${Buffer.byteLength(workload.body)}\r\n\r\n${workload.body}`,
  );
  const requestBytes = (index: number): Buffer | string => {
    if (!workload.unique || after === undefined) return fixed;
    const body = `${before}${firstNumber + index}${after}`;
    return `${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };

  const sockets = await Promise.all(
    Array.from({ length: connections }, () => openConnection(hostname, Number(port))),
  );
  // Idle connections in turn (first in, first out), so every one stays in use and none sits idle long enough for
  // the server's keep-alive timeout to close it.
  const idle: Connection[] = [];
  let next = 0;
  let late = 0;
  let waitedForConnection = 0;
  let errors = 0;
  let outstanding = 0;
  let start = 0;
  let finished = false;

  const send = (connection: Connection, index: number, now: number, blocked: boolean): void => {
    if (now - (start + intendedSendMs(schedule, index)) > LATE_MS) {
      late++;
      if (blocked) waitedForConnection++;
    }
    connection.inFlight = index;
    outstanding++;
    connection.socket.write(requestBytes(index));
  };
  /** Sends every due request a free connection allows; true when some due request found none. */
  const sendDue = (now: number): boolean => {
    const due = dueCount(schedule, now - start);
    while (next < due) {
      const connection = idle.shift();
      if (!connection) return true;
      send(connection, next++, now, false);
    }
    return false;
  };
  // Requests due while every connection was busy: sent as connections free up, counted as having waited.
  let backlog = false;

  for (const socket of sockets) {
    const connection: Connection = { socket, inFlight: -1, pending: Buffer.alloc(0) };
    socket.on('data', (chunk: Buffer) => {
      connection.pending = connection.pending.length ? Buffer.concat([connection.pending, chunk]) : chunk;
      const answer = completeAnswer(connection.pending);
      if (!answer || connection.inFlight < 0) return;
      const now = performance.now();
      if (answer.status >= 200 && answer.status < 300) answeredAt[connection.inFlight] = now - start;
      else errors++;
      connection.pending = connection.pending.subarray(answer.end);
      connection.inFlight = -1;
      outstanding--;
      const due = dueCount(schedule, now - start);
      if (next < due) send(connection, next++, now, backlog);
      else idle.push(connection);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      // A broken connection leaves the pool (the run is short; the pool is ample); its request is an error.
      const at = idle.indexOf(connection);
      if (at >= 0) idle.splice(at, 1);
      if (connection.inFlight >= 0 && !finished) {
        errors++;
        outstanding--;
        connection.inFlight = -1;
      }
    });
    idle.push(connection);
  }

  start = performance.now();
  // The schedule is kept by polling the clock on every turn of the event loop (setImmediate lets I/O through in
  // between): timers fire to the millisecond at best, too coarse for intervals of tens of microseconds.
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      backlog = sendDue(performance.now());
      if (next < total) setImmediate(tick);
      else resolve();
    };
    tick();
  });
  const deadline = performance.now() + DRAIN_MS;
  while (outstanding > 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  errors += outstanding;
  finished = true;
  for (const socket of sockets) socket.destroy();

  const latencies = correctedLatencies(schedule, answeredAt);
  return {
    ...latencies,
    rate,
    answeredPerSecond: latencies.answered / seconds,
    late,
    waitedForConnection,
    errors,
  };
}
