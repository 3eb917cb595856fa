import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestContext } from '../operations/request-context.js';
import { runOperation, type Catalogue, type OperationOutcome } from '../operations/index.js';
import type { AppServices } from '../services.js';

/** How an answer differs from a plain 200: another status, and a Location header made from the outcome. */
export interface AnswerShape {
  readonly status?: number;
  readonly location?: (outcome: OperationOutcome) => string;
}

/** A plain 200, shared so that a call without a shape allocates none. */
const PLAIN: AnswerShape = {};

/** Never aborted: quick operations finish long before any timeout, and need no timer of their own. */
const NEVER = new AbortController().signal;

/**
 * A server's way into the catalogue, bound once to its services and catalogue: `answer` runs an operation for an
 * HTTP request and writes its answer. Operations that run long get a signal that aborts when the client goes away
 * or the request timeout passes.
 */
export class OperationDoor {
  readonly #timeoutMs: number;

  constructor(
    readonly services: AppServices,
    readonly catalogue: Catalogue,
  ) {
    this.#timeoutMs = services.config.servers.requestTimeoutMs;
  }

  async answer(
    request: FastifyRequest,
    reply: FastifyReply,
    name: unknown,
    params: unknown,
    shape: AnswerShape = PLAIN,
  ): Promise<FastifyReply> {
    const operation = this.catalogue.find(name);
    const signal = operation.runsLong ? requestSignal(reply, this.#timeoutMs) : NEVER;
    const context = requestContext(this.services, { trace: request.traceContext, signal });
    const outcome = await runOperation(operation, params, context);
    if (shape.status !== undefined) reply.code(shape.status);
    if (shape.location) reply.header('location', shape.location(outcome));
    return reply.type('application/json').send(outcome.json);
  }
}

function requestSignal(reply: FastifyReply, timeoutMs: number): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new Error('the client went away'));
  });
  return timeoutMs > 0 ? AbortSignal.any([gone.signal, AbortSignal.timeout(timeoutMs)]) : gone.signal;
}
