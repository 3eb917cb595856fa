import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { jsonByteLength, type JsonBody } from '../../services/cache/index.js';
import type { TraceContext } from '../../services/telemetry/index.js';
import type { Principal } from '../security/principal.js';
import { requestContext, type RequestFacts } from '../operations/request-context.js';
import { runOperation, type Catalogue, type OperationOutcome } from '../operations/index.js';
import type { AppServices } from '../services.js';

/** How an answer differs from a plain 200: another status, and a Location header made from the outcome. */
export interface AnswerShape {
  readonly status?: number;
  readonly location?: (outcome: OperationOutcome) => string;
}

/** A plain 200, shared so that a call without a shape allocates none. */
const PLAIN: AnswerShape = {};

/**
 * A server's way into the catalogue, bound once to its services and catalogue: `answer` runs an operation for an
 * HTTP request and writes its answer. Work that leaves the event loop (above COMPUTE_INLINE_WORK, and trainings)
 * gets a signal that aborts when the client goes away or the request timeout passes; quick work never makes one.
 */
export class OperationDoor {
  readonly #timeoutMs: number;
  /** Chunked answers shorter than this are joined, so compression's threshold (which streams skip) holds for them. */
  readonly #joinBelowBytes: number;

  constructor(
    readonly services: AppServices,
    readonly catalogue: Catalogue,
  ) {
    const { requestTimeoutMs, compression } = services.config.servers;
    this.#timeoutMs = requestTimeoutMs;
    this.#joinBelowBytes = compression.enabled ? compression.minBytes : 0;
  }

  async answer(
    request: FastifyRequest,
    reply: FastifyReply,
    name: unknown,
    params: unknown,
    shape: AnswerShape = PLAIN,
  ): Promise<FastifyReply> {
    const outcome = await this.run(request, reply, name, params);
    if (shape.status !== undefined) reply.code(shape.status);
    if (shape.location) reply.header('location', shape.location(outcome));
    return sendJson(reply, outcome.body, this.#joinBelowBytes);
  }

  /** Runs an operation for an HTTP request and answers its outcome, for a route that writes the answer itself. */
  run(
    request: FastifyRequest,
    reply: FastifyReply,
    name: unknown,
    params: unknown,
  ): Promise<OperationOutcome> {
    const operation = this.catalogue.find(name);
    const facts = new HttpRequestFacts(
      request.principal,
      request.ip,
      request.traceContext,
      reply,
      this.#timeoutMs,
    );
    return runOperation(operation, params, requestContext(this.services, facts));
  }
}

/**
 * Sends a JSON body: text as it is; chunks (a large answer written on a compute thread) one after the other, with
 * their total length, without joining them on the event loop, unless they are fewer than `joinBelowBytes` (at
 * most COMPRESSION_MIN_BYTES' bound, 1 MiB: a copy of well under a millisecond), so that an answer too small to
 * compress is sent as it is (a stream is compressed whatever its length: see plugins/compression.ts).
 */
function sendJson(reply: FastifyReply, body: JsonBody, joinBelowBytes: number): FastifyReply {
  reply.type('application/json');
  if (typeof body === 'string') return reply.send(body);
  if (body.length === 1) return reply.send(body[0]);
  const length = jsonByteLength(body);
  if (length < joinBelowBytes) return reply.send(Buffer.concat(body, length));
  return reply.header('content-length', length).send(Readable.from(body, { objectMode: false }));
}

/**
 * A request's facts, its signal made on first read: a listener and a timer cost more than a quick operation, and
 * only work that waits (on the compute pool) reads it.
 */
class HttpRequestFacts implements RequestFacts {
  #signal: AbortSignal | undefined;

  constructor(
    readonly principal: Principal,
    readonly client: string,
    readonly trace: TraceContext,
    private readonly reply: FastifyReply,
    private readonly timeoutMs: number,
  ) {}

  get inputBytes(): number {
    return Number(this.reply.request.headers['content-length']) || 0;
  }

  /** The body, when the route read it as bytes (its content-type parser's `parseAs: 'buffer'`). */
  get attachment(): Uint8Array | undefined {
    const { body } = this.reply.request;
    return Buffer.isBuffer(body) ? body : undefined;
  }

  get signal(): AbortSignal {
    return (this.#signal ??= requestSignal(this.reply, this.timeoutMs));
  }
}

/** Aborts when the client goes away (already, or later) or `timeoutMs` passes (0: never). */
function requestSignal(reply: FastifyReply, timeoutMs: number): AbortSignal {
  const gone = new AbortController();
  const response = reply.raw;
  if (response.destroyed && !response.writableFinished) gone.abort(new Error('the client went away'));
  else {
    response.once('close', () => {
      if (!response.writableFinished) gone.abort(new Error('the client went away'));
    });
  }
  return timeoutMs > 0 ? AbortSignal.any([gone.signal, AbortSignal.timeout(timeoutMs)]) : gone.signal;
}
