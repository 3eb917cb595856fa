import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestContext } from '../operations/request-context.js';
import { runOperation, type Catalogue, type OperationOutcome } from '../operations/index.js';
import type { AppServices } from '../services.js';

/** Never aborted: quick operations finish long before any timeout, and need no timer of their own. */
const NEVER = new AbortController().signal;

/**
 * Runs a catalogue operation for an HTTP request and writes its answer. Operations that run long get a signal that
 * aborts when the client goes away or the request timeout passes.
 */
export async function answerOperation(
  catalogue: Catalogue,
  services: AppServices,
  request: FastifyRequest,
  reply: FastifyReply,
  name: unknown,
  params: unknown,
  answer: { readonly status?: number; readonly location?: (outcome: OperationOutcome) => string } = {},
): Promise<FastifyReply> {
  const operation = catalogue.find(name);
  const signal = operation.runsLong ? requestSignal(reply, services.config.servers.requestTimeoutMs) : NEVER;
  const context = requestContext(services, { trace: request.traceContext, signal });
  const outcome = await runOperation(operation, params, context);
  if (answer.status !== undefined) reply.code(answer.status);
  if (answer.location) reply.header('location', answer.location(outcome));
  return reply.type('application/json').send(outcome.json);
}

function requestSignal(reply: FastifyReply, timeoutMs: number): AbortSignal {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort(new Error('the client went away'));
  });
  return timeoutMs > 0 ? AbortSignal.any([gone.signal, AbortSignal.timeout(timeoutMs)]) : gone.signal;
}
