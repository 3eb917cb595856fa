/**
 * Sending one fuzz request and reading its whole answer: node:http for well-formed HTTP, a raw socket for the
 * malformed (node:http would refuse to write it).
 */
import { request, type Agent } from 'node:http';
import { connect } from 'node:net';
import type { FuzzRequest, ServerName } from './request.js';
import { parseRawResponses, type HttpAnswerPart } from './raw-responses.js';

export interface Answer {
  /** The first HTTP status; 0 when the server closed the connection without one (or the client gave up). */
  readonly status: number;
  /** Each answer on the connection (a raw socket's pipelined requests get several), in order. */
  readonly parts: readonly HttpAnswerPart[];
  /** Everything received, as text: what the marker scan reads (a raw answer's headers included). */
  readonly body: string;
  readonly ms: number;
  readonly timedOut: boolean;
  readonly error?: string;
}

/** node:http refused to write the request (a header value it considers invalid): nothing was sent. */
export const NOT_SENT = 'not sent';

export type Urls = Readonly<Record<ServerName, URL>>;

const ANSWER_TIMEOUT_MS = 30_000;
/** A raw request's answers are read for this long at most (every raw variant is answered or closed at once). */
const RAW_TIMEOUT_MS = 5_000;
/** A raw request that promised more body than it sent is ended by a half-close this long after it was written. */
const RAW_HALF_CLOSE_MS = 300;
/** Answers are read whole for the marker scan, up to this much (every answer of DREDGE is far smaller). */
const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export function sendHttp(
  urls: Urls,
  agents: Readonly<Record<ServerName, Agent>>,
  req: FuzzRequest,
): Promise<Answer> {
  const url = urls[req.server];
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (
      status: number,
      contentType: string | undefined,
      body: string,
      extra: Partial<Answer> = {},
    ) => {
      if (settled) return;
      settled = true;
      resolve({
        status,
        parts: status > 0 ? [{ status, contentType, body }] : [],
        body,
        ms: performance.now() - started,
        timedOut: false,
        ...extra,
      });
    };
    let outgoing;
    try {
      outgoing = request({
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        headers: req.headers,
        agent: agents[req.server],
        // The Host header is the request's own (it may be a rebinding attempt), never node:http's.
        setHost: false,
        timeout: ANSWER_TIMEOUT_MS,
      });
    } catch (error) {
      done(0, undefined, '', { error: `${NOT_SENT}: ${(error as Error).message}` });
      return;
    }
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const contentType = response.headers['content-type']?.toLowerCase();
      const finish = (error?: Error) =>
        done(
          response.statusCode ?? 0,
          contentType,
          Buffer.concat(chunks).toString('utf8'),
          error ? { error: error.message } : {},
        );
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
      });
      response.on('end', () => finish());
      response.on('error', finish);
    });
    outgoing.on('timeout', () => {
      outgoing.destroy();
      done(0, undefined, '', { timedOut: true, error: 'timeout' });
    });
    outgoing.on('error', (error) => done(0, undefined, '', { error: error.message }));
    outgoing.end(req.body);
  });
}

/** Writes the raw bytes, half-closes after a moment, and reads until the server closes (or RAW_TIMEOUT_MS pass). */
export function sendRaw(urls: Urls, req: FuzzRequest, localAddress: string): Promise<Answer> {
  const url = urls[req.server];
  const started = performance.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timedOut = false;
    const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, RAW_TIMEOUT_MS);
    socket.on('connect', () => {
      socket.write(req.raw ?? Buffer.alloc(0));
      setTimeout(() => socket.end(), RAW_HALF_CLOSE_MS).unref();
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset is an answer too (the server refused the connection): judged by what arrived before it.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const bytes = Buffer.concat(chunks);
      const parts = parseRawResponses(bytes);
      resolve({
        status: parts[0]?.status ?? 0,
        parts,
        body: bytes.toString('utf8'),
        ms: performance.now() - started,
        timedOut,
      });
    });
  });
}
